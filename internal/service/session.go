package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// Cockpit session policy.
const (
	// SessionIdleTimeout ends a session not used for this long.
	SessionIdleTimeout = 12 * time.Hour
	// SessionMaxAge ends every session this long after sign-in.
	SessionMaxAge = 7 * 24 * time.Hour
	// ChoiceTTL is how long the workspace choice after a verified
	// password stays valid.
	ChoiceTTL = 5 * time.Minute
	// sessionTouchEvery bounds the writes a busy session causes.
	sessionTouchEvery = time.Minute
	// maxLoggedEmail is the longest address SMTP allows (RFC 5321); a
	// longer one is cut in the log, which it would only flood.
	maxLoggedEmail = 254
)

// ErrBadCredentials is returned for an unknown address or a wrong
// password; the two are deliberately not told apart.
var ErrBadCredentials = errors.New("unknown e-mail address or wrong password")

// ErrSessionExpired is returned for a session that ended by idling or age.
var ErrSessionExpired = errors.New("the session has expired; sign in again")

// ErrChoiceExpired is returned for a workspace choice that is not valid
// (any more): older than ChoiceTTL, changed, or from another browser.
var ErrChoiceExpired = errors.New("the workspace choice has expired; sign in again")

// ThrottledError refuses a sign-in attempt from a client (or, for a
// client that has been failing, at an account) with too many recent
// failures, before any password is checked.
type ThrottledError struct {
	RetryAfter time.Duration
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("too many failed sign-ins; try again in %d seconds", seconds(e.RetryAfter))
}

// Seconds is RetryAfter rounded up to whole seconds, for Retry-After and
// the message.
func (e *ThrottledError) Seconds() int { return seconds(e.RetryAfter) }

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

// SignInParams are one sign-in attempt.
type SignInParams struct {
	Email    string
	Password string
	// Client is the client's IP address, which failures are counted for.
	Client string
	// Binding ties a workspace choice to the browser that signed in (the
	// cockpit passes its CSRF token), so that the choice cannot be used
	// elsewhere.
	Binding string
}

// SignInResult is a session, or a choice when the address and password
// match users of several workspaces.
type SignInResult struct {
	*SignedIn
	Choice *WorkspaceChoice
}

// WorkspaceChoice lets a user whose address and password match in
// several workspaces pick one without giving the password again. Token
// carries the verified users, signed, for ChoiceTTL.
type WorkspaceChoice struct {
	Token   string
	Options []ChoiceOption
}

// ChoiceOption is one workspace to sign in to.
type ChoiceOption struct {
	UserID    string
	Workspace *model.Workspace
}

// SignIn checks an e-mail address and password and starts a session (or
// offers the choice of workspaces). It returns ErrBadCredentials,
// *ThrottledError or *BusyError when it refuses.
//
// Failures are counted per client and per account (also for unknown
// addresses) with growing delays; a throttled attempt is refused before
// the database is asked, so it looks the same for every address. The
// account's delay applies only to clients that have failed recently:
// the right password from a client that has not been failing still
// works while the account is under attack.
func (s *Service) SignIn(ctx context.Context, p SignInParams) (*SignInResult, error) {
	email := normalizeEmail(p.Email)
	// The account is keyed by its address's hash: an address is as long
	// as a form allows, and the throttle's memory bound counts keys.
	sum := sha256.Sum256([]byte(email))
	client, account := "client "+clientKey(p.Client), "account "+string(sum[:])
	if wait := s.signIns.Try(client, account); wait > 0 {
		logged := email
		if len(logged) > maxLoggedEmail {
			logged = strings.ToValidUTF8(logged[:maxLoggedEmail], "") + "…"
		}
		s.logger.WarnContext(ctx, "cockpit sign-in throttled", "client", p.Client, "email", logged, "retry_after", wait)
		return nil, &ThrottledError{RetryAfter: wait}
	}
	res, err := s.signIn(ctx, p, email)
	// Only a checked, wrong password counts: not a busy server's refusal.
	s.signIns.Done(client, account, errors.Is(err, ErrBadCredentials))
	return res, err
}

// signIn checks the password against every user with the address.
func (s *Service) signIn(ctx context.Context, p SignInParams, email string) (*SignInResult, error) {
	users, err := s.store.UserListByEmail(ctx, email)
	if err != nil {
		return nil, fmt.Errorf("look up user: %w", err)
	}
	if len(users) == 0 {
		if _, _, err := s.verifyPassword(ctx, &model.User{PasswordHash: dummyHash()}, p.Password); err != nil {
			return nil, err
		}
	}
	var matched []*model.User
	for _, u := range users {
		ok, rehash, err := s.verifyPassword(ctx, u, p.Password)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if rehash {
			if err := s.rehash(ctx, u, p.Password); err != nil {
				return nil, err
			}
		}
		matched = append(matched, u)
	}
	switch len(matched) {
	case 0:
		return nil, ErrBadCredentials
	case 1:
		in, err := s.startSession(ctx, matched[0])
		return &SignInResult{SignedIn: in}, err
	}
	choice, err := s.workspaceChoice(ctx, matched, p.Binding)
	return &SignInResult{Choice: choice}, err
}

// clientKey is the address failures are counted for: an IPv6 client's
// /64, which one client usually has whole; any other address as it is.
func clientKey(client string) string {
	a, err := netip.ParseAddr(client)
	if err != nil || !a.Is6() || a.Is4In6() {
		return client
	}
	pfx, _ := a.Prefix(64)
	return pfx.String()
}

// rehash replaces a hash with outdated parameters by a current one.
func (s *Service) rehash(ctx context.Context, u *model.User, password string) error {
	hash, err := s.hashPassword(ctx, password)
	if err != nil {
		return err
	}
	err = s.store.UserUpdatePassword(ctx, &store.UserPasswordParams{WorkspaceID: u.WorkspaceID, ID: u.ID,
		PasswordHash: hash, At: s.now()})
	if err != nil {
		return fmt.Errorf("update password hash: %w", err)
	}
	u.PasswordHash = hash
	return nil
}

// startSession signs a user in whose password was verified.
func (s *Service) startSession(ctx context.Context, u *model.User) (*SignedIn, error) {
	now := s.now()
	ws, err := s.store.WorkspaceGetByID(ctx, u.WorkspaceID)
	if err != nil {
		return nil, fmt.Errorf("load workspace: %w", err)
	}
	token, hash := sessionToken()
	csrf, _ := sessionToken()
	sess := &model.Session{TokenHash: hash, WorkspaceID: u.WorkspaceID, UserID: u.ID, CSRFToken: csrf,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(SessionMaxAge)}
	err = s.store.WithTx(ctx, func(tx store.Tx) error {
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
	u.LastSignInAt = &now
	return &SignedIn{Token: token, CockpitPrincipal: &CockpitPrincipal{Session: sess, User: u, Workspace: ws}}, nil
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
