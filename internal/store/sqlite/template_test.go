package sqlite

import (
	"context"
	"errors"
	"io/fs"
	"testing"

	"github.com/herold-dev/herold/internal/filetemplate"
)

// migrated is a migrated, empty database made once per test process;
// openTestStore copies it instead of migrating each test's file, which
// costs about a second of CPU under the race detector (SQLite parses
// every CREATE statement in instrumented Go) and dominated this
// package's time. Migrating empty files stays tested: by this template,
// TestMigrateTwice and the upgrade tests.
var migrated = &filetemplate.Template{Make: func(path string) error {
	s, err := Open(path, Options{})
	if err != nil {
		return err
	}
	return errors.Join(s.Migrate(context.Background()), s.Close())
}}

// TestOpenTestStoreIsMigratedAndOwn: a test's store comes with every
// migration applied (as many versions as migration files) and is its
// own copy of the template.
func TestOpenTestStoreIsMigratedAndOwn(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	files, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	a, b := openTestStore(t), openTestStore(t)
	for _, s := range []*Store{a, b} {
		var n int
		if err := s.rdb.QueryRowContext(ctx, `SELECT count(*) FROM herold_schema_version WHERE version_id > 0 AND is_applied`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != len(files) {
			t.Fatalf("%d migrations applied, want %d", n, len(files))
		}
	}
	if _, err := a.wdb.ExecContext(ctx, `CREATE TABLE only_in_a (x INTEGER)`); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := b.rdb.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE name = 'only_in_a'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatal("a write to one test's store is seen in another's")
	}
}
