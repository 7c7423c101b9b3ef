package store

import (
	"context"
	"time"

	"github.com/herold-dev/herold/internal/model"
)

// UserPasswordParams replace a user's password hash.
type UserPasswordParams struct {
	WorkspaceID  int64
	ID           string
	PasswordHash string
	At           time.Time
}

// UserSignedInParams record a successful sign-in.
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
	// UserInsert stores a new user; an e-mail address already used in the
	// same workspace (compared case-insensitively) is ErrConflict. Other
	// workspaces' users do not matter.
	UserInsert(ctx context.Context, u *model.User) error
	UserGetByID(ctx context.Context, workspaceID int64, id string) (*model.User, error)
	// UserGetByEmail finds a workspace's user by e-mail address
	// (case-insensitive).
	UserGetByEmail(ctx context.Context, workspaceID int64, email string) (*model.User, error)
	// UserListByEmail lists the users of every workspace with an e-mail
	// address (case-insensitive), ordered by workspace, for signing in:
	// the workspace is not known before.
	UserListByEmail(ctx context.Context, email string) ([]*model.User, error)
	// UserCount counts the users of all workspaces (is the installation
	// new?).
	UserCount(ctx context.Context) (int, error)
	// UserList lists a workspace's users ordered by e-mail address.
	UserList(ctx context.Context, workspaceID int64) ([]*model.User, error)
	// UserUpdatePassword replaces the password hash.
	UserUpdatePassword(ctx context.Context, p *UserPasswordParams) error
	// UserSignedIn records the time of a successful sign-in.
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
