package apptest_test

import (
	"database/sql"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"

	"github.com/herold-dev/herold/internal/apptest"
)

// TestNewDatabaseIsMigrated: a test server's SQLite file comes fully
// migrated (every migration of the store and River's), and each test's
// copy is its own: a write to one is not seen in another.
func TestNewDatabaseIsMigrated(t *testing.T) {
	t.Setenv(apptest.EnvDatabase, "sqlite")
	entries, err := os.ReadDir("../store/sqlite/migrations")
	require.NoError(t, err)
	var want int
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sql") {
			want++
		}
	}
	open := func(path string) *sql.DB {
		db, err := sql.Open("sqlite", "file:"+path)
		require.NoError(t, err)
		t.Cleanup(func() { _ = db.Close() })
		return db
	}
	a, b := open(apptest.NewDatabase(t)), open(apptest.NewDatabase(t))
	for _, db := range []*sql.DB{a, b} {
		var n int
		require.NoError(t, db.QueryRow(`SELECT count(*) FROM herold_schema_version WHERE version_id > 0 AND is_applied`).Scan(&n))
		require.Equal(t, want, n, "every migration applied")
		require.NoError(t, db.QueryRow(`SELECT count(*) FROM river_migration`).Scan(&n))
		require.Positive(t, n, "River's migrations applied")
	}
	_, err = a.Exec(`CREATE TABLE only_in_a (x INTEGER)`)
	require.NoError(t, err)
	var n int
	require.NoError(t, b.QueryRow(`SELECT count(*) FROM sqlite_master WHERE name = 'only_in_a'`).Scan(&n))
	require.Zero(t, n, "each test has its own copy")
}
