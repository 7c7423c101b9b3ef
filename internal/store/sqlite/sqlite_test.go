package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/herold-dev/herold/internal/store"
	"github.com/herold-dev/herold/internal/store/storetest"
)

func newTestStore(t *testing.T) store.Store { return openTestStore(t) }

// openTestStore opens a migrated database in a temporary directory: a
// copy of the template (see migrated), on which Migrate finds nothing to
// do and prepares the writer's statements.
func openTestStore(t *testing.T) *Store {
	t.Helper()
	path := filepath.Join(t.TempDir(), "herold.db")
	if err := migrated.CopyTo(path); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path, Options{})
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
