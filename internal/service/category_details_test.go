package service

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/manifest"
	"github.com/herold-dev/herold/internal/model"
)

// TestCategoryDetailsConfigAsCode: a category's description and allowed
// frequencies set through the API are exported to workspace.yaml; the
// export plans to no change; a changed file is applied back (export →
// validate → apply); a frequency that is none is refused with its path
// and nothing is saved.
func TestCategoryDetailsConfigAsCode(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, ws := acmeService(t)

	var err error
	v := model.Vocabulary{CategoryDetails: map[string]model.CategoryDetail{"newsletter": {
		Description: model.Label{DE: "Einmal im Monat", EN: "Once a month"}, Frequencies: []string{"weekly"}}}}
	ws, err = s.WorkspaceUpdate(ctx, ws, WorkspacePatch{Vocabulary: &v})
	require.NoError(t, err)
	files, err := s.ConfigExport(ctx, ws)
	require.NoError(t, err)
	yaml := string(files["workspace.yaml"])
	require.Contains(t, yaml, "Einmal im Monat")
	require.Contains(t, yaml, "- weekly")
	plan, err := s.ConfigPlan(ctx, ws, ConfigPlanParams{Files: []manifest.File{{Name: "workspace.yaml", Data: yaml}}})
	require.NoError(t, err)
	require.Empty(t, plan.Changes, "the export is what the server has")

	changed := strings.Replace(yaml, "- weekly", "- daily\n          - weekly", 1)
	require.NotEqual(t, yaml, changed)
	_, err = s.ConfigApply(ctx, ws, ConfigApplyParams{ConfigPlanParams: ConfigPlanParams{
		Files: []manifest.File{{Name: "workspace.yaml", Data: changed}}}, Author: "ci"})
	require.NoError(t, err)
	got, err := s.WorkspaceGet(ctx, "acme")
	require.NoError(t, err)
	require.Equal(t, []string{"instantly", "daily", "weekly"}, got.Vocabulary.AllowedFrequencies("newsletter"))
	require.Equal(t, "Once a month", got.Vocabulary.Description("newsletter", "en"))

	bad := strings.Replace(yaml, "- weekly", "- hourly", 1)
	_, err = s.ConfigApply(ctx, got, ConfigApplyParams{ConfigPlanParams: ConfigPlanParams{
		Files: []manifest.File{{Name: "workspace.yaml", Data: bad}}}, Author: "ci"})
	require.ErrorContains(t, err, "vocabulary.category_details.newsletter.frequencies[0]")
	got, err = s.WorkspaceGet(ctx, "acme")
	require.NoError(t, err)
	require.True(t, got.Vocabulary.AllowsFrequency("newsletter", "daily"), "nothing saved")
}
