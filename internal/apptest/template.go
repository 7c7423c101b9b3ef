package apptest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/herold-dev/herold/internal/app"
)

// migrated is a migrated, empty SQLite database (Herold's tables and
// River's), made once per test process and copied into each test's
// directory by NewDatabase. Migrating a fresh file costs about a second
// of CPU under the race detector (modernc's SQLite parses each of the
// many CREATE statements in instrumented Go), and the end-to-end, API
// and cockpit tests start hundreds of servers; a copy costs a
// millisecond. The server still runs its migrations on the copy at
// start, finding nothing to do; the migrations themselves are tested on
// empty files by the store's tests and by this template.
var migrated struct {
	once  sync.Once
	bytes []byte
	err   error
}

// migratedSQLite returns the template's bytes, making it on first use.
func migratedSQLite() ([]byte, error) {
	migrated.once.Do(func() {
		migrated.bytes, migrated.err = migrateSQLiteFile()
	})
	return migrated.bytes, migrated.err
}

// migrateSQLiteFile migrates a new database in a temporary directory and
// returns its file, whole: closing the store checkpoints the write-ahead
// log into it (checked: no log is left behind).
func migrateSQLiteFile() ([]byte, error) {
	dir, err := os.MkdirTemp("", "herold-apptest-template-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "herold.db")
	ctx := context.Background()
	st, err := app.OpenStore(ctx, path)
	if err != nil {
		return nil, err
	}
	if err := app.MigrateAll(ctx, st); err != nil {
		_ = st.Close()
		return nil, fmt.Errorf("migrate the template database: %w", err)
	}
	if err := st.Close(); err != nil {
		return nil, err
	}
	if fi, err := os.Stat(path + "-wal"); err == nil && fi.Size() > 0 {
		return nil, errors.New("the template database kept a write-ahead log after closing")
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	return os.ReadFile(path)
}

// newSQLiteDatabase writes a copy of the migrated template into the
// test's temporary directory and returns its path.
func newSQLiteDatabase(t testing.TB) string {
	t.Helper()
	b, err := migratedSQLite()
	if err != nil {
		t.Fatalf("template database: %v", err)
	}
	path := filepath.Join(t.TempDir(), "herold.db")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatalf("copy the template database: %v", err)
	}
	return path
}
