package manifest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
)

// TestCategoryDetailsRoundTrip: a category's description and allowed
// frequencies are written to workspace.yaml, pass the schema and read
// back unchanged; a frequency that is none is refused with its path.
func TestCategoryDetailsRoundTrip(t *testing.T) {
	c := sampleConfig()
	c.Workspace.Vocabulary = model.Vocabulary{
		Categories: map[string]model.Label{"newsletter": {DE: "Rundbrief", EN: "Newsletter"}},
		CategoryDetails: map[string]model.CategoryDetail{
			"newsletter": {Description: model.Label{DE: "Neuigkeiten über Öffnungszeiten", EN: "News about opening hours"},
				Frequencies: []string{"daily", "weekly"}},
			"birthday": {Description: model.Label{DE: "Einmal im Jahr"}},
		},
	}
	files := encodeAll(t, c)
	ws := string(files["workspace.yaml"])
	require.Contains(t, ws, "category_details:\n")
	require.Contains(t, ws, "Neuigkeiten über Öffnungszeiten")
	docs, ps := Parse(asFiles(files))
	require.Empty(t, ps)
	require.Empty(t, Check(docs))
	require.Equal(t, c.Workspace.Vocabulary, workspaceIn(t, docs).Vocabulary)

	docs, ps = Parse([]File{{Name: "workspace.yaml", Data: "apiVersion: herold/v1\nkind: Workspace\nmetadata:\n  name: acme\nspec:\n  vocabulary:\n    category_details:\n      newsletter:\n        frequencies: [daily, hourly]\n"}})
	require.Empty(t, ps)
	ps = Check(docs)
	require.Len(t, ps, 1)
	require.Contains(t, ps.Error(), "spec.vocabulary.category_details.newsletter.frequencies[1]")
	require.Contains(t, ps.Error(), `"hourly" is not a frequency`)
}

// workspaceIn returns the workspace the documents define.
func workspaceIn(t *testing.T, docs []*Document) *model.Workspace {
	t.Helper()
	for _, d := range docs {
		if d.Kind == KindWorkspace {
			obj, err := d.Object()
			require.NoError(t, err)
			return obj.(*model.Workspace)
		}
	}
	require.Fail(t, "no workspace document")
	return nil
}
