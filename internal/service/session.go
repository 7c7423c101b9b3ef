package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// Cockpit session and lock-out policy.
const (
	// SessionIdleTimeout ends a session not used for this long.
	SessionIdleTimeout = 12 * time.Hour
	// SessionMaxAge ends every session this long after sign-in.
	SessionMaxAge = 7 * 24 * time.Hour
	// MaxFailedSignIns failed attempts in a row lock an account…
	MaxFailedSignIns = 5
	// …for LockOutDuration.
	LockOutDuration = 15 * time.Minute
	// sessionTouchEvery bounds the writes a busy session causes.
	sessionTouchEvery = time.Minute
)

// ErrBadCredentials is returned for an unknown address or a wrong
// password; the two are deliberately not told apart.
var ErrBadCredentials = errors.New("unknown e-mail address or wrong password")

// ErrSessionExpired is returned for a session that ended by idling or age.
var ErrSessionExpired = errors.New("the session has expired; sign in again")

// LockedError is returned while an account is locked after too many failed
// sign-ins.
type LockedError struct {
	Until time.Time
	// Location is the workspace's time zone, to show Until in.
	Location *time.Location
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("the account is locked after %d failed sign-ins until %s", MaxFailedSignIns, e.Until.Format(time.RFC3339))
}

// SignedIn is a new session; Token goes into the cookie and is not
// stored.
type SignedIn struct {
	Token string
	*CockpitPrincipal
}

// CockpitPrincipal is a signed-in cockpit user with their workspace.
type CockpitPrincipal struct {
	Session   *model.Session
	User      *model.User
	Workspace *model.Workspace
}

// sessionToken returns a random token and its SHA-256 hash.
func sessionToken() (string, []byte) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	return token, tokenHash(token)
}

func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// dummyHash is verified for unknown addresses so that they take as long
// as wrong passwords.
var dummyHash = sync.OnceValue(func() string { return HashPassword(GeneratePassword()) })

// SignIn checks an e-mail address and password and starts a session. It
// returns ErrBadCredentials or a *LockedError when it refuses. Every failed
// attempt counts towards the lock-out of an existing account.
func (s *Service) SignIn(ctx context.Context, email, password string) (*SignedIn, error) {
	now := s.now()
	u, err := s.store.UserGetByEmail(ctx, normalizeEmail(email))
	if errors.Is(err, store.ErrNotFound) {
		_, _, _ = CheckPassword(dummyHash(), password)
		return nil, ErrBadCredentials
	}
	if err != nil {
		return nil, fmt.Errorf("look up user: %w", err)
	}
	if u.Locked(now) {
		return nil, s.lockedError(ctx, u)
	}
	ok, rehash, err := CheckPassword(u.PasswordHash, password)
	if err != nil {
		s.logger.ErrorContext(ctx, "unreadable password hash", "user", u.ID, "error", err)
	}
	if !ok {
		after, err := s.store.UserSignInFailed(ctx, &store.UserSignInFailedParams{WorkspaceID: u.WorkspaceID, ID: u.ID,
			MaxFailures: MaxFailedSignIns, LockUntil: now.Add(LockOutDuration), At: now})
		if err != nil {
			return nil, fmt.Errorf("record failed sign-in: %w", err)
		}
		if after.Locked(now) {
			s.logger.WarnContext(ctx, "cockpit account locked after failed sign-ins", "user", u.ID, "until", after.LockedUntil)
			return nil, s.lockedError(ctx, after)
		}
		return nil, ErrBadCredentials
	}
	ws, err := s.store.WorkspaceGetByID(ctx, u.WorkspaceID)
	if err != nil {
		return nil, fmt.Errorf("load workspace: %w", err)
	}
	token, hash := sessionToken()
	csrf, _ := sessionToken()
	sess := &model.Session{TokenHash: hash, WorkspaceID: u.WorkspaceID, UserID: u.ID, CSRFToken: csrf,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(SessionMaxAge)}
	err = s.store.WithTx(ctx, func(tx store.Tx) error {
		if rehash {
			err := tx.UserUpdatePassword(ctx, &store.UserPasswordParams{WorkspaceID: u.WorkspaceID, ID: u.ID,
				PasswordHash: HashPassword(password), At: now})
			if err != nil {
				return err
			}
		}
		if err := tx.UserSignedIn(ctx, &store.UserSignedInParams{WorkspaceID: u.WorkspaceID, ID: u.ID, At: now}); err != nil {
			return err
		}
		if _, err := tx.SessionPurge(ctx, now, now.Add(-SessionIdleTimeout)); err != nil {
			return err
		}
		return tx.SessionInsert(ctx, sess)
	})
	if err != nil {
		return nil, fmt.Errorf("start session: %w", err)
	}
	u.FailedSignIns, u.LockedUntil, u.LastSignInAt = 0, nil, &now
	return &SignedIn{Token: token, CockpitPrincipal: &CockpitPrincipal{Session: sess, User: u, Workspace: ws}}, nil
}

func (s *Service) lockedError(ctx context.Context, u *model.User) *LockedError {
	e := &LockedError{Until: *u.LockedUntil, Location: time.UTC}
	if ws, err := s.store.WorkspaceGetByID(ctx, u.WorkspaceID); err == nil {
		e.Location = ws.Location()
	}
	return e
}

// SessionAuthenticate resolves a session cookie's token. It returns
// ErrUnauthenticated for an unknown token and ErrSessionExpired for one
// that idled or aged out (and deletes it).
func (s *Service) SessionAuthenticate(ctx context.Context, token string) (*CockpitPrincipal, error) {
	if token == "" {
		return nil, ErrUnauthenticated
	}
	hash := tokenHash(token)
	sess, err := s.store.SessionGetByHash(ctx, hash)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrUnauthenticated
	}
	if err != nil {
		return nil, fmt.Errorf("look up session: %w", err)
	}
	now := s.now()
	if !now.Before(sess.ExpiresAt) || !now.Before(sess.LastSeenAt.Add(SessionIdleTimeout)) {
		if err := s.store.SessionDelete(ctx, hash); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("end expired session: %w", err)
		}
		return nil, ErrSessionExpired
	}
	u, err := s.store.UserGetByID(ctx, sess.WorkspaceID, sess.UserID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrUnauthenticated
	}
	if err != nil {
		return nil, fmt.Errorf("load user: %w", err)
	}
	ws, err := s.store.WorkspaceGetByID(ctx, sess.WorkspaceID)
	if err != nil {
		return nil, fmt.Errorf("load workspace: %w", err)
	}
	if now.Sub(sess.LastSeenAt) >= sessionTouchEvery {
		err := s.store.SessionTouch(ctx, &store.SessionTouchParams{TokenHash: hash, At: now})
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("refresh session: %w", err)
		}
		sess.LastSeenAt = now
	}
	return &CockpitPrincipal{Session: sess, User: u, Workspace: ws}, nil
}

// SignOut ends the session of a token; an unknown token is no error.
func (s *Service) SignOut(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	err := s.store.SessionDelete(ctx, tokenHash(token))
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("end session: %w", err)
	}
	return nil
}
