package e2e_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/model"
)

// TestWorkspaceVocabularyAPI: the display names are part of the
// workspace in the API: PATCH replaces them, GET returns them, and a name
// too long is refused with its field path.
func TestWorkspaceVocabularyAPI(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	v := map[string]any{"event_types": map[string]any{"job.requested": map[string]any{"de": "Jobanfrage", "en": "Job request"}},
		"roles": map[string]any{"promoter": map[string]any{"de": "Promoter:in"}}}
	e.Must(200, "PATCH", "/v1/workspace", map[string]any{"vocabulary": v})
	var ws model.Workspace
	e.Must(200, "GET", "/v1/workspace", nil).JSON(t, &ws)
	require.Equal(t, "Jobanfrage", ws.Vocabulary.Name(model.VocabEventTypes, "job.requested", "de"))
	require.Equal(t, "Promoter:in", ws.Vocabulary.Name(model.VocabRoles, "promoter", "en"))

	bad := map[string]any{"roles": map[string]any{"promoter": map[string]any{"de": strings.Repeat("x", model.MaxLabelLength+1)}}}
	require.Contains(t, fieldErrors(t, e.Must(422, "PATCH", "/v1/workspace", map[string]any{"vocabulary": bad})),
		"vocabulary.roles.promoter.de")
	e.Must(200, "GET", "/v1/workspace", nil).JSON(t, &ws)
	require.Equal(t, "Promoter:in", ws.Vocabulary.Name(model.VocabRoles, "promoter", "de"), "nothing saved")
}
