package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
)

// TestRecurringBroadcastPages: the broadcast form takes a recurrence (a
// cron that is not one is refused at the field, in German too); the page
// shows it, when the next edition goes and, once it went, the edition
// with a link, whose own page names its series.
func TestRecurringBroadcastPages(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t, func(s *apptest.Setup) { s.NoRunner, s.NoDelivery = true, true })
	c := newClient(t, e.URL)
	c.signIn(e.Email, e.Password)
	form := url.Values{"key": {"wochenbrief"}, "name": {"Wochenbrief"}, "category": {"newsletter"},
		"subject": {"Diese Woche"}, "text": {"Hallo {{ .recipient.name }}"}, "recurrence": {"0 8 * *"}}
	resp, body := c.submit("/broadcasts/_new", "/broadcasts", form)
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, `id="err-recurrence"`)
	require.Contains(t, body, `Recurrence`)
	form.Set("recurrence", "0 8 * * MON")
	resp, body = c.submit("/broadcasts/_new", "/broadcasts", form)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)

	_, body = c.get("/broadcasts/wochenbrief")
	require.Contains(t, body, `id="broadcast-recurrence"><code>0 8 * * MON</code>`)
	resp, _ = c.submit("/broadcasts/wochenbrief", "/broadcasts/wochenbrief/start", nil)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	_, body = c.get("/broadcasts/wochenbrief")
	require.Contains(t, body, `id="next-edition"`)
	require.Contains(t, body, "No edition sent yet.")

	r, err := e.svc.BroadcastReportGet(context.Background(), e.ws, "wochenbrief")
	require.NoError(t, err)
	e.Clock.Set(*r.NextEditionAt)
	worked, err := e.svc.SendDueBroadcast(context.Background(), "test", time.Minute)
	require.NoError(t, err)
	require.True(t, worked)
	c = newClient(t, e.URL) // the session ended in the week that passed
	c.signIn(e.Email, e.Password)
	_, body = c.get("/broadcasts/wochenbrief")
	require.Contains(t, body, `<a href="/broadcasts/wochenbrief:000001">wochenbrief:000001</a>`)

	resp, _ = c.post("/language", url.Values{"lang": {"de"}, "next": {"/broadcasts"}, "csrf": {c.csrf("/broadcasts")}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	_, body = c.get("/broadcasts/wochenbrief:000001")
	require.Contains(t, body, `Ausgabe 1 von <a href="/broadcasts/wochenbrief" id="series-link">wochenbrief</a>`)
	require.Contains(t, body, `id="broadcast-recurrence">einmalig<`, "an edition itself does not recur")
	_, body = c.get("/broadcasts/wochenbrief")
	require.Contains(t, body, "Nächste Ausgabe")
	require.Contains(t, body, `id="editions-title">Ausgaben<`)
	form.Set("key", "zweiter")
	form.Set("recurrence", "jeden Montag")
	resp, body = c.submit("/broadcasts/_new", "/broadcasts", form)
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, `id="err-recurrence"`)
	require.Contains(t, body, "Wiederholung")
}
