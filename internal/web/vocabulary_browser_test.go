package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// TestBrowserVocabularyNames: at 1366 px in German the admin names an
// event type and a role on Settings → Names; the flow then shows
// "Jobanfrage" and "Promoter:in" with the keys in small type. At 390 px
// in English the names page and the flow fit the screen and show the
// English names.
func TestBrowserVocabularyNames(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	p := e.germanDesktop(t)
	p.open("/settings")
	require.EqualValues(t, http.StatusOK, p.submit(`a[href="/settings/names"]`))
	p.check("names")
	types := mustValue(t, p, "#f-event_types")
	require.Contains(t, types, "job.requested =")
	p.setValue("#f-event_types", strings.Replace(types, "job.requested =", "job.requested = Jobanfrage | Job request", 1))
	p.setValue("#f-roles", "promoter = Promoter:in | Promoter")
	p.screenshot("names-de-1366")
	require.EqualValues(t, http.StatusOK, p.submit(`#vocabulary-form button[type=submit]`))
	p.waitText(".notice", "Gespeichert.")

	p.open("/flows/standard")
	row := p.text("#n-job-requested")
	require.Contains(t, row, "Jobanfrage")
	require.Contains(t, row, "job.requested", "the key stays visible")
	require.Contains(t, row, "Promoter:in")
	p.screenshot("flow-names-de-1366")

	p.do(chromedp.EmulateViewport(390, 844))
	require.EqualValues(t, http.StatusOK, p.submit(`form.lang button[value=en]`))
	require.Contains(t, p.text("#n-job-requested"), "Job request")
	p.fitsWidth("flow with names")
	p.screenshot("flow-names-en-390")
	p.open("/settings/names")
	p.fitsWidth("names")
	p.screenshot("names-en-390")
}
