package manifest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
)

// TestSummaryScheduleRoundTrip: a workspace's summary time is written to
// workspace.yaml and reads back unchanged; the defaults are left out;
// validate names a wrong time or weekday with its path, offline.
func TestSummaryScheduleRoundTrip(t *testing.T) {
	c := sampleConfig()
	files := encodeAll(t, c)
	require.NotContains(t, string(files["workspace.yaml"]), "summary_schedule", "the defaults are left out")

	c.Workspace.SummarySchedule = model.SummarySchedule{At: "17:30", Weekday: "friday"}
	files = encodeAll(t, c)
	require.Contains(t, string(files["workspace.yaml"]), "summary_schedule:\n")
	docs, ps := Parse(asFiles(files))
	require.Empty(t, ps)
	require.Empty(t, Check(docs))
	for _, d := range docs {
		if d.Kind == KindWorkspace {
			obj, err := d.Object()
			require.NoError(t, err)
			require.Equal(t, c.Workspace.SummarySchedule, obj.(*model.Workspace).SummarySchedule)
		}
	}

	docs, ps = Parse([]File{{Name: "workspace.yaml", Data: "apiVersion: herold/v1\nkind: Workspace\nmetadata:\n  name: acme\nspec:\n  summary_schedule:\n    at: \"5pm\"\n    weekday: Friday\n"}})
	require.Empty(t, ps)
	problems := Check(docs).Error()
	require.Contains(t, problems, "spec.summary_schedule.at")
	require.Contains(t, problems, "spec.summary_schedule.weekday")
}
