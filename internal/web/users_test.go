package web_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/argon2"

	"github.com/herold-dev/herold/internal/clock"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
	"github.com/herold-dev/herold/internal/store"
	"github.com/herold-dev/herold/internal/store/sqlite"
)

// userSetup is a service on a fresh SQLite file with one workspace.
func userSetup(t *testing.T) (*service.Service, *model.Workspace, *clock.Fake, store.Store) {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "herold.db"), sqlite.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	require.NoError(t, st.Migrate(context.Background()))
	clk := clock.NewFake(time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC))
	svc, err := service.New(service.Config{Store: st, Clock: clk})
	require.NoError(t, err)
	created, err := svc.WorkspaceCreate(context.Background(), service.WorkspaceCreateParams{Key: "acme"})
	require.NoError(t, err)
	return svc, created.Workspace, clk, st
}

func TestUserBootstrap(t *testing.T) {
	t.Parallel()
	svc, ws, _, _ := userSetup(t)
	ctx := context.Background()

	first, err := svc.UserBootstrap(ctx, ws, service.UserCreateParams{})
	require.NoError(t, err)
	require.NotNil(t, first)
	require.Equal(t, service.DefaultAdminEmail, first.User.Email)
	require.Len(t, first.Password, 24, "a generated password is returned once")

	again, err := svc.UserBootstrap(ctx, ws, service.UserCreateParams{})
	require.NoError(t, err)
	require.Nil(t, again, "a workspace with users gets no generated one")

	fixed, err := svc.UserBootstrap(ctx, ws, service.UserCreateParams{Email: "ops@acme.example", Password: "a fixed password"})
	require.NoError(t, err)
	require.Nil(t, fixed, "a fixed password adds no user to an installation that has users")

	// Another workspace without users gets its first one only when asked
	// for that workspace (the demo's user).
	other, err := svc.WorkspaceCreate(ctx, service.WorkspaceCreateParams{Key: "other"})
	require.NoError(t, err)
	none, err := svc.UserBootstrap(ctx, other.Workspace, service.UserCreateParams{Password: "a fixed password"})
	require.NoError(t, err)
	require.Nil(t, none)
	demo, err := svc.UserBootstrapWorkspace(ctx, other.Workspace, service.UserCreateParams{Email: "ops@acme.example", Password: "a fixed password"})
	require.NoError(t, err)
	require.NotNil(t, demo)
	require.Empty(t, demo.Password, "a fixed password is never echoed")
	again, err = svc.UserBootstrapWorkspace(ctx, other.Workspace, service.UserCreateParams{Email: "new@acme.example", Password: "a fixed password"})
	require.NoError(t, err)
	require.Nil(t, again)
	_, err = signIn(ctx, svc, "ops@acme.example", "a fixed password")
	require.NoError(t, err)
}

func TestUserCreateValidates(t *testing.T) {
	t.Parallel()
	svc, ws, _, _ := userSetup(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		in    service.UserCreateParams
		field string
	}{
		{"no email", service.UserCreateParams{}, "email"},
		{"bad email", service.UserCreateParams{Email: "Anna <anna@example.org>"}, "email"},
		{"line break", service.UserCreateParams{Email: "anna@example.org", Name: "A\nB"}, "name"},
		{"short password", service.UserCreateParams{Email: "anna@example.org", Password: "short"}, "password"},
	} {
		_, err := svc.UserCreate(ctx, ws, tc.in)
		var verr *service.ValidationError
		require.ErrorAs(t, err, &verr, tc.name)
		require.Equal(t, tc.field, verr.Fields[0].Field, tc.name)
	}
	_, err := svc.UserCreate(ctx, ws, service.UserCreateParams{Email: " Anna@Example.ORG ", Password: "twelve chars!"})
	require.NoError(t, err)
	_, err = svc.UserCreate(ctx, ws, service.UserCreateParams{Email: "anna@example.org"})
	var verr *service.ValidationError
	require.ErrorAs(t, err, &verr)
	require.Equal(t, service.CodeDuplicate, verr.Fields[0].Code)
}

func TestSessionLifecycle(t *testing.T) {
	t.Parallel()
	svc, ws, clk, st := userSetup(t)
	ctx := context.Background()
	u, err := svc.UserCreate(ctx, ws, service.UserCreateParams{Email: "anna@example.org", Password: "correct horse battery"})
	require.NoError(t, err)

	in, err := signIn(ctx, svc, "ANNA@example.org", "correct horse battery")
	require.NoError(t, err)
	require.Len(t, in.Token, 43, "256 random bits, base64")
	require.NotEmpty(t, in.Session.CSRFToken)
	require.NotEqual(t, in.Token, in.Session.CSRFToken)
	require.Equal(t, ws.ID, in.Workspace.ID)
	// Only the hash of the token is stored.
	_, err = st.SessionGetByHash(ctx, []byte(in.Token))
	require.ErrorIs(t, err, store.ErrNotFound)

	p, err := svc.SessionAuthenticate(ctx, in.Token)
	require.NoError(t, err)
	require.Equal(t, u.User.ID, p.User.ID)
	require.Equal(t, in.Session.CSRFToken, p.Session.CSRFToken)
	_, err = svc.SessionAuthenticate(ctx, in.Token+"x")
	require.ErrorIs(t, err, service.ErrUnauthenticated)

	// A password change ends every session of the user.
	other, err := signIn(ctx, svc, "anna@example.org", "correct horse battery")
	require.NoError(t, err)
	err = svc.UserChangePassword(ctx, ws, u.User.ID, "wrong current", "a new password!")
	var verr *service.ValidationError
	require.ErrorAs(t, err, &verr)
	require.Equal(t, "current", verr.Fields[0].Field)
	require.NoError(t, svc.UserChangePassword(ctx, ws, u.User.ID, "correct horse battery", "a new password!"))
	for _, tok := range []string{in.Token, other.Token} {
		_, err = svc.SessionAuthenticate(ctx, tok)
		require.ErrorIs(t, err, service.ErrUnauthenticated)
	}
	_, err = signIn(ctx, svc, "anna@example.org", "correct horse battery")
	require.ErrorIs(t, err, service.ErrBadCredentials)

	// Idle sessions end, and are purged at the next sign-in.
	in, err = signIn(ctx, svc, "anna@example.org", "a new password!")
	require.NoError(t, err)
	clk.Advance(service.SessionIdleTimeout)
	_, err = svc.SessionAuthenticate(ctx, in.Token)
	require.ErrorIs(t, err, service.ErrSessionExpired)
	_, err = svc.SessionAuthenticate(ctx, in.Token)
	require.ErrorIs(t, err, service.ErrUnauthenticated, "an expired session is deleted")

	// Signing out ends the session; signing out twice is fine.
	in, err = signIn(ctx, svc, "anna@example.org", "a new password!")
	require.NoError(t, err)
	require.NoError(t, svc.SignOut(ctx, in.Token))
	require.NoError(t, svc.SignOut(ctx, in.Token))
	_, err = svc.SessionAuthenticate(ctx, in.Token)
	require.ErrorIs(t, err, service.ErrUnauthenticated)

	// The last user cannot be deleted; deleting another ends its sessions.
	require.Error(t, svc.UserDelete(ctx, ws, u.User.ID))
	bob, err := svc.UserCreate(ctx, ws, service.UserCreateParams{Email: "bob@example.org"})
	require.NoError(t, err)
	in, err = signIn(ctx, svc, "bob@example.org", bob.Password)
	require.NoError(t, err)
	require.NoError(t, svc.UserDelete(ctx, ws, bob.User.ID))
	_, err = svc.SessionAuthenticate(ctx, in.Token)
	require.ErrorIs(t, err, service.ErrUnauthenticated)
}

func TestSignInRehash(t *testing.T) {
	t.Parallel()
	svc, ws, clk, st := userSetup(t)
	ctx := context.Background()
	// A user whose hash has older, weaker parameters.
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte("old parameters!"), salt, 1, 8*1024, 1, 32)
	old := fmt.Sprintf("$argon2id$v=19$m=8192,t=1,p=1$%s$%s", base64.RawStdEncoding.EncodeToString(salt),
		base64.RawStdEncoding.EncodeToString(key))
	now := clk.Now().UTC()
	require.NoError(t, st.UserInsert(ctx, &model.User{ID: "usr_old", WorkspaceID: ws.ID, Email: "old@example.org",
		PasswordHash: old, CreatedAt: now, UpdatedAt: now}))

	_, err := signIn(ctx, svc, "old@example.org", "guess")
	require.ErrorIs(t, err, service.ErrBadCredentials)
	u, err := svc.UserGet(ctx, ws, "usr_old")
	require.NoError(t, err)
	require.Equal(t, old, u.PasswordHash, "a wrong password changes nothing")
	_, err = signIn(ctx, svc, "old@example.org", "old parameters!")
	require.NoError(t, err)
	u, err = svc.UserGet(ctx, ws, "usr_old")
	require.NoError(t, err)
	require.NotEqual(t, old, u.PasswordHash, "the hash was upgraded at sign-in")
	ok, rehash, err := service.CheckPassword(u.PasswordHash, "old parameters!")
	require.NoError(t, err)
	require.True(t, ok)
	require.False(t, rehash)
}

// signIn signs in from one client of a documentation range and returns
// the session.
func signIn(ctx context.Context, svc *service.Service, email, password string) (*service.SignedIn, error) {
	res, err := svc.SignIn(ctx, service.SignInParams{Email: email, Password: password, Client: "192.0.2.1"})
	if err != nil {
		return nil, err
	}
	return res.SignedIn, nil
}
