package manifest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
)

// TestVocabularyRoundTrip: the workspace's display names are written to
// workspace.yaml, pass the schema and read back unchanged (umlauts, one
// language only); a workspace without names writes none.
func TestVocabularyRoundTrip(t *testing.T) {
	c := sampleConfig()
	files := encodeAll(t, c)
	require.NotContains(t, string(files["workspace.yaml"]), "vocabulary", "no names, nothing written")

	c.Workspace.Vocabulary = model.Vocabulary{
		EventTypes: map[string]model.Label{"job.requested": {DE: "Jobanfrage", EN: "Job request"}},
		Roles:      map[string]model.Label{"promoter": {DE: "Promoter:in"}},
		Categories: map[string]model.Label{"birthday": {DE: "Geburtstagsgrüße", EN: "Birthday greetings"}},
	}
	files = encodeAll(t, c)
	ws := string(files["workspace.yaml"])
	require.Contains(t, ws, "vocabulary:\n")
	require.Contains(t, ws, "Geburtstagsgrüße")
	docs, ps := Parse(asFiles(files))
	require.Empty(t, ps)
	require.Empty(t, Check(docs))
	require.Equal(t, c.Workspace.Vocabulary, workspaceIn(t, docs).Vocabulary)

	// A name that is not text is refused with its path.
	_, ps = Parse([]File{{Name: "workspace.yaml", Data: "apiVersion: herold/v1\nkind: Workspace\nmetadata:\n  name: acme\nspec:\n  vocabulary:\n    roles:\n      promoter:\n        de: [1]\n"}})
	require.NotEmpty(t, ps)
	require.Contains(t, ps.Error(), "vocabulary.roles.promoter.de")
}
