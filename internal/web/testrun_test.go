package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
	"github.com/herold-dev/herold/internal/smtptest"
)

// counts are the workspace's events and messages, to show that a dry run
// stores nothing.
func (e *cockpitEnv) counts(t *testing.T) (events, messages int) {
	t.Helper()
	ctx := context.Background()
	evs, err := e.svc.EventList(ctx, e.ws, service.EventFilter{PageParams: service.PageParams{Limit: 500}})
	require.NoError(t, err)
	msgs, err := e.svc.MessageList(ctx, e.ws, service.MessageFilter{PageParams: service.PageParams{Limit: 500}})
	require.NoError(t, err)
	return len(evs.Items), len(msgs.Items)
}

// TestTestSendOnlyToTypedAddress: "Testen" on a notification starts from
// the latest real event of its type; the dry run shows who would get
// which subject and stores and sends nothing; the test send reaches the
// real SMTP server at the typed address only, never the notification's
// recipients, and the event's explanation says it was a test.
func TestTestSendOnlyToTypedAddress(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	e := demoCockpit(t, apptest.WithSMTP(srv))
	real := e.ingest(t, "job.requested", "messe-koeln", map[string][]string{"promoter": {"p-anna"}},
		map[string]any{"job": "Standbetreuung", "date": "2026-04-15", "reply_by": "2026-03-20"})
	before := len(srv.WaitForMails(t, len(real.Messages), deliveryWait))
	c := newClient(t, e.URL)
	c.lang = "de"
	c.signIn(e.Email, e.Password)
	const page = "/flows/standard/notifications/job-requested/test"

	_, body := c.get("/flows/standard/notifications/job-requested")
	require.Contains(t, body, `href="`+page+`"`, "the notification's form links to its test")
	resp, body := c.get(page)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	payload := html.UnescapeString(body)
	require.Contains(t, payload, `"job": "Standbetreuung"`, "prefilled from the latest real event")
	require.Contains(t, payload, `"promoter": [`)
	require.Contains(t, body, `<option value="`+real.Event.ID+`" selected>`)

	events, messages := e.counts(t)
	form := url.Values{"action": {"dry_run"}, "payload": {`{"project": "messe-koeln", "actors": {"promoter": ["p-ben"]},
  "data": {"job": "Aufbau", "date": "2026-05-02", "reply_by": "2026-04-20"}}`}}
	resp, body = c.submit(page, page, form)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	require.Contains(t, body, `id="result"`)
	require.Contains(t, html.UnescapeString(body), "New job request: Aufbau on May 2, 2026", "the rendered subject, in the recipient's language")
	require.Contains(t, body, "ben.okafor@example.com", "who would get it")
	require.NotContains(t, body, "/messages/", "nothing stored: no message to open")
	ev2, msg2 := e.counts(t)
	require.Equal(t, events, ev2, "a dry run stores no event")
	require.Equal(t, messages, msg2, "a dry run stores no message")

	// A mistake in the JSON: German, with line and column.
	form.Set("payload", "{\n  \"data\": {\"job\": \"Aufbau\",}\n}")
	resp, body = c.submit(page, page, form)
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, html.UnescapeString(body), "Die Testdaten sind kein gültiges JSON: Zeile 2, Spalte 28:")

	// The test send: one typed address, nobody else.
	form = url.Values{"action": {"send"}, "to": {"pruefer@example.net"}, "payload": {`{"project": "messe-koeln",
  "actors": {"promoter": ["p-anna", "p-clara"]}, "data": {"job": "Testlauf", "date": "2026-05-02", "reply_by": "2026-04-20"}}`}}
	resp, body = c.submit(page, page, form)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)
	loc := resp.Header.Get("Location")
	require.True(t, strings.HasPrefix(loc, "/events/"), loc)
	mails := srv.WaitForMails(t, before+1, deliveryWait)
	require.Len(t, mails, before+1, "one mail more: the test; the dry run sent nothing")
	test := mails[before]
	require.Equal(t, []string{"pruefer@example.net"}, test.Rcpts)
	require.Equal(t, "Neue Jobanfrage: Testlauf am 2. Mai 2026", test.Subject)
	ev3, msg3 := e.counts(t)
	require.Equal(t, events+1, ev3)
	require.Equal(t, messages+1, msg3, "one message: to the test address, no copy to the agency")

	_, body = c.get(loc)
	require.Contains(t, html.UnescapeString(body), "Test von "+e.Email+": nur an pruefer@example.net gesendet")
	require.Contains(t, body, "Der Test wurde an die Test-Adresse gegeben.")

	// Not an address, or a list of them: refused, nothing sent.
	for _, to := range []string{"pruefer", "a@example.net, b@example.net", ""} {
		form.Set("to", to)
		resp, body = c.submit(page, page, form)
		require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode, to)
		require.Contains(t, body, `id="err-to"`, to)
	}
	ev4, _ := e.counts(t)
	require.Equal(t, ev3, ev4)

	// A flow without notifications has nothing to test: back to the flow.
	_, err := e.svc.FlowPut(context.Background(), e.ws, &model.Flow{Key: "leer", Name: "Leer"})
	require.NoError(t, err)
	resp, _ = c.get("/flows/leer/test")
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, "/flows/leer", resp.Header.Get("Location"))
	// Another flow's notification, or none of that name: not found.
	resp, _ = c.get("/flows/leer/notifications/job-requested/test")
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
}
