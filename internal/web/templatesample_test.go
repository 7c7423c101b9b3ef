package web_test

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestTemplatePreviewFromRecentEvent: the template editor's preview is
// filled from the latest real event of the template's event type (no
// errors, no sample JSON to write), any of the last few or generated data
// can be chosen, and the fields seen in those events are offered as
// placeholders.
func TestTemplatePreviewFromRecentEvent(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	older := e.ingest(t, "job.requested", "messe-koeln", map[string][]string{"promoter": {"p-anna"}},
		map[string]any{"job": "Aufbau", "date": "2026-04-14", "reply_by": "2026-03-20"})
	latest := e.ingest(t, "job.requested", "messe-koeln", map[string][]string{"promoter": {"p-anna"}},
		map[string]any{"job": "Standbetreuung", "date": "2026-04-15", "reply_by": "2026-03-20", "shift": map[string]any{"start": "09:00"}})
	c := newClient(t, e.URL)
	c.lang = "de"
	c.signIn(e.Email, e.Password)

	resp, body := c.get("/templates/job-requested?locale=de")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	text := html.UnescapeString(body)
	require.Contains(t, body, `<option value="`+latest.Event.ID+`" selected>`)
	require.Contains(t, body, `<option value="`+older.Event.ID+`">`)
	require.Contains(t, text, `<dd id="preview-subject">Neue Jobanfrage: Standbetreuung am 15. April 2026</dd>`)
	require.Contains(t, text, "Hallo Anna Berger", "the event's promoter is the recipient")
	require.Contains(t, text, `data-insert="{{ .data.shift.start }}"`)
	require.Contains(t, text, "zuletzt: Standbetreuung")
	require.NotContains(t, body, `class="field-errors live" id="live-html" data-live-errors="html"><li>`, "no errors")

	_, body = c.get("/templates/job-requested?locale=de&sample=" + url.QueryEscape(older.Event.ID))
	require.Contains(t, html.UnescapeString(body), `<dd id="preview-subject">Neue Jobanfrage: Aufbau am 14. April 2026</dd>`)
	_, body = c.get("/templates/job-requested?locale=de&sample=generated")
	require.Contains(t, html.UnescapeString(body), `<dd id="preview-subject">Neue Jobanfrage: ‹job› am 15. April 2026</dd>`)
	require.Contains(t, body, "data-generated")

	// An event of another workspace's id is not offered: the generated
	// data stands in.
	_, body = c.get("/templates/job-requested?locale=de&sample=00000000-0000-0000-0000-000000000000")
	require.Contains(t, html.UnescapeString(body), "‹job›")

	// The live preview regenerates untouched sample data from the
	// placeholders the admin types.
	token := c.csrf("/templates/_new")
	req, err := http.NewRequest(http.MethodPost, e.URL+"/templates/_new/preview", strings.NewReader(
		`{"locale": "de", "subject": "Einsatz: {{ .data.job }}", "html": "<p>{{ .object.halle }}</p>", "data": "{}", "generated": true}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", token)
	resp, body = c.do(req)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	var out struct {
		OK      bool   `json:"ok"`
		Subject string `json:"subject"`
		Sample  string `json:"sample"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &out))
	require.True(t, out.OK, body)
	require.Equal(t, "Einsatz: ‹job›", out.Subject)
	require.Contains(t, out.Sample, `"halle": "‹halle›"`)

	// Saving a broken template: the explanation once, next to its field,
	// with the raw message in small type.
	resp, body = c.submit("/templates/_new", "/templates", url.Values{"key": {"kaputt"}, "locale": {"de"},
		"subject": {"Hallo"}, "html": {"<p>\n  {{ if .data.x }}ja</p>"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	text = html.UnescapeString(body)
	const want = "Zeile 2, Spalte 3: Fehler in der Vorlage: {{ end }} fehlt für das {{ if }} in Zeile 2: Schließen Sie es mit {{ end }} ab."
	require.Contains(t, text, `id="err-html"><li>`+want+`</li></ul><small class="raw">syntax error: unexpected EOF: {{ if }} is not closed with {{ end }}</small>`)
	require.Equal(t, 1, strings.Count(text, want), "listed once")
}
