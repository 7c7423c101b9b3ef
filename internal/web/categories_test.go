package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

// TestCategoriesSettingsWithoutJavaScript: Settings → Categories lists
// the consent categories (those in use and those named), the admin gives
// one a German and English description and allows daily and weekly; a
// description too long is refused in German and nothing is saved; the
// names page keeps the details when it saves names; unticking both
// frequencies and emptying the description removes the details.
func TestCategoriesSettingsWithoutJavaScript(t *testing.T) {
	t.Parallel()
	e := startCockpit(t)
	ctx := context.Background()
	voc := model.Vocabulary{Categories: map[string]model.Label{"newsletter": {DE: "Rundbrief", EN: "Newsletter"}}}
	_, err := e.svc.WorkspaceUpdate(ctx, e.ws, service.WorkspacePatch{Vocabulary: &voc})
	require.NoError(t, err)
	c := newClient(t, e.URL)
	c.lang = "de"
	c.signIn(e.Email, e.Password)

	_, body := c.get("/settings")
	require.Contains(t, body, `href="/settings/categories"`)
	_, body = c.get("/settings/categories")
	require.Contains(t, body, `<legend>Rundbrief (newsletter)</legend>`)
	require.NotContains(t, body, `id="category-transactional"`, "transactional has nothing to choose")
	require.Contains(t, body, `name="freq-newsletter" value="daily">`, "nothing offered yet")

	workspace := func() model.Vocabulary {
		ws, err := e.svc.WorkspaceGet(ctx, e.ws.Key)
		require.NoError(t, err)
		return ws.Vocabulary
	}
	resp, body := c.submit("/settings/categories", "/settings/categories", url.Values{"cat": {"newsletter"},
		"desc-de-newsletter": {strings.Repeat("ä", model.MaxDescriptionLength+1)}, "freq-newsletter": {"daily"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, "Eine Beschreibung darf höchstens 300 Zeichen lang sein.")
	require.Contains(t, body, `name="freq-newsletter" value="daily" checked>`, "the form keeps what was typed")
	require.Empty(t, workspace().CategoryDetails, "nothing saved")

	// A hand-made form with a key that is none: said in the summary.
	resp, body = c.submit("/settings/categories", "/settings/categories", url.Values{"cat": {"no key"},
		"desc-de-no key": {"x"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Regexp(t, `(?s)class="alert error-summary"[^>]*>\s*<p>[^<]*</p>\s*<ul><li>„no key“ ist kein Kategorieschlüssel`, body)
	require.Empty(t, workspace().CategoryDetails, "nothing saved")

	resp, body = c.submit("/settings/categories", "/settings/categories", url.Values{"cat": {"newsletter"},
		"desc-de-newsletter": {"Neuigkeiten, etwa einmal im Monat."}, "desc-en-newsletter": {"News, about once a month."},
		"freq-newsletter": {"weekly", "daily"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)
	want := map[string]model.CategoryDetail{"newsletter": {Description: model.Label{DE: "Neuigkeiten, etwa einmal im Monat.",
		EN: "News, about once a month."}, Frequencies: []string{"daily", "weekly"}}}
	require.Equal(t, want, workspace().CategoryDetails)
	_, body = c.get("/settings/categories")
	require.Contains(t, body, `value="Neuigkeiten, etwa einmal im Monat."`)
	require.Contains(t, body, `name="freq-newsletter" value="weekly" checked>`)

	// Saving the names keeps the details.
	resp, _ = c.submit("/settings/names", "/settings/names", url.Values{"categories": {"newsletter = Rundschreiben | Newsletter"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	v := workspace()
	require.Equal(t, "Rundschreiben", v.Name(model.VocabCategories, "newsletter", "de"))
	require.Equal(t, want, v.CategoryDetails)

	// Nothing left: no details.
	resp, _ = c.submit("/settings/categories", "/settings/categories", url.Values{"cat": {"newsletter"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Empty(t, workspace().CategoryDetails)
}
