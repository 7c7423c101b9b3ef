package web_test

import (
	"context"
	"encoding/base64"
	"errors"
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
	require.NotNil(t, fixed, "a fixed password adds its user to an existing installation")
	require.Empty(t, fixed.Password, "a fixed password is never echoed")
	same, err := svc.UserBootstrap(ctx, ws, service.UserCreateParams{Email: "OPS@acme.example", Password: "another password!"})
	require.NoError(t, err)
	require.Nil(t, same, "an existing user's password is not overwritten")
	_, err = svc.SignIn(ctx, "ops@acme.example", "a fixed password")
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

	in, err := svc.SignIn(ctx, "ANNA@example.org", "correct horse battery")
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
	other, err := svc.SignIn(ctx, "anna@example.org", "correct horse battery")
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
	_, err = svc.SignIn(ctx, "anna@example.org", "correct horse battery")
	require.ErrorIs(t, err, service.ErrBadCredentials)

	// Idle sessions end, and are purged at the next sign-in.
	in, err = svc.SignIn(ctx, "anna@example.org", "a new password!")
	require.NoError(t, err)
	clk.Advance(service.SessionIdleTimeout)
	_, err = svc.SessionAuthenticate(ctx, in.Token)
	require.ErrorIs(t, err, service.ErrSessionExpired)
	_, err = svc.SessionAuthenticate(ctx, in.Token)
	require.ErrorIs(t, err, service.ErrUnauthenticated, "an expired session is deleted")

	// Signing out ends the session; signing out twice is fine.
	in, err = svc.SignIn(ctx, "anna@example.org", "a new password!")
	require.NoError(t, err)
	require.NoError(t, svc.SignOut(ctx, in.Token))
	require.NoError(t, svc.SignOut(ctx, in.Token))
	_, err = svc.SessionAuthenticate(ctx, in.Token)
	require.ErrorIs(t, err, service.ErrUnauthenticated)

	// The last user cannot be deleted; deleting another ends its sessions.
	require.Error(t, svc.UserDelete(ctx, ws, u.User.ID))
	bob, err := svc.UserCreate(ctx, ws, service.UserCreateParams{Email: "bob@example.org"})
	require.NoError(t, err)
	in, err = svc.SignIn(ctx, "bob@example.org", bob.Password)
	require.NoError(t, err)
	require.NoError(t, svc.UserDelete(ctx, ws, bob.User.ID))
	_, err = svc.SessionAuthenticate(ctx, in.Token)
	require.ErrorIs(t, err, service.ErrUnauthenticated)
}

func TestSignInLockOutAndRehash(t *testing.T) {
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

	for i := 1; i < service.MaxFailedSignIns; i++ {
		_, err := svc.SignIn(ctx, "old@example.org", "guess")
		require.ErrorIs(t, err, service.ErrBadCredentials)
	}
	_, err := svc.SignIn(ctx, "old@example.org", "guess")
	var locked *service.LockedError
	require.ErrorAs(t, err, &locked)
	require.True(t, locked.Until.Equal(now.Add(service.LockOutDuration)))
	require.Equal(t, "Europe/Berlin", locked.Location.String())
	_, err = svc.SignIn(ctx, "old@example.org", "old parameters!")
	require.True(t, errors.As(err, &locked), "locked even with the right password")

	clk.Advance(service.LockOutDuration)
	_, err = svc.SignIn(ctx, "old@example.org", "old parameters!")
	require.NoError(t, err)
	u, err := svc.UserGet(ctx, ws, "usr_old")
	require.NoError(t, err)
	require.NotEqual(t, old, u.PasswordHash, "the hash was upgraded at sign-in")
	ok, rehash, err := service.CheckPassword(u.PasswordHash, "old parameters!")
	require.NoError(t, err)
	require.True(t, ok)
	require.False(t, rehash)
}
