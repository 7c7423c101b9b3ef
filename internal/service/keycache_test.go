package service

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/clock"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// keyCountingStore counts key lookups on a real store.
type keyCountingStore struct {
	store.Store
	lookups atomic.Int64
}

func (c *keyCountingStore) APIKeyGetByHash(ctx context.Context, hash []byte) (*model.APIKey, error) {
	c.lookups.Add(1)
	return c.Store.APIKeyGetByHash(ctx, hash)
}

// keyService is a service on a real SQLite file with a fake clock and a
// workspace whose first key is returned.
func keyService(t *testing.T) (*Service, *keyCountingStore, *clock.Fake, *WorkspaceCreated) {
	t.Helper()
	st := &keyCountingStore{Store: openSQLite(t)}
	clk := clock.NewFake(time.Date(2028, 2, 29, 12, 0, 0, 0, time.UTC))
	s, err := New(Config{Store: st, Clock: clk})
	require.NoError(t, err)
	created, err := s.WorkspaceCreate(context.Background(), WorkspaceCreateParams{Key: "acme", AllowedSenders: []string{model.AnySender}})
	require.NoError(t, err)
	return s, st, clk, created
}

// TestAuthenticateKeepsVerifiedKey: a key verified less than keyCacheTTL
// ago is not looked up again; at exactly the TTL it is.
func TestAuthenticateKeepsVerifiedKey(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, st, clk, created := keyService(t)
	for range 3 {
		p, err := s.Authenticate(ctx, created.Secret)
		require.NoError(t, err)
		require.Equal(t, created.Key.ID, p.Key.ID)
		require.Equal(t, created.Workspace.ID, p.Workspace.ID)
	}
	require.EqualValues(t, 1, st.lookups.Load(), "one lookup for three requests")

	clk.Advance(keyCacheTTL - time.Nanosecond)
	_, err := s.Authenticate(ctx, created.Secret)
	require.NoError(t, err)
	require.EqualValues(t, 1, st.lookups.Load(), "a nanosecond before the TTL the key is still kept")

	clk.Advance(time.Nanosecond)
	_, err = s.Authenticate(ctx, created.Secret)
	require.NoError(t, err)
	require.EqualValues(t, 2, st.lookups.Load(), "at the TTL the key is read again")
}

// TestAuthenticateRevokedAtOnce: a key revoked through this process is
// refused on the very next request, though it was just verified.
func TestAuthenticateRevokedAtOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _, _, created := keyService(t)
	other, otherSecret, err := s.KeyCreate(ctx, s.Store(), created.Workspace, KeyCreateParams{Name: "other", Scopes: []model.Scope{model.ScopeIngest}})
	require.NoError(t, err)
	_, err = s.Authenticate(ctx, created.Secret)
	require.NoError(t, err)
	_, err = s.Authenticate(ctx, otherSecret)
	require.NoError(t, err)

	require.NoError(t, s.KeyRevoke(ctx, created.Workspace, created.Key.ID))
	_, err = s.Authenticate(ctx, created.Secret)
	require.ErrorIs(t, err, ErrUnauthenticated)
	p, err := s.Authenticate(ctx, otherSecret)
	require.NoError(t, err, "the other key still works")
	require.Equal(t, other.ID, p.Key.ID)
	require.Equal(t, []model.Scope{model.ScopeIngest}, p.Key.Scopes)
}

// TestAuthenticateOtherReplica: a revocation by another replica on the same
// database (a second Service) takes effect here within keyCacheTTL, on both
// databases.
func TestAuthenticateOtherReplica(t *testing.T) {
	t.Parallel()
	for name, open := range map[string]func(testing.TB) store.Store{"sqlite": openSQLite, "postgres": openPostgres} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st := open(t)
			clk := clock.NewFake(time.Date(2028, 2, 29, 12, 0, 0, 0, time.UTC))
			here, err := New(Config{Store: st, Clock: clk})
			require.NoError(t, err)
			there, err := New(Config{Store: st, Clock: clk})
			require.NoError(t, err)
			created, err := here.WorkspaceCreate(ctx, WorkspaceCreateParams{Key: "acme", AllowedSenders: []string{model.AnySender}})
			require.NoError(t, err)

			_, err = here.Authenticate(ctx, created.Secret)
			require.NoError(t, err)
			require.NoError(t, there.KeyRevoke(ctx, created.Workspace, created.Key.ID))
			_, err = there.Authenticate(ctx, created.Secret)
			require.ErrorIs(t, err, ErrUnauthenticated, "the revoking replica refuses at once")

			clk.Advance(keyCacheTTL - time.Millisecond)
			_, err = here.Authenticate(ctx, created.Secret)
			require.NoError(t, err, "within the documented bound the other replica may still accept")
			clk.Advance(time.Millisecond)
			_, err = here.Authenticate(ctx, created.Secret)
			require.ErrorIs(t, err, ErrUnauthenticated, "after the bound it refuses")
		})
	}
}

// TestAuthenticateReadsWorkspace: workspace settings changed just now apply
// to the next request, though its key is kept.
func TestAuthenticateReadsWorkspace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, st, _, created := keyService(t)
	_, err := s.Authenticate(ctx, created.Secret)
	require.NoError(t, err)
	name := "Acme Renamed"
	_, err = s.WorkspaceUpdate(ctx, created.Workspace, WorkspacePatch{Name: &name})
	require.NoError(t, err)
	p, err := s.Authenticate(ctx, created.Secret)
	require.NoError(t, err)
	require.Equal(t, name, p.Workspace.Name)
	require.EqualValues(t, 1, st.lookups.Load(), "the key came from memory")
}

// TestAuthenticateKeyIsACopy: a caller changing its principal's key does not
// change what the next request sees.
func TestAuthenticateKeyIsACopy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _, _, created := keyService(t)
	p, err := s.Authenticate(ctx, created.Secret)
	require.NoError(t, err)
	p.Key.Scopes[0] = "nothing"
	p.Key.ID = "changed"
	p, err = s.Authenticate(ctx, created.Secret)
	require.NoError(t, err)
	require.Equal(t, created.Key.ID, p.Key.ID)
	require.Equal(t, created.Key.Scopes, p.Key.Scopes)
}

// TestAuthenticateUnknownKeysNotKept: random keys do not enter the cache and
// are looked up every time.
func TestAuthenticateUnknownKeysNotKept(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, st, _, _ := keyService(t)
	for i := range 50 {
		_, err := s.Authenticate(ctx, fmt.Sprintf("hk_random%040d", i))
		require.ErrorIs(t, err, ErrUnauthenticated)
	}
	_, err := s.Authenticate(ctx, "hk_random0000")
	require.ErrorIs(t, err, ErrUnauthenticated)
	_, err = s.Authenticate(ctx, "hk_random0000")
	require.ErrorIs(t, err, ErrUnauthenticated)
	require.Equal(t, 0, s.keys.len())
	require.EqualValues(t, 52, st.lookups.Load())
}

// TestKeyCacheBounded: the cache never holds more than keyCacheSize keys,
// expired ones go first, and a lookup that raced a purge is not kept.
func TestKeyCacheBounded(t *testing.T) {
	t.Parallel()
	now := time.Date(2028, 2, 29, 12, 0, 0, 0, time.UTC)
	var c keyCache
	k := &model.APIKey{ID: "key_x"}
	hash := func(i int) [32]byte { return sha256.Sum256(fmt.Appendf(nil, "%d", i)) }
	for i := range keyCacheSize + 100 {
		_, gen := c.get(hash(i), now)
		c.put(hash(i), k, gen, now)
		require.LessOrEqual(t, c.len(), keyCacheSize)
	}
	require.Equal(t, keyCacheSize, c.len())

	later := now.Add(keyCacheTTL)
	_, gen := c.get(hash(-1), later)
	c.put(hash(-1), k, gen, later)
	require.Equal(t, 1, c.len(), "a full cache drops its expired keys first")
	got, _ := c.get(hash(-1), later)
	require.Same(t, k, got)

	_, gen = c.get(hash(-2), later)
	c.purge()
	c.put(hash(-2), k, gen, later)
	got, _ = c.get(hash(-2), later)
	require.Nil(t, got, "a lookup that began before a purge is not kept")
	require.Equal(t, 0, c.len())
}

// TestAuthenticateConcurrentRevoke: many requests at once while the key is
// revoked; every request that starts after KeyRevoke returned is refused.
func TestAuthenticateConcurrentRevoke(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, _, _, created := keyService(t)
	var revoked atomic.Bool
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				after := revoked.Load()
				_, err := s.Authenticate(ctx, created.Secret)
				if after && err == nil {
					errs <- fmt.Errorf("a request after the revocation was accepted")
					return
				}
				if err != nil && err != ErrUnauthenticated {
					errs <- err
					return
				}
			}
		}()
	}
	_, err := s.Authenticate(ctx, created.Secret)
	require.NoError(t, err)
	require.NoError(t, s.KeyRevoke(ctx, created.Workspace, created.Key.ID))
	revoked.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	_, err = s.Authenticate(ctx, created.Secret)
	require.ErrorIs(t, err, ErrUnauthenticated)
}

// BenchmarkAuthenticate measures a request's key check with a key just
// verified, and the two store reads it may need.
func BenchmarkAuthenticate(b *testing.B) {
	ctx := context.Background()
	st := openSQLite(b)
	s, err := New(Config{Store: st})
	require.NoError(b, err)
	created, err := s.WorkspaceCreate(ctx, WorkspaceCreateParams{Key: "acme", AllowedSenders: []string{model.AnySender}})
	require.NoError(b, err)
	b.Run("authenticate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.Authenticate(ctx, created.Secret); err != nil {
				b.Fatal(err)
			}
		}
	})
	h := hashKey(created.Secret)
	b.Run("store-key", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := st.APIKeyGetByHash(ctx, h); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("store-workspace", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := st.WorkspaceGetByID(ctx, created.Workspace.ID); err != nil {
				b.Fatal(err)
			}
		}
	})
}
