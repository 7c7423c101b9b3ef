package service

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/clock"
	"github.com/herold-dev/herold/internal/manifest"
	"github.com/herold-dev/herold/internal/model"
)

// TestSummaryScheduleConfigAsCode: a workspace that never chose writes
// no summary_schedule to workspace.yaml; one set through the API is
// exported, a changed file is applied back (export → validate → apply),
// and a wrong time or weekday is refused with its path and nothing is
// saved. PATCH validates the same way.
func TestSummaryScheduleConfigAsCode(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := New(Config{Store: openSQLite(t), Clock: clock.NewFake(time.Date(2028, 2, 29, 12, 0, 0, 0, time.UTC))})
	require.NoError(t, err)
	created, err := s.WorkspaceCreate(ctx, WorkspaceCreateParams{Key: "acme", AllowedSenders: []string{model.AnySender}})
	require.NoError(t, err)
	ws := created.Workspace
	files, err := s.ConfigExport(ctx, ws)
	require.NoError(t, err)
	require.NotContains(t, string(files["workspace.yaml"]), "summary_schedule", "the defaults are left out")

	_, err = s.WorkspaceUpdate(ctx, ws, WorkspacePatch{SummarySchedule: &model.SummarySchedule{At: "25:00"}})
	require.ErrorContains(t, err, "summary_schedule.at")
	ws, err = s.WorkspaceUpdate(ctx, ws, WorkspacePatch{SummarySchedule: &model.SummarySchedule{At: "17:30", Weekday: "friday"}})
	require.NoError(t, err)
	files, err = s.ConfigExport(ctx, ws)
	require.NoError(t, err)
	yaml := string(files["workspace.yaml"])
	require.Contains(t, yaml, "summary_schedule:\n")
	require.Contains(t, yaml, "17:30")

	changed := strings.Replace(strings.Replace(yaml, "17:30", "06:45", 1), "friday", "sunday", 1)
	_, err = s.ConfigApply(ctx, ws, ConfigApplyParams{ConfigPlanParams: ConfigPlanParams{
		Files: []manifest.File{{Name: "workspace.yaml", Data: changed}}}, Author: "ci"})
	require.NoError(t, err)
	got, err := s.WorkspaceGet(ctx, "acme")
	require.NoError(t, err)
	require.Equal(t, model.SummarySchedule{At: "06:45", Weekday: "sunday"}, got.SummarySchedule)

	for bad, field := range map[string]string{
		strings.Replace(changed, "06:45", "6:45", 1):     "summary_schedule.at",
		strings.Replace(changed, "sunday", "sonntag", 1): "summary_schedule.weekday",
	} {
		_, err = s.ConfigApply(ctx, got, ConfigApplyParams{ConfigPlanParams: ConfigPlanParams{
			Files: []manifest.File{{Name: "workspace.yaml", Data: bad}}}, Author: "ci"})
		require.ErrorContains(t, err, field)
	}
	got, err = s.WorkspaceGet(ctx, "acme")
	require.NoError(t, err)
	require.Equal(t, model.SummarySchedule{At: "06:45", Weekday: "sunday"}, got.SummarySchedule, "nothing saved")
}
