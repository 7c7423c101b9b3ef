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

// TestVocabularyConfigAsCode: display names set in the cockpit are
// exported to workspace.yaml, a changed file is applied back (export →
// validate → apply), and a name that breaks the rules is refused with
// its path and nothing is saved.
func TestVocabularyConfigAsCode(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, ws := acmeService(t)

	var err error
	v := model.Vocabulary{EventTypes: map[string]model.Label{"job.requested": {DE: "Jobanfrage", EN: "Job request"}}}
	ws, err = s.WorkspaceUpdate(ctx, ws, WorkspacePatch{Vocabulary: &v})
	require.NoError(t, err)
	files, err := s.ConfigExport(ctx, ws)
	require.NoError(t, err)
	yaml := string(files["workspace.yaml"])
	require.Contains(t, yaml, "Jobanfrage")

	changed := strings.Replace(yaml, "Jobanfrage", "Anfrage für einen Job", 1)
	_, err = s.ConfigApply(ctx, ws, ConfigApplyParams{ConfigPlanParams: ConfigPlanParams{
		Files: []manifest.File{{Name: "workspace.yaml", Data: changed}}}, Author: "ci"})
	require.NoError(t, err)
	got, err := s.WorkspaceGet(ctx, "acme")
	require.NoError(t, err)
	require.Equal(t, "Anfrage für einen Job", got.Vocabulary.Name(model.VocabEventTypes, "job.requested", "de"))
	require.Equal(t, "Job request", got.Vocabulary.Name(model.VocabEventTypes, "job.requested", "en"))

	tooLong := strings.Replace(yaml, "Jobanfrage", strings.Repeat("x", model.MaxLabelLength+1), 1)
	_, err = s.ConfigApply(ctx, got, ConfigApplyParams{ConfigPlanParams: ConfigPlanParams{
		Files: []manifest.File{{Name: "workspace.yaml", Data: tooLong}}}, Author: "ci"})
	require.ErrorContains(t, err, "vocabulary.event_types.job.requested.de")
	got, err = s.WorkspaceGet(ctx, "acme")
	require.NoError(t, err)
	require.Equal(t, "Anfrage für einen Job", got.Vocabulary.Name(model.VocabEventTypes, "job.requested", "de"), "nothing saved")
}

// acmeService is a service on a real SQLite file on a fake clock with
// workspace acme, which may send from any address.
func acmeService(t *testing.T) (*Service, *model.Workspace) {
	t.Helper()
	s, err := New(Config{Store: openSQLite(t), Clock: clock.NewFake(time.Date(2028, 2, 29, 12, 0, 0, 0, time.UTC))})
	require.NoError(t, err)
	created, err := s.WorkspaceCreate(context.Background(), WorkspaceCreateParams{Key: "acme", AllowedSenders: []string{model.AnySender}})
	require.NoError(t, err)
	return s, created.Workspace
}
