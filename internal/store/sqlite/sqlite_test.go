package sqlite

import (
	"context"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/herold-dev/herold/internal/store"
	"github.com/herold-dev/herold/internal/store/storetest"
)

func newTestStore(t *testing.T) store.Store { return openTestStore(t) }

// openTestStore opens a migrated database in a temporary directory.
func openTestStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(filepath.Join(t.TempDir(), "herold.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := s.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Exercise(t, newTestStore)
}

func TestMigrateTwice(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "sub", "dir", "herold.db")
	for i := 0; i < 2; i++ {
		s, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Migrate(context.Background()); err != nil {
			t.Fatalf("migrate run %d: %v", i+1, err)
		}
		_ = s.Close()
	}
}

// A transaction that runs a statement for the first time must not wait for
// a second connection: with every other connection waiting for its write
// lock (River's, under load), that wait lasted until the busy timeout.
func TestFirstStatementInTransactionNeedsNoSecondConnection(t *testing.T) {
	t.Parallel()
	s, err := Open(filepath.Join(t.TempDir(), "herold.db"), Options{MaxOpenConns: 2, BusyTimeoutMillis: 5000})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	ctx := context.Background()
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var elapsed time.Duration
	waiter := make(chan error, 1)
	err = s.WithTx(ctx, func(tx store.Tx) error {
		// The pool's other connection queues for the write lock this
		// transaction holds.
		go func() {
			other, err := s.db.BeginTx(ctx, nil)
			if err == nil {
				err = other.Rollback()
			}
			waiter <- err
		}()
		for s.db.Stats().InUse < 2 {
			runtime.Gosched()
		}
		start := time.Now()
		_, err := tx.ContactGetMany(ctx, 1, []string{"anna"})
		elapsed = time.Since(start)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := <-waiter; err != nil {
		t.Fatalf("the waiting transaction: %v", err)
	}
	if elapsed > time.Second {
		t.Fatalf("the first statement in the transaction took %v: it waited for a second connection", elapsed)
	}
}
