package sqlite

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// fakeCacheClock makes the workspace cache's TTL the test's to move.
func fakeCacheClock(s *Store) func(time.Duration) {
	var mu sync.Mutex
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	s.workspaces.mu.Lock()
	s.workspaces.now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s.workspaces.mu.Unlock()
	return func(d time.Duration) { mu.Lock(); defer mu.Unlock(); now = now.Add(d) }
}

// A workspace read on the pool is read again from the cache, as a copy of
// its own for each caller, until workspaceCacheTTL has passed: a change
// another process makes (an admin's command on the same file) shows
// within that time, not later.
func TestWorkspaceCacheServesCopiesForItsTTL(t *testing.T) {
	t.Parallel()
	s, id := writerFixture(t)
	ctx := context.Background()
	advance := fakeCacheClock(s)
	first, err := s.WorkspaceGetByID(ctx, id)
	require.NoError(t, err)
	first.Name = "changed by a caller"
	first.AllowedSenders = append(first.AllowedSenders, "caller.example")
	first.Vocabulary.EventTypes = map[string]model.Label{"x": {}}

	second, err := s.WorkspaceGetByID(ctx, id)
	require.NoError(t, err)
	require.Equal(t, "W", second.Name)
	require.Empty(t, second.AllowedSenders)
	require.Empty(t, second.Vocabulary.EventTypes)

	other, err := Open(s.path, Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = other.Close() })
	w, err := other.WorkspaceGetByID(ctx, id)
	require.NoError(t, err)
	w.Name = "renamed elsewhere"
	require.NoError(t, other.WorkspaceUpdate(ctx, w))

	advance(workspaceCacheTTL - time.Millisecond)
	cached, err := s.WorkspaceGetByID(ctx, id)
	require.NoError(t, err)
	require.Equal(t, "W", cached.Name, "read from the cache within its time")
	advance(time.Millisecond)
	fresh, err := s.WorkspaceGetByID(ctx, id)
	require.NoError(t, err)
	require.Equal(t, "renamed elsewhere", fresh.Name)
}

// A change through this process is read back at once, whichever way it was
// written; a transaction that wrote and then failed changes nothing.
func TestWorkspaceCacheForgetsWhatThisProcessChanges(t *testing.T) {
	t.Parallel()
	s, id := writerFixture(t)
	ctx := context.Background()
	fakeCacheClock(s) // the TTL never passes
	w, err := s.WorkspaceGetByID(ctx, id)
	require.NoError(t, err)

	w.Name = "Agentur Nord"
	require.NoError(t, s.WorkspaceUpdate(ctx, w))
	got, err := s.WorkspaceGetByID(ctx, id)
	require.NoError(t, err)
	require.Equal(t, "Agentur Nord", got.Name)

	require.NoError(t, s.WithTx(ctx, func(tx store.Tx) error {
		return tx.WorkspaceSendersSet(ctx, &store.WorkspaceSendersSetParams{WorkspaceID: id,
			AllowedSenders: []string{"agentur-nord.de"}, At: time.Now()})
	}))
	got, err = s.WorkspaceGetByID(ctx, id)
	require.NoError(t, err)
	require.Equal(t, []string{"agentur-nord.de"}, got.AllowedSenders)

	failed := errors.New("later step failed")
	require.ErrorIs(t, s.WithTx(ctx, func(tx store.Tx) error {
		got.Name = "never saved"
		if err := tx.WorkspaceUpdate(ctx, got); err != nil {
			return err
		}
		return failed
	}), failed)
	got, err = s.WorkspaceGetByID(ctx, id)
	require.NoError(t, err)
	require.Equal(t, "Agentur Nord", got.Name)

	ws2 := &model.Workspace{Key: "second", Name: "Second", DefaultLocale: "de", Timezone: "Europe/Berlin",
		RetentionDays: 30, ConfirmationExpiryHours: 168}
	require.NoError(t, s.WorkspaceInsert(ctx, ws2))
	got, err = s.WorkspaceGetByID(ctx, ws2.ID)
	require.NoError(t, err)
	require.Equal(t, "second", got.Key)
}

// A read that began before a purge does not keep what it read: it may
// predate the change the purge was for.
func TestWorkspaceCacheKeepsNoReadFromBeforeAPurge(t *testing.T) {
	t.Parallel()
	c := newWorkspaceCache()
	_, gen := c.get(1)
	c.purge()
	c.put(1, []any{int64(1)}, gen)
	vals, _ := c.get(1)
	require.Nil(t, vals)
	_, gen = c.get(1)
	c.put(1, []any{int64(1)}, gen)
	vals, _ = c.get(1)
	require.Equal(t, []any{int64(1)}, vals)
}

// Many readers while the workspace is renamed again and again: each rename
// is read back by its writer as soon as it returns, and every reader sees
// names in the order they were saved.
func TestWorkspaceCacheUnderConcurrentRenames(t *testing.T) {
	t.Parallel()
	s, id := writerFixture(t)
	ctx := context.Background()
	fakeCacheClock(s)
	w, err := s.WorkspaceGetByID(ctx, id)
	require.NoError(t, err)
	const renames = 200
	done := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			last := -1
			for {
				select {
				case <-done:
					return
				default:
				}
				got, err := s.WorkspaceGetByID(ctx, id)
				if err != nil {
					t.Error(err)
					return
				}
				n := -1
				if got.Name != "W" {
					_, _ = fmt.Sscanf(got.Name, "name %d", &n)
				}
				if n < last {
					t.Errorf("read %q after name %d", got.Name, last)
					return
				}
				last = n
			}
		})
	}
	for i := range renames {
		w.Name = fmt.Sprintf("name %d", i)
		require.NoError(t, s.WorkspaceUpdate(ctx, w))
		got, err := s.WorkspaceGetByID(ctx, id)
		require.NoError(t, err)
		require.Equal(t, w.Name, got.Name)
	}
	close(done)
	wg.Wait()
}
