package storetest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
)

func init() {
	pipelineCases = append(pipelineCases,
		storeCase{"WorkspaceSummarySchedule", testWorkspaceSummarySchedule})
}

// testWorkspaceSummarySchedule: a workspace's summary schedule is stored
// with it and read back unchanged (by id, by key, in the list); a new
// workspace has none (the defaults), another workspace keeps its own,
// and clearing it returns to the defaults.
func testWorkspaceSummarySchedule(t *testing.T, b *bundle) {
	ws, err := b.s.WorkspaceGetByID(b.ctx, b.ws.ID)
	require.NoError(t, err)
	require.Equal(t, model.SummarySchedule{}, ws.SummarySchedule, "a new workspace keeps the defaults")
	ws.SummarySchedule = model.SummarySchedule{At: "17:30", Weekday: "friday"}
	require.NoError(t, b.s.WorkspaceUpdate(b.ctx, ws))
	got, err := b.s.WorkspaceGetByKey(b.ctx, ws.Key)
	require.NoError(t, err)
	require.Equal(t, ws.SummarySchedule, got.SummarySchedule)
	other, err := b.s.WorkspaceGetByID(b.ctx, b.other.ID)
	require.NoError(t, err)
	require.Equal(t, model.SummarySchedule{}, other.SummarySchedule, "the other workspace is untouched")
	list, err := b.s.WorkspaceList(b.ctx)
	require.NoError(t, err)
	seen := false
	for _, w := range list {
		if w.ID == ws.ID {
			seen = true
			require.Equal(t, ws.SummarySchedule, w.SummarySchedule)
		}
	}
	require.True(t, seen)

	ws.SummarySchedule = model.SummarySchedule{At: "06:15"}
	require.NoError(t, b.s.WorkspaceUpdate(b.ctx, ws))
	got, err = b.s.WorkspaceGetByID(b.ctx, ws.ID)
	require.NoError(t, err)
	require.Equal(t, model.SummarySchedule{At: "06:15"}, got.SummarySchedule, "the weekday returns to the default")

	// A workspace inserted with a schedule keeps it.
	fresh := &model.Workspace{Key: "summary-fresh", Name: "Fresh", DefaultLocale: "de", Timezone: "Europe/Berlin",
		SummarySchedule: model.SummarySchedule{Weekday: "sunday"}, CreatedAt: b.ws.CreatedAt, UpdatedAt: b.ws.CreatedAt}
	require.NoError(t, b.s.WorkspaceInsert(b.ctx, fresh))
	got, err = b.s.WorkspaceGetByKey(b.ctx, "summary-fresh")
	require.NoError(t, err)
	require.Equal(t, model.SummarySchedule{Weekday: "sunday"}, got.SummarySchedule)
}
