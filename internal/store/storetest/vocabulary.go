package storetest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
)

func init() {
	pipelineCases = append(pipelineCases,
		storeCase{"WorkspaceVocabulary", testWorkspaceVocabulary})
}

// testWorkspaceVocabulary: a workspace's display names are stored with
// it, read back unchanged (umlauts, both languages, one language only)
// and are the workspace's own (category details too): another workspace keeps none.
func testWorkspaceVocabulary(t *testing.T, b *bundle) {
	ws, err := b.s.WorkspaceGetByID(b.ctx, b.ws.ID)
	require.NoError(t, err)
	require.Empty(t, ws.Vocabulary.EventTypes, "a new workspace names nothing")
	ws.Vocabulary = model.Vocabulary{
		EventTypes: map[string]model.Label{"job.requested": {DE: "Jobanfrage", EN: "Job request"}},
		Roles:      map[string]model.Label{"promoter": {DE: "Promoter:in"}},
		Categories: map[string]model.Label{"birthday": {DE: "Geburtstagsgrüße", EN: "Birthday greetings"}},
		CategoryDetails: map[string]model.CategoryDetail{"birthday": {Description: model.Label{DE: "Einmal im Jahr"},
			Frequencies: []string{model.FrequencyWeekly}}},
	}
	require.NoError(t, b.s.WorkspaceUpdate(b.ctx, ws))
	got, err := b.s.WorkspaceGetByKey(b.ctx, ws.Key)
	require.NoError(t, err)
	require.Equal(t, ws.Vocabulary, got.Vocabulary)
	other, err := b.s.WorkspaceGetByID(b.ctx, b.other.ID)
	require.NoError(t, err)
	require.Empty(t, other.Vocabulary.EventTypes)
	require.Empty(t, other.Vocabulary.Roles)
	list, err := b.s.WorkspaceList(b.ctx)
	require.NoError(t, err)
	for _, w := range list {
		if w.ID == ws.ID {
			require.Equal(t, ws.Vocabulary, w.Vocabulary)
		}
	}
}
