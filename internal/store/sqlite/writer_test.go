package sqlite

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// writerFixture opens a store with a workspace to write into.
func writerFixture(t *testing.T) (*Store, int64) {
	t.Helper()
	s := openTestStore(t)
	ws := &model.Workspace{Key: "w", Name: "W", DefaultLocale: "de", Timezone: "Europe/Berlin", RetentionDays: 30,
		ConfirmationExpiryHours: 168}
	require.NoError(t, s.WorkspaceInsert(context.Background(), ws))
	return s, ws.ID
}

func contact(id string) *model.Contact {
	return &model.Contact{ID: id, Email: id + "@example.org", Attributes: map[string]any{}, Consents: []string{}}
}

// Many callers write at once, half of them failing on purpose: every
// successful transaction is saved and no failed one leaves anything,
// however the writer grouped them.
func TestWriterGroupsKeepEachTransactionApart(t *testing.T) {
	t.Parallel()
	s, ws := writerFixture(t)
	ctx := context.Background()
	const writers, each = 48, 20
	errFail := errors.New("fails on purpose")
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for g := range writers {
		wg.Go(func() {
			for i := range each {
				id := fmt.Sprintf("c-%d-%d", g, i)
				err := s.WithTx(ctx, func(tx store.Tx) error {
					if _, err := tx.ContactUpsert(ctx, ws, contact(id)); err != nil {
						return err
					}
					if (g+i)%2 == 1 {
						return errFail
					}
					return nil
				})
				if (g+i)%2 == 1 {
					if !errors.Is(err, errFail) {
						errs <- fmt.Errorf("%s: got %v, want the function's error", id, err)
					}
				} else if err != nil {
					errs <- fmt.Errorf("%s: %w", id, err)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for g := range writers {
		for i := range each {
			id := fmt.Sprintf("c-%d-%d", g, i)
			_, err := s.ContactGet(ctx, ws, id)
			if (g+i)%2 == 1 {
				require.ErrorIs(t, err, store.ErrNotFound, "%s failed and must not be saved", id)
			} else {
				require.NoError(t, err, "%s committed and must be saved", id)
			}
		}
	}
}

// A function that panics loses its writes, and the writer goes on serving
// everyone else.
func TestWriterSurvivesAPanic(t *testing.T) {
	t.Parallel()
	s, ws := writerFixture(t)
	ctx := context.Background()
	func() {
		defer func() { require.NotNil(t, recover(), "the panic reaches its caller") }()
		_ = s.WithTx(ctx, func(tx store.Tx) error {
			if _, err := tx.ContactUpsert(ctx, ws, contact("panics")); err != nil {
				return err
			}
			panic("boom")
		})
	}()
	_, err := s.ContactUpsert(ctx, ws, contact("after"))
	require.NoError(t, err)
	_, err = s.ContactGet(ctx, ws, "panics")
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = s.ContactGet(ctx, ws, "after")
	require.NoError(t, err)
}

// A caller that gives up while it waits for its turn is skipped; the
// writer serves the next one.
func TestWriterSkipsCallersThatGaveUp(t *testing.T) {
	t.Parallel()
	s, ws := writerFixture(t)
	ctx := context.Background()
	holding, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.WithTx(ctx, func(tx store.Tx) error {
			close(holding)
			<-release
			_, err := tx.ContactUpsert(ctx, ws, contact("first"))
			return err
		})
	}()
	<-holding // the writer is busy with the first transaction
	gone, cancel := context.WithCancel(ctx)
	cancel()
	err := s.WithTx(gone, func(tx store.Tx) error {
		_, err := tx.ContactUpsert(gone, ws, contact("gone"))
		return err
	})
	require.ErrorIs(t, err, context.Canceled)
	close(release)
	require.NoError(t, <-done)
	_, err = s.ContactUpsert(ctx, ws, contact("next"))
	require.NoError(t, err)
	_, err = s.ContactGet(ctx, ws, "gone")
	require.ErrorIs(t, err, store.ErrNotFound)
}

// A caller that gives up while its function runs is not answered before
// the function returned: the function's writes are undone and the caller
// is told so, and nothing the function still did races with the caller.
func TestWriterWaitsForAFunctionItsCallerGaveUpOn(t *testing.T) {
	t.Parallel()
	s, ws := writerFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	running := make(chan struct{})
	finished := false
	go func() {
		<-running
		cancel()
	}()
	err := s.WithTx(ctx, func(tx store.Tx) error {
		if _, err := tx.ContactUpsert(context.WithoutCancel(ctx), ws, contact("half")); err != nil {
			return err
		}
		close(running)
		<-ctx.Done()
		finished = true // read below without a lock: the race detector checks the order
		return nil
	})
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorContains(t, err, "commit")
	require.True(t, finished, "WithTx returned before the function did")
	_, err = s.ContactGet(context.Background(), ws, "half")
	require.ErrorIs(t, err, store.ErrNotFound)
}

// The read pool cannot write: a write that bypassed the writer would fail
// here instead of competing for SQLite's lock.
func TestReadPoolCannotWrite(t *testing.T) {
	t.Parallel()
	s, ws := writerFixture(t)
	_, err := s.rdb.Exec(`DELETE FROM contacts WHERE workspace_id = ?`, ws)
	require.ErrorContains(t, err, "readonly")
}

// After Close, WithTx refuses at once instead of waiting forever.
func TestWriterClosed(t *testing.T) {
	t.Parallel()
	s, ws := writerFixture(t)
	require.NoError(t, s.Close())
	err := s.WithTx(context.Background(), func(tx store.Tx) error {
		_, err := tx.ContactUpsert(context.Background(), ws, contact("late"))
		return err
	})
	require.ErrorIs(t, err, errClosed)
}

// A write marked store.WriteFirst takes the writer's next turn before the
// writes already waiting for theirs, and ends its group: its caller does
// not wait for the others' functions to commit.
func TestWriterServesWriteFirstBeforeTheQueue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var groups []int // sizes of the group commits, told after each commit
		observed := func() []int {
			synctest.Wait() // the writer has told of its last group
			mu.Lock()
			defer mu.Unlock()
			return slices.Clone(groups)
		}
		path := filepath.Join(t.TempDir(), "herold.db")
		require.NoError(t, migrated.CopyTo(path))
		s, err := Open(path, Options{ObserveGroup: func(n int, _ time.Duration) {
			mu.Lock()
			groups = append(groups, n)
			mu.Unlock()
		}})
		require.NoError(t, err)
		defer func() { require.NoError(t, s.Close()) }()
		ctx := context.Background()
		ws := &model.Workspace{Key: "w", Name: "W", DefaultLocale: "de", Timezone: "Europe/Berlin", RetentionDays: 30,
			ConfirmationExpiryHours: 168}
		require.NoError(t, s.WorkspaceInsert(ctx, ws))
		before := len(observed())

		var order []string // appended to by the writer's turns, one at a time
		write := func(ctx context.Context, name string) error {
			return s.WithTx(ctx, func(tx store.Tx) error {
				order = append(order, name)
				_, err := tx.ContactUpsert(ctx, ws.ID, contact(name))
				return err
			})
		}
		holding, release := make(chan struct{}), make(chan struct{})
		errs := make(chan error, 5)
		go func() {
			errs <- s.WithTx(ctx, func(store.Tx) error {
				close(holding)
				<-release
				return nil
			})
		}()
		<-holding
		for i := range 3 {
			go func() { errs <- write(ctx, fmt.Sprintf("queued-%d", i)) }()
		}
		synctest.Wait() // the three wait for their turns
		go func() { errs <- write(store.WriteFirst(ctx), "first") }()
		synctest.Wait()
		close(release)
		for range 5 {
			require.NoError(t, <-errs)
		}
		require.Equal(t, "first", order[0], "turns in order %q", order)
		require.Len(t, order, 4)
		require.Equal(t, []int{2, 3}, observed()[before:], "the held group ends with the first write; the others commit after it")
	})
}
