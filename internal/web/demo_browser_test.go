package web_test

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// TestBrowserDemoSchedulesHaveContent: a newcomer to the demo finds two
// schedules whose previews already match someone (today's birthdays, the
// qualifications expiring within 30 days), with the mail each would get.
// At 1366 px in German and 390 px in English.
func TestBrowserDemoSchedulesHaveContent(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	p := e.germanDesktop(t)
	p.open("/schedules")
	p.check("schedules")
	require.Contains(t, p.text("main"), "Geburtstagsgrüße")
	require.Contains(t, p.text("main"), "Ablaufende Qualifikationen")
	p.screenshot("schedules-de-1366")
	p.open("/schedules/geburtstagsgruesse?preview=1")
	p.check("birthday preview")
	preview := p.text("#preview")
	require.Contains(t, preview, "m-dora")
	require.Contains(t, preview, "m-emil")
	require.NotContains(t, preview, "m-frieda", "her birthday is next week")
	p.screenshot("birthday-preview-de-1366")

	p.do(chromedp.EmulateViewport(390, 844))
	p.open("/schedules/qualifikationen-ablauf?preview=1")
	require.EqualValues(t, http.StatusOK, p.submit(`form.lang button[value=en]`))
	preview = p.text("#preview")
	require.Contains(t, preview, "q-stapler-anna")
	require.Contains(t, preview, "q-hygiene-ben")
	require.NotContains(t, preview, "q-erstehilfe-dora", "expires in 200 days")
	p.fitsWidth("qualification preview")
	p.screenshot("qualifications-preview-en-390")
}
