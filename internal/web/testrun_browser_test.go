package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
)

// gutterLines reads the line numbers the editor's gutter shows next to
// the textarea id.
func (p *page) gutterLines(id string) string {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`(function () {
		var g = document.getElementById(`+jsString(id)+`).previousElementSibling;
		return g && g.classList.contains('gutter') ? g.textContent : ''; })()`))
	require.NoError(p.t, err)
	return v
}

// TestBrowserTestNotification: "Testen" on a notification, in German at
// 1366 px: the payload comes from the latest event, the editor numbers its
// lines, bad JSON is named with line and column, and the dry run shows
// who would get which subject. In English at 390 px the flow's test page
// fits the screen.
func TestBrowserTestNotification(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	e.jobRequest(t, "p-anna")
	p := e.germanDesktop(t)

	p.open("/flows/standard")
	p.do(chromedp.Click(chromedp.CSS(`a[href="/flows/standard/notifications/job-requested/test"]`)),
		chromedp.WaitVisible(chromedp.ID("test-form")))
	p.check("test page")
	require.Contains(t, mustValue(t, p, "#f-payload"), `"job": "Standbetreuung"`)
	require.True(t, strings.HasPrefix(p.gutterLines("f-payload"), "1\n2\n3"), "line numbers")

	p.setValue("#f-payload", "{\n  \"project\": \"messe-koeln\"\n  \"data\": {}\n}")
	require.EqualValues(t, http.StatusUnprocessableEntity, p.submit("#dry-run"))
	require.Contains(t, p.text("#err-payload"), "Die Testdaten sind kein gültiges JSON: Zeile 3, Spalte 3: Zwischen zwei Einträgen fehlt ein Komma")
	require.Contains(t, p.text("#payload-raw"), "invalid character '\"' after object key:value pair")
	p.screenshot("bad-json-de-1366")

	p.setValue("#f-payload", `{"project": "messe-koeln", "actors": {"promoter": ["p-anna", "p-ben"]},
  "data": {"job": "Aufbau", "date": "2026-05-02", "reply_by": "2026-04-20"}}`)
	require.EqualValues(t, http.StatusOK, p.submit("#dry-run"))
	result := p.text("#result")
	require.Contains(t, result, "Nichts wurde gespeichert oder gesendet.")
	require.Contains(t, result, "Neue Jobanfrage: Aufbau am 2. Mai 2026")
	require.Contains(t, result, "würde gesendet")
	require.Contains(t, result, "New job request: Aufbau on May 2, 2026", "Ben reads English")
	p.check("dry run")
	p.fitsWidth("dry run")
	p.screenshot("dry-run-de-1366")

	p.do(chromedp.EmulateViewport(390, 844))
	p.open("/flows/standard/test?type=booking.confirmed")
	require.EqualValues(t, http.StatusOK, p.submit(`form.lang button[value=en]`))
	require.Contains(t, p.text("h1"), "Test: Standard")
	require.Contains(t, p.text("#test-source"), "Sample data from the templates’ placeholders")
	require.EqualValues(t, http.StatusOK, p.submit("#dry-run"))
	require.Contains(t, p.text("#result"), "Nothing was stored or sent.")
	require.Contains(t, p.text("#result"), "No message to p-clara: the contact has no e-mail address.")
	require.NotContains(t, p.text("#result-messages"), "<>", "a recipient without an address is named, not shown as <>")
	p.check("flow dry run")
	p.fitsWidth("flow dry run")
	p.screenshot("flow-dry-run-en-390")
}

// TestBrowserTemplateErrorsExplained: the template editor starts from the
// latest event's data with numbered lines; a missing {{ end }} is
// explained once, in German at 1366 px and in English at 390 px, with the
// line of the {{ if }} and the raw message in small type; a placeholder
// from the events is inserted with a button.
func TestBrowserTemplateErrorsExplained(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	e.jobRequest(t, "p-anna")
	p := e.germanDesktop(t)

	p.open("/templates/job-requested?locale=de")
	p.waitText("#preview-status", "Die Vorschau ist aktuell.")
	require.Contains(t, p.text("#preview-subject"), "Neue Jobanfrage: Standbetreuung am 15. April 2026")
	require.True(t, strings.HasPrefix(p.gutterLines("f-html"), "1\n2\n3\n4"), "line numbers")
	p.check("template editor")

	p.setValue("#f-html", "<p>Hallo {{ .recipient.name }},</p>\n<p>\n  {{ if .data.job }}Neu: {{ .data.job }}</p>")
	p.waitText("#live-html", "{{ end }} fehlt für das {{ if }} in Zeile 3")
	require.Contains(t, p.text("#live-html"), "Zeile 3, Spalte 3: Fehler in der Vorlage: {{ end }} fehlt")
	require.Contains(t, p.text("#live-html small.raw"), "unexpected EOF")
	n, err := chromedp.Run(p.ctx, chromedp.Evaluate[int](`document.querySelectorAll('#live-html li').length`))
	require.NoError(t, err)
	require.Equal(t, 1, n, "listed once")
	p.fitsWidth("template error")
	p.screenshot("missing-end-de-1366")

	p.setValue("#f-html", "<p>Schicht: </p>")
	p.do(chromedp.Focus(chromedp.ID("f-html")),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('f-html').setSelectionRange(12, 12)`),
		chromedp.Click(chromedp.CSS(`#placeholders button[aria-label="Einfügen {{ .data.job }}"]`)))
	require.Equal(t, "<p>Schicht: {{ .data.job }}</p>", mustValue(t, p, "#f-html"))
	apptest.Eventually(t, 10*time.Second, func() bool {
		srcdoc, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`document.getElementById('preview-html').srcdoc`))
		return err == nil && strings.Contains(srcdoc, "Schicht: Standbetreuung")
	}, "the preview shows the inserted placeholder with the event's value")

	p.do(chromedp.EmulateViewport(390, 844))
	p.open("/templates/job-requested?locale=de")
	require.EqualValues(t, http.StatusOK, p.submit(`form.lang button[value=en]`))
	p.setValue("#f-subject", "Job: {{ .data.jb }}")
	p.waitText("#live-subject", "Placeholder “jb” does not occur in the sample data (.data.jb)")
	require.Contains(t, p.text("#live-subject"), "Line 1, column 9: Template error: Placeholder")
	p.fitsWidth("template error")
	p.check("template editor in English")
	p.screenshot("missing-key-en-390")
}
