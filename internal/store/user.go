package store

import (
	"context"
	"time"

	"github.com/herold-dev/herold/internal/model"
)

// UserPasswordParams replace a user's password hash and unlock the account.
type UserPasswordParams struct {
	WorkspaceID  int64
	ID           string
	PasswordHash string
	At           time.Time
}

// UserSignInFailedParams count one failed sign-in. When the count reaches
// MaxFailures the account is locked until LockUntil and the count starts
// over.
type UserSignInFailedParams struct {
	WorkspaceID int64
	ID          string
	MaxFailures int
	LockUntil   time.Time
	At          time.Time
}

// UserSignedInParams record a successful sign-in: the failure count and
// any lock are cleared.
type UserSignedInParams struct {
	WorkspaceID int64
	ID          string
	At          time.Time
}

// SessionTouchParams move a session's last use forward.
type SessionTouchParams struct {
	TokenHash []byte
	At        time.Time
}

// UserQueries are the operations on cockpit users and their sessions.
// Users are scoped by workspace except where a method says otherwise:
// signing in starts from an e-mail address or a cookie, before the
// workspace is known.
type UserQueries interface {
	// UserInsert stores a new user; an e-mail address already used in any
	// workspace (compared case-insensitively) is ErrConflict.
	UserInsert(ctx context.Context, u *model.User) error
	UserGetByID(ctx context.Context, workspaceID int64, id string) (*model.User, error)
	// UserGetByEmail finds a user in any workspace by e-mail address
	// (case-insensitive), for signing in.
	UserGetByEmail(ctx context.Context, email string) (*model.User, error)
	// UserList lists a workspace's users ordered by e-mail address.
	UserList(ctx context.Context, workspaceID int64) ([]*model.User, error)
	// UserUpdatePassword replaces the password hash and clears any lock.
	UserUpdatePassword(ctx context.Context, p *UserPasswordParams) error
	// UserSignInFailed counts a failed sign-in atomically and returns the
	// user as it is afterwards.
	UserSignInFailed(ctx context.Context, p *UserSignInFailedParams) (*model.User, error)
	// UserSignedIn clears failures and lock and records the time.
	UserSignedIn(ctx context.Context, p *UserSignedInParams) error
	// UserDelete deletes a user with their sessions.
	UserDelete(ctx context.Context, workspaceID int64, id string) error

	SessionInsert(ctx context.Context, s *model.Session) error
	// SessionGetByHash finds a session in any workspace by its token hash.
	SessionGetByHash(ctx context.Context, tokenHash []byte) (*model.Session, error)
	SessionTouch(ctx context.Context, p *SessionTouchParams) error
	SessionDelete(ctx context.Context, tokenHash []byte) error
	// SessionDeleteByUser ends every session of a user (password change,
	// deletion).
	SessionDeleteByUser(ctx context.Context, workspaceID int64, userID string) error
	// SessionPurge deletes, in all workspaces, sessions that expired
	// before the absolute deadline or were idle since idleBefore.
	SessionPurge(ctx context.Context, now, idleBefore time.Time) (int, error)
}
