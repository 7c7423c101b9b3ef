package web_test

import (
	"net/http"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
)

// TestFailedRenderReadsAsOnTheEvent: a message that could not be created
// from its template says why on its page (status and timeline) and in
// the message list with the sentence of the event's "why (not) sent?",
// in the page's language and without the renderer's English; its page
// does not call it suppressed.
func TestFailedRenderReadsAsOnTheEvent(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	res := e.ingest(t, "job.requested", "messe-koeln", map[string][]string{"promoter": {"p-anna"}},
		map[string]any{"date": "2026-04-15", "reply_by": "2026-03-20"}) // no "job"
	require.Len(t, res.Messages, 1)
	m := res.Messages[0]
	require.Equal(t, model.MsgFailed, m.Status)
	c := newClient(t, e.URL)
	c.signIn(e.Email, e.Password)
	timeline := regexp.MustCompile(`(?s)id="timeline".*?</ol>`)
	for _, tc := range []struct{ lang, why, noCopy, suppressed string }{
		{"de", "Die Vorlage job-requested verwendet .data.job (Betreff Zeile 1", "Sie ließ sich nicht aus der Vorlage erstellen", "unterdrückt"},
		{"en", "The template job-requested uses .data.job (subject line 1", "it could not be created from its template", "suppressed"},
	} {
		c.lang = tc.lang
		resp, body := c.get("/messages/" + m.ID)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Regexp(t, `id="message-reason">`+regexp.QuoteMeta(tc.why), body, tc.lang)
		require.Contains(t, timeline.FindString(body), tc.why, tc.lang)
		require.Contains(t, body, tc.noCopy, tc.lang)
		require.NotContains(t, body, tc.suppressed, tc.lang)
		require.NotContains(t, body, "map has no entry", tc.lang)

		_, body = c.get("/messages?recipient=p-anna")
		require.Contains(t, body, tc.why, tc.lang)
		require.NotContains(t, body, "map has no entry", tc.lang)
	}
}
