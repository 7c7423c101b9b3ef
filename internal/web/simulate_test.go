package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/store"
)

// roomySimulations lets simulations take their time: the suite runs
// under -race on a loaded machine, many times slower than a server.
func roomySimulations(s *apptest.Setup) { s.Opts.SimulateTimeout = 5 * time.Minute }

var eventsArea = regexp.MustCompile(`(?s)<textarea id="f-events"[^>]*>(.*?)</textarea>`)

// TestSimulatePage: the flow page links to its simulation; the form is
// prefilled with the flow's recent events; simulating them shows the
// timeline in German and English and writes nothing to the workspace;
// bad input is shown next to the field, in the user's language.
func TestSimulatePage(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t, roomySimulations)
	e.ingest(t, "job.requested", "messe-koeln", map[string][]string{"promoter": {"p-anna"}},
		map[string]any{"job": "Standbetreuung", "date": "2026-04-15", "reply_by": "2026-03-20"})
	e.ingest(t, "job.requested", "messe-koeln", map[string][]string{"promoter": {"p-clara"}},
		map[string]any{"job": "Aufbau", "date": "2026-04-16", "reply_by": "2026-03-20"})
	count := func() int {
		evs, err := e.App.Store().EventList(context.Background(), &store.EventListParams{WorkspaceID: e.ws.ID, Limit: 100})
		require.NoError(t, err)
		msgs, err := e.App.Store().MessageList(context.Background(), &store.MessageListParams{WorkspaceID: e.ws.ID, Limit: 100})
		require.NoError(t, err)
		return len(evs)*1000 + len(msgs)
	}
	before := count()
	c := newClient(t, e.URL)
	c.signIn(e.Email, e.Password)
	c.lang = "de"

	_, body := c.get("/flows/standard")
	require.Contains(t, body, `href="/flows/standard/simulate" id="simulate">Simulieren</a>`)
	resp, body := c.get("/flows/standard/simulate")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	m := eventsArea.FindStringSubmatch(body)
	require.NotNil(t, m, body)
	events := html.UnescapeString(m[1])
	require.Regexp(t, `(?s)"p-anna".*"p-clara"`, events, "the recent events, oldest first")
	require.Contains(t, events, `"occurred_at": "2026-03-02T08:00:00Z"`)

	resp, body = c.submit("/flows/standard/simulate", "/flows/standard/simulate",
		url.Values{"events": {events}, "until": {"2026-03-03T08:00:00Z"}})
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	require.Contains(t, body, "Zeitleiste")
	require.Contains(t, body, "würde gesendet")
	require.Contains(t, body, "Neue Jobanfrage: Standbetreuung am 15. April 2026")
	require.Contains(t, body, "nicht gesendet")
	require.Contains(t, body, "keine E-Mail-Adresse")
	require.Equal(t, before, count(), "a simulation writes nothing to the workspace")

	c.lang = "en"
	resp, body = c.submit("/flows/standard/simulate", "/flows/standard/simulate", url.Values{"events": {events}})
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	require.Contains(t, body, "would be sent")
	require.Contains(t, body, "no e-mail address")

	resp, body = c.submit("/flows/standard/simulate", "/flows/standard/simulate", url.Values{"events": {"[\n  {\"type\": \"job.requested\",,\n}]"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, "The events are not a valid JSON list: Line 2, column 28: A name in double quotes is expected here")
	resp, body = c.submit("/flows/standard/simulate", "/flows/standard/simulate",
		url.Values{"events": {`[{"type": "job.requested", "project": "messe-koeln", "occurred_at": null}]`}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, "events[0].occurred_at:")
	require.Contains(t, body, `aria-invalid="true" aria-describedby="err-events`)
	resp, _ = c.get("/flows/nope/simulate")
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
}

// TestSimulateNamesTheBadField: valid JSON with a wrong value is not
// called invalid JSON; the mistake is named by its path and what is
// wrong with it, in the page's language.
func TestSimulateNamesTheBadField(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	c := newClient(t, e.URL)
	c.signIn(e.Email, e.Password)
	for _, tc := range []struct{ lang, events, want string }{
		{"de", `[{"type":"job.requested","occurred_at":"gestern"}]`,
			"events[0].occurred_at: „gestern“ ist kein Zeitpunkt: Schreiben Sie ihn wie 2026-03-09T08:00:00Z (RFC 3339)."},
		{"en", `[{"type":"job.requested","occurred_at":"gestern"}]`,
			"events[0].occurred_at: “gestern” is not a time: write it like 2026-03-09T08:00:00Z (RFC 3339)."},
		{"de", `[{"type":"job.requested"}, {"type":"job.requested","projekt":"x"}]`,
			"events[1].projekt: Ein Ereignis hat kein Feld „projekt“"},
		{"de", `[{"type":"job.requested","data":[1]}]`, "events[0].data: „events[0].data“ muss ein Objekt {…} sein."},
	} {
		c.lang = tc.lang
		resp, body := c.submit("/flows/standard/simulate", "/flows/standard/simulate", url.Values{"events": {tc.events}})
		require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
		require.Contains(t, html.UnescapeString(body), tc.want, tc.lang)
		require.NotContains(t, body, "JSON-Liste", tc.lang)
		require.NotContains(t, body, "JSON list", tc.lang)
	}
}
