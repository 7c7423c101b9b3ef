package model

import "time"

// User is an administrator who signs in to the cockpit. A user belongs to
// one workspace; the e-mail address is unique within it, so that no
// workspace learns which addresses another one uses. The same person may
// be a user of several workspaces and chooses one when signing in.
type User struct {
	// ID is generated ("usr_…").
	ID          string `json:"id"`
	WorkspaceID int64  `json:"-"`
	// Email is stored in lower case.
	Email string `json:"email"`
	Name  string `json:"name,omitempty"`
	// PasswordHash is the encoded argon2id hash with its parameters; never
	// shown.
	PasswordHash string     `json:"-"`
	LastSignInAt *time.Time `json:"last_sign_in_at,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

// Session is a signed-in cockpit session. The cookie holds a random token;
// the database holds only its SHA-256 hash, so a copy of the database does
// not let anyone sign in.
type Session struct {
	// TokenHash is the SHA-256 of the cookie's token.
	TokenHash   []byte `json:"-"`
	WorkspaceID int64  `json:"-"`
	UserID      string `json:"user_id"`
	// CSRFToken is sent back with every form and fetch of this session.
	CSRFToken string    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
	// LastSeenAt is when the session was last used (refreshed at most
	// once a minute); idle sessions expire.
	LastSeenAt time.Time `json:"last_seen_at"`
	// ExpiresAt is the absolute end of the session.
	ExpiresAt time.Time `json:"expires_at"`
}
