package sqlite

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
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

// TestOpenRefusesWhatIsNoDatabaseFile checks that MustExist refuses a
// path without a database (with or without the sqlite:// prefix) and
// creates nothing, that without it the file and its directory are
// created, and that a directory is refused either way, naming the file
// it should have been.
func TestOpenRefusesWhatIsNoDatabaseFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "herold.db")
	for _, p := range []string{path, "sqlite://" + path} {
		if _, err := Open(p, Options{MustExist: true}); !errors.Is(err, ErrNoDatabase) || !strings.Contains(err.Error(), "no database at "+path) {
			t.Errorf("Open(%q, MustExist) = %v, want ErrNoDatabase naming %s", p, err, path)
		}
	}
	if _, err := os.Stat(filepath.Dir(path)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("MustExist created %s (%v)", filepath.Dir(path), err)
	}
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Close()
	s, err = Open("sqlite://"+path, Options{MustExist: true})
	if err != nil {
		t.Fatalf("the database now exists: %v", err)
	}
	_ = s.Close()
	for _, opts := range []Options{{}, {MustExist: true}} {
		_, err := Open(dir, opts)
		if err == nil || !strings.Contains(err.Error(), "a directory, not a database file (for example "+filepath.Join(dir, "herold.db")+")") {
			t.Errorf("Open(directory, %+v) = %v", opts, err)
		}
	}
}
