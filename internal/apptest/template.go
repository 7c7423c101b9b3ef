package apptest

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/herold-dev/herold/internal/app"
	"github.com/herold-dev/herold/internal/filetemplate"
)

// migrated is a migrated, empty SQLite database (Herold's tables and
// River's), made once per test process and copied into each test's
// directory by NewDatabase. Migrating a fresh file costs about a second
// of CPU under the race detector (modernc's SQLite parses each of the
// many CREATE statements in instrumented Go), and the end-to-end, API
// and cockpit tests start hundreds of servers. The server still runs its
// migrations on the copy at start, finding nothing to do; the migrations
// themselves are tested on empty files by the store's tests and by
// making this template.
var migrated = &filetemplate.Template{Make: func(path string) error {
	ctx := context.Background()
	st, err := app.OpenStore(ctx, path)
	if err != nil {
		return err
	}
	if err := app.MigrateAll(ctx, st); err != nil {
		return errors.Join(fmt.Errorf("migrate the template database: %w", err), st.Close())
	}
	return st.Close()
}}

// newSQLiteDatabase writes a copy of the migrated template into the
// test's temporary directory and returns its path.
func newSQLiteDatabase(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "herold.db")
	if err := migrated.CopyTo(path); err != nil {
		t.Fatalf("test database: %v", err)
	}
	return path
}
