package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/service"
)

// reportOutcome is the sentence at the top of a run's report.
var reportOutcome = regexp.MustCompile(`(?s)id="report-outcome"[^>]*>(.*?)</p>`)

// runConfirmed runs a schedule through the confirmation page as a browser
// without JavaScript would, waits for its mail and returns the run's page.
func runConfirmed(t *testing.T, e *cockpitEnv, c *client, key string) string {
	t.Helper()
	ctx := context.Background()
	before, err := e.svc.ScheduleRuns(ctx, e.ws, key, service.PageParams{})
	require.NoError(t, err)
	resp, body := c.submit("/schedules/"+key+"/run", "/schedules/"+key+"/run", url.Values{"confirmed": {"1"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)
	runs, err := e.svc.ScheduleRuns(ctx, e.ws, key, service.PageParams{})
	require.NoError(t, err)
	require.Len(t, runs.Items, len(before.Items)+1)
	id := runs.Items[0].ID
	apptest.Eventually(t, deliveryWait, func() bool {
		r, err := e.svc.ScheduleRunReport(ctx, e.ws, key, id)
		return err == nil && r.Mail.Done
	}, "the run and its mail are done")
	resp, body = c.get("/schedules/" + key + "?run=" + id)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	return body
}

// TestScheduleHonestAboutNothingSent: a schedule whose event type no
// active notification handles is flagged when saved, in the preview, on
// the "run now" confirmation and in the run's report ("nothing was
// sent", never a bare count of triggered events); "run now" runs only
// after the confirmation step, which needs no JavaScript. A schedule the
// demo's flow handles carries no warning and its report counts the mail
// sent.
func TestScheduleHonestAboutNothingSent(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	ctx := context.Background()
	c := newClient(t, e.URL)
	c.lang = "de"
	c.signIn(e.Email, e.Password)

	// Saved over the demo's members with birthdays today, for an event
	// type nothing reacts to: the page after saving warns.
	resp, body := c.submit("/schedules/_new", "/schedules", url.Values{"key": {"leer"}, "preset": {"birthday"},
		"enabled": {"1"}, "project": {"personalpool"}, "event_type": {"contact.nothing"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)
	_, body = c.get(resp.Header.Get("Location"))
	require.Contains(t, body, `id="unhandled"`)
	require.Contains(t, body, "Kein aktiver Ablauf reagiert auf contact.nothing – es würde nichts gesendet.")
	_, body = c.get("/schedules/geburtstagsgruesse")
	require.NotContains(t, body, `id="unhandled"`, "the demo's birthday schedule is handled")

	// The preview says so too, next to each match.
	_, body = c.get("/schedules/leer?preview=1")
	require.Contains(t, body, `id="preview-unhandled"`)
	require.Contains(t, body, "Ereignis auslösen – nichts gesendet")
	require.NotContains(t, body, "senden (Ereignis auslösen)")
	_, body = c.get("/schedules/geburtstagsgruesse?preview=1")
	require.Contains(t, body, "senden (Ereignis auslösen)")

	// "Run now" is a link to a confirmation; a post without it runs nothing.
	_, body = c.get("/schedules/leer")
	require.Contains(t, body, `href="/schedules/leer/run"`)
	resp, _ = c.submit("/schedules/leer", "/schedules/leer/run", nil)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, "/schedules/leer/run", resp.Header.Get("Location"))
	runs, err := e.svc.ScheduleRuns(ctx, e.ws, "leer", service.PageParams{})
	require.NoError(t, err)
	require.Empty(t, runs.Items, "nothing runs before the confirmation")
	resp, body = c.get("/schedules/leer/run")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, body, "„leer“ jetzt ausführen?")
	require.Contains(t, body, `id="unhandled"`)
	require.Regexp(t, `Datensätze getroffen, für [1-9][0-9]* davon würde jetzt ein Ereignis ausgelöst`, body)
	require.Contains(t, body, `id="run-confirm"`)

	// In English.
	c.lang = "en"
	_, body = c.get("/schedules/leer?preview=1")
	require.Contains(t, body, "No active flow reacts to contact.nothing – nothing would be sent.")
	require.Contains(t, body, "emit an event – nothing sent")
	_, body = c.get("/schedules/leer/run")
	require.Contains(t, body, "Run “leer” now?")
	c.lang = "de"

	// The run's report: events emitted, no message, "nothing was sent".
	body = runConfirmed(t, e, c, "leer")
	m := reportOutcome.FindStringSubmatch(body)
	require.NotNil(t, m, body)
	require.Regexp(t, `Ereignisse ausgelöst: [1-9][0-9]*, aber keine Nachricht erzeugt – es wurde nichts gesendet\.`, m[1])
	require.Contains(t, m[1], "Kein aktiver Ablauf reagiert auf contact.nothing")

	// The handled demo schedule's report counts what was sent (here, with
	// no SMTP server, filed in the test mailbox).
	body = runConfirmed(t, e, c, "geburtstagsgruesse")
	m = reportOutcome.FindStringSubmatch(body)
	require.NotNil(t, m, body)
	require.Regexp(t, `Ereignisse ausgelöst: [1-9][0-9]* · Nachrichten: [1-9][0-9]* · davon im Testpostfach \(nicht gesendet\): [1-9][0-9]*\.`, m[1])
}
