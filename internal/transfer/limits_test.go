package transfer_test

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
	"github.com/herold-dev/herold/internal/store/sqlite"
	"github.com/herold-dev/herold/internal/transfer"
)

var at = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// openStore returns a freshly migrated SQLite store.
func openStore(t *testing.T) store.Store {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "herold.db"), sqlite.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	require.NoError(t, st.Migrate(context.Background()))
	return st
}

// sourceStore returns a store with the workspace "acme", to export from.
func sourceStore(t *testing.T) (store.Store, *model.Workspace) {
	t.Helper()
	st := openStore(t)
	ws := &model.Workspace{Key: "acme", Name: "Acme", DefaultLocale: "de", Timezone: "Europe/Berlin",
		RetentionDays: 30, ConfirmationExpiryHours: 168, CreatedAt: at, UpdatedAt: at}
	require.NoError(t, st.WorkspaceInsert(context.Background(), ws))
	return st, ws
}

func export(t *testing.T, st store.Store) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	_, err := transfer.Export(context.Background(), st, &buf)
	require.NoError(t, err)
	return &buf
}

// TestImportKeepsNumbersExact: numbers in attributes arrive in the new
// database with every digit they had.
func TestImportKeepsNumbersExact(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src, ws := sourceStore(t)
	attrs := map[string]any{"price": json.Number("0.1000000000000000000000001"), "id": json.Number("9007199254740991")}
	require.NoError(t, src.ContactUpsertMany(ctx, ws.ID, []*model.Contact{{ID: "c-1", Attributes: attrs, CreatedAt: at, UpdatedAt: at}}))

	dst := openStore(t)
	_, err := transfer.Import(ctx, dst, export(t, src))
	require.NoError(t, err)
	moved, err := dst.WorkspaceGetByKey(ctx, "acme")
	require.NoError(t, err)
	c, err := dst.ContactGet(ctx, moved.ID, "c-1")
	require.NoError(t, err)
	require.Equal(t, attrs, c.Attributes)
}

// TestImportRefusesDataBeyondLimits: data and attributes stored before the
// limits existed are not planted in the new database; the error names the
// line of the export, the record and the path.
func TestImportRefusesDataBeyondLimits(t *testing.T) {
	t.Parallel()
	nested := func(levels int) map[string]any {
		m := map[string]any{"a": "leaf"}
		for range levels - 1 {
			m = map[string]any{"a": m}
		}
		return m
	}
	path := "." + strings.TrimSuffix(strings.Repeat("a.", model.MaxDataDepth), ".")
	tests := []struct {
		name  string
		plant func(ctx context.Context, st store.Store, ws *model.Workspace) error
		want  []string
	}{
		{"contact", func(ctx context.Context, st store.Store, ws *model.Workspace) error {
			return st.ContactUpsertMany(ctx, ws.ID, []*model.Contact{{ID: "c-deep", Attributes: nested(9_990), CreatedAt: at, UpdatedAt: at}})
		}, []string{`contact "c-deep"`, "attributes" + path + ":", "nest at most 32"}},
		{"object", func(ctx context.Context, st store.Store, ws *model.Workspace) error {
			_, err := st.ObjectUpsert(ctx, ws.ID, &model.Object{Collection: "tasks", ID: "t-1",
				Attributes: map[string]any{"n": json.Number("1e999999")}, CreatedAt: at, UpdatedAt: at})
			return err
		}, []string{`object "t-1" in "tasks"`, "attributes.n:", "as a string"}},
		{"project", func(ctx context.Context, st store.Store, ws *model.Workspace) error {
			_, err := st.ProjectUpsert(ctx, ws.ID, &model.Project{Key: "p", Name: "P",
				Attributes: nested(model.MaxDataDepth + 1), CreatedAt: at, UpdatedAt: at})
			return err
		}, []string{`project "p"`, "attributes" + path + ":"}},
		{"event", func(ctx context.Context, st store.Store, ws *model.Workspace) error {
			list := make([]any, model.MaxDataValues+1)
			for i := range list {
				list[i] = json.Number("1")
			}
			return st.EventInsert(ctx, ws.ID, &model.Event{ID: "e-1", Type: "x", Project: "p", Actors: map[string][]string{},
				Data: map[string]any{"list": list}, OccurredAt: at, ReceivedAt: at, Source: model.SourceAPI})
		}, []string{`event "e-1"`, "data.list:", "passes 10000 values"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			src, ws := sourceStore(t)
			require.NoError(t, tt.plant(ctx, src, ws))
			_, err := transfer.Import(ctx, openStore(t), export(t, src))
			require.Error(t, err)
			require.Regexp(t, `^line \d+: `, err.Error())
			for _, w := range append(tt.want, "correct or remove this line") {
				require.Contains(t, err.Error(), w)
			}
		})
	}
}
