package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

func init() {
	pipelineCases = append(pipelineCases,
		storeCase{"Users", testUsers},
		storeCase{"UsersPerWorkspace", testUsersPerWorkspace},
		storeCase{"UserSignedIn", testUserSignedIn},
		storeCase{"Sessions", testSessions},
	)
}

func sampleUser(ws int64, id, email string) *model.User {
	return &model.User{ID: id, WorkspaceID: ws, Email: email, Name: "Admin " + id,
		PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", CreatedAt: base, UpdatedAt: base}
}

func testUsers(t *testing.T, b *bundle) {
	u := sampleUser(b.ws.ID, "usr_1", "admin@acme.example")
	require.NoError(t, b.s.UserInsert(b.ctx, u))

	got, err := b.s.UserGetByID(b.ctx, b.ws.ID, "usr_1")
	require.NoError(t, err)
	require.Equal(t, u, got)
	_, err = b.s.UserGetByID(b.ctx, b.other.ID, "usr_1")
	require.ErrorIs(t, err, store.ErrNotFound, "user visible in another workspace")

	got, err = b.s.UserGetByEmail(b.ctx, b.ws.ID, "Admin@ACME.example")
	require.NoError(t, err, "e-mail lookup is case-insensitive")
	require.Equal(t, "usr_1", got.ID)
	require.Equal(t, b.ws.ID, got.WorkspaceID)
	_, err = b.s.UserGetByEmail(b.ctx, b.ws.ID, "nobody@acme.example")
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = b.s.UserGetByEmail(b.ctx, b.other.ID, "admin@acme.example")
	require.ErrorIs(t, err, store.ErrNotFound, "user found through another workspace")

	// The address is unique within the workspace, in any case.
	dup := sampleUser(b.ws.ID, "usr_2", "ADMIN@acme.example")
	require.ErrorIs(t, b.s.UserInsert(b.ctx, dup), store.ErrConflict)
	dupID := sampleUser(b.other.ID, "usr_1", "else@acme.example")
	require.ErrorIs(t, b.s.UserInsert(b.ctx, dupID), store.ErrConflict)

	require.NoError(t, b.s.UserInsert(b.ctx, sampleUser(b.ws.ID, "usr_3", "a@acme.example")))
	require.NoError(t, b.s.UserInsert(b.ctx, sampleUser(b.other.ID, "usr_4", "b@other.example")))
	list, err := b.s.UserList(b.ctx, b.ws.ID)
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.Equal(t, []string{"a@acme.example", "admin@acme.example"}, []string{list[0].Email, list[1].Email})

	at := base.Add(time.Hour)
	err = b.s.UserUpdatePassword(b.ctx, &store.UserPasswordParams{WorkspaceID: b.other.ID, ID: "usr_1", PasswordHash: "x", At: at})
	require.ErrorIs(t, err, store.ErrNotFound, "another workspace cannot change the password")
	require.NoError(t, b.s.UserUpdatePassword(b.ctx, &store.UserPasswordParams{WorkspaceID: b.ws.ID, ID: "usr_1", PasswordHash: "new", At: at}))
	got, err = b.s.UserGetByID(b.ctx, b.ws.ID, "usr_1")
	require.NoError(t, err)
	require.Equal(t, "new", got.PasswordHash)
	require.True(t, got.UpdatedAt.Equal(at))
	require.True(t, got.CreatedAt.Equal(base))

	require.ErrorIs(t, b.s.UserDelete(b.ctx, b.other.ID, "usr_1"), store.ErrNotFound)
	require.NoError(t, b.s.UserDelete(b.ctx, b.ws.ID, "usr_1"))
	_, err = b.s.UserGetByID(b.ctx, b.ws.ID, "usr_1")
	require.ErrorIs(t, err, store.ErrNotFound)
	require.ErrorIs(t, b.s.UserDelete(b.ctx, b.ws.ID, "usr_1"), store.ErrNotFound)
}

// testUsersPerWorkspace: the same address may be a user of several
// workspaces; signing in finds all of them.
func testUsersPerWorkspace(t *testing.T, b *bundle) {
	n, err := b.s.UserCount(b.ctx)
	require.NoError(t, err)
	require.Zero(t, n)
	list, err := b.s.UserListByEmail(b.ctx, "anna@acme.example")
	require.NoError(t, err)
	require.Empty(t, list)

	// Inserted in the other workspace first, so that the order is the
	// workspaces' and not the insertion's.
	require.NoError(t, b.s.UserInsert(b.ctx, sampleUser(b.other.ID, "usr_2", "anna@acme.example")))
	require.NoError(t, b.s.UserInsert(b.ctx, sampleUser(b.ws.ID, "usr_1", "Anna@ACME.example")),
		"the address of another workspace's user is free in this one")
	require.NoError(t, b.s.UserInsert(b.ctx, sampleUser(b.ws.ID, "usr_3", "ben@acme.example")))
	require.ErrorIs(t, b.s.UserInsert(b.ctx, sampleUser(b.other.ID, "usr_4", "ANNA@acme.example")), store.ErrConflict)

	list, err = b.s.UserListByEmail(b.ctx, "ANNA@acme.example")
	require.NoError(t, err)
	require.Len(t, list, 2)
	first, second := b.ws, b.other
	if first.ID > second.ID {
		first, second = second, first
	}
	require.Equal(t, []int64{first.ID, second.ID}, []int64{list[0].WorkspaceID, list[1].WorkspaceID})
	for _, u := range list {
		require.Equal(t, "anna@acme.example", u.Email, "stored in lower case")
	}
	got, err := b.s.UserGetByEmail(b.ctx, b.other.ID, "anna@acme.example")
	require.NoError(t, err)
	require.Equal(t, "usr_2", got.ID)

	n, err = b.s.UserCount(b.ctx)
	require.NoError(t, err)
	require.Equal(t, 3, n)
	require.NoError(t, b.s.UserDelete(b.ctx, b.ws.ID, "usr_1"))
	list, err = b.s.UserListByEmail(b.ctx, "anna@acme.example")
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, "usr_2", list[0].ID)
}

func testUserSignedIn(t *testing.T, b *bundle) {
	require.NoError(t, b.s.UserInsert(b.ctx, sampleUser(b.ws.ID, "usr_1", "admin@acme.example")))
	at := base.Add(time.Hour)
	require.ErrorIs(t, b.s.UserSignedIn(b.ctx, &store.UserSignedInParams{WorkspaceID: b.other.ID, ID: "usr_1", At: at}), store.ErrNotFound)
	require.NoError(t, b.s.UserSignedIn(b.ctx, &store.UserSignedInParams{WorkspaceID: b.ws.ID, ID: "usr_1", At: at}))
	u, err := b.s.UserGetByID(b.ctx, b.ws.ID, "usr_1")
	require.NoError(t, err)
	require.NotNil(t, u.LastSignInAt)
	require.True(t, u.LastSignInAt.Equal(at))
	require.True(t, u.UpdatedAt.Equal(at))
}

func testSessions(t *testing.T, b *bundle) {
	require.NoError(t, b.s.UserInsert(b.ctx, sampleUser(b.ws.ID, "usr_1", "admin@acme.example")))
	require.NoError(t, b.s.UserInsert(b.ctx, sampleUser(b.ws.ID, "usr_2", "two@acme.example")))
	sess := func(hash, user string, created time.Time) *model.Session {
		return &model.Session{TokenHash: []byte(hash), WorkspaceID: b.ws.ID, UserID: user, CSRFToken: "csrf-" + hash,
			CreatedAt: created, LastSeenAt: created, ExpiresAt: created.Add(7 * 24 * time.Hour)}
	}
	s1 := sess("hash-1", "usr_1", base)
	require.NoError(t, b.s.SessionInsert(b.ctx, s1))
	require.ErrorIs(t, b.s.SessionInsert(b.ctx, sess("hash-1", "usr_2", base)), store.ErrConflict)
	got, err := b.s.SessionGetByHash(b.ctx, []byte("hash-1"))
	require.NoError(t, err)
	require.Equal(t, s1, got)
	_, err = b.s.SessionGetByHash(b.ctx, []byte("hash-x"))
	require.ErrorIs(t, err, store.ErrNotFound)

	// Touching moves last use forward, never back.
	later := base.Add(time.Hour)
	require.NoError(t, b.s.SessionTouch(b.ctx, &store.SessionTouchParams{TokenHash: []byte("hash-1"), At: later}))
	require.NoError(t, b.s.SessionTouch(b.ctx, &store.SessionTouchParams{TokenHash: []byte("hash-1"), At: base}))
	got, err = b.s.SessionGetByHash(b.ctx, []byte("hash-1"))
	require.NoError(t, err)
	require.True(t, got.LastSeenAt.Equal(later))
	require.ErrorIs(t, b.s.SessionTouch(b.ctx, &store.SessionTouchParams{TokenHash: []byte("hash-x"), At: later}), store.ErrNotFound)

	// Ending all of one user's sessions leaves the others.
	require.NoError(t, b.s.SessionInsert(b.ctx, sess("hash-2", "usr_1", base)))
	require.NoError(t, b.s.SessionInsert(b.ctx, sess("hash-3", "usr_2", base)))
	require.NoError(t, b.s.SessionDeleteByUser(b.ctx, b.other.ID, "usr_1"))
	_, err = b.s.SessionGetByHash(b.ctx, []byte("hash-2"))
	require.NoError(t, err, "another workspace cannot end them")
	require.NoError(t, b.s.SessionDeleteByUser(b.ctx, b.ws.ID, "usr_1"))
	_, err = b.s.SessionGetByHash(b.ctx, []byte("hash-1"))
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = b.s.SessionGetByHash(b.ctx, []byte("hash-3"))
	require.NoError(t, err)

	require.NoError(t, b.s.SessionDelete(b.ctx, []byte("hash-3")))
	require.ErrorIs(t, b.s.SessionDelete(b.ctx, []byte("hash-3")), store.ErrNotFound)

	// Purge: expired by the absolute deadline or by idling.
	require.NoError(t, b.s.SessionInsert(b.ctx, sess("old", "usr_1", base.Add(-8*24*time.Hour))))
	idle := sess("idle", "usr_1", base.Add(-13*time.Hour))
	require.NoError(t, b.s.SessionInsert(b.ctx, idle))
	require.NoError(t, b.s.SessionInsert(b.ctx, sess("fresh", "usr_2", base)))
	n, err := b.s.SessionPurge(b.ctx, base, base.Add(-12*time.Hour))
	require.NoError(t, err)
	require.Equal(t, 2, n)
	_, err = b.s.SessionGetByHash(b.ctx, []byte("fresh"))
	require.NoError(t, err)

	// Deleting a user ends their sessions.
	require.NoError(t, b.s.UserDelete(b.ctx, b.ws.ID, "usr_2"))
	_, err = b.s.SessionGetByHash(b.ctx, []byte("fresh"))
	require.ErrorIs(t, err, store.ErrNotFound)
}
