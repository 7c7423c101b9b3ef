package sqlite

import (
	"context"
	"io/fs"
	"path/filepath"
	"testing"

	"github.com/pressly/goose/v3"
	"github.com/stretchr/testify/require"
)

// The upgrade to allowed senders keeps the bootstrap workspace sending as
// anyone and leaves every other existing workspace waiting for its
// operator.
func TestMigrationAllowedSendersUpgrade(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "herold.db")
	s, err := Open(path, Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })

	sub, err := fs.Sub(migrationFS, "migrations")
	require.NoError(t, err)
	db, err := openConn(path, Options{}, connMigrate, 2)
	require.NoError(t, err)
	p, err := goose.NewProvider(goose.DialectSQLite3, db, sub, goose.WithTableName("herold_schema_version"))
	require.NoError(t, err)
	_, err = p.UpTo(ctx, 12) // the schema before allowed senders
	require.NoError(t, err)
	for _, key := range []string{"default", "agentur-sued"} {
		_, err = db.ExecContext(ctx, `INSERT INTO workspaces (key, name, default_locale, timezone, retention_days,
			confirmation_expiry_hours, created_at, updated_at) VALUES (?, ?, 'de', 'Europe/Berlin', 30, 168, 0, 0)`, key, key)
		require.NoError(t, err)
	}
	require.NoError(t, db.Close())

	require.NoError(t, s.Migrate(ctx))
	ws, err := s.WorkspaceGetByKey(ctx, "default")
	require.NoError(t, err)
	require.Equal(t, []string{"*"}, ws.AllowedSenders)
	ws, err = s.WorkspaceGetByKey(ctx, "agentur-sued")
	require.NoError(t, err)
	require.Empty(t, ws.AllowedSenders)
}
