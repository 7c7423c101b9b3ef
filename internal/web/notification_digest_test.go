package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestCockpitNotificationDigest: the notification form shows the digest
// fields in German and English, saves a weekly calendar digest, shows a
// wrong field with its message next to it (and keeps what was typed),
// shows the saved digest when edited again, and "none" removes it.
func TestCockpitNotificationDigest(t *testing.T) {
	t.Parallel()
	e := startCockpit(t)
	e.Must(201, "PUT", "/v1/templates/t", map[string]any{"locales": map[string]any{"de": map[string]any{"subject": "x", "text": "x"}}})
	e.Must(201, "PUT", "/v1/flows/f", map[string]any{"notifications": []any{map[string]any{"key": "r",
		"event_type": "reminder", "template": "t", "recipients": []string{"role:to"}}}})

	for _, tt := range []struct{ lang, legend, none string }{
		{"de", "<legend>Sammelnachricht</legend>", "– keines: jede Nachricht sofort senden –"},
		{"en", "<legend>Digest</legend>", "– none: send each message at once –"},
	} {
		c := newClient(t, e.URL)
		c.lang = tt.lang
		c.signIn(e.Email, e.Password)
		_, body := c.get("/flows/f/notifications/r")
		require.Contains(t, body, tt.legend)
		require.Contains(t, body, `<option value="">`+tt.none+`</option>`)
		require.Contains(t, body, "{{ .object.id }}", "the hint shows the placeholder literally")
	}

	c := newClient(t, e.URL)
	c.lang = "de"
	c.signIn(e.Email, e.Password)
	form := url.Values{"event_type": {"reminder"}, "template": {"t"}, "recipients": {"role:to"}, "status": {"active"},
		"category": {"transactional"}, "channels": {"email"}, "digest.window.type": {"calendar"},
		"digest.window.every": {"weekly"}, "digest.window.weekday": {"monday"}, "digest.window.at": {"7:00"},
		"digest.window.duration": {"1h"}, "digest.key": {"{{ .object.id }}"}, "digest.max_items": {"20"},
		"digest.show": {"last"}, "digest.show_items": {"5"}}
	resp, body := c.submit("/flows/f/notifications/r", "/flows/f/notifications/r", form)
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, `id="err-digest.window.at"`)
	require.Contains(t, body, `„7:00“ ist keine Uhrzeit: Schreiben Sie HH:MM, z. B. 07:00.`)
	require.Contains(t, body, `value="7:00"`, "what was typed stays")
	n := e.Must(200, "GET", "/v1/flows/f/notifications/r", nil).Map(t)
	require.Nil(t, n["digest"], "nothing saved")

	form.Set("digest.window.at", "07:00")
	resp, _ = c.submit("/flows/f/notifications/r", "/flows/f/notifications/r", form)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	n = e.Must(200, "GET", "/v1/flows/f/notifications/r", nil).Map(t)
	require.Equal(t, map[string]any{"key": "{{ .object.id }}", "max_items": float64(20), "show": "last", "show_items": float64(5),
		"window": map[string]any{"type": "calendar", "every": "weekly", "weekday": "monday", "at": "07:00"}}, n["digest"],
		"only the calendar window's fields count")
	_, body = c.get("/flows/f/notifications/r")
	require.Contains(t, body, `<option value="calendar" selected>`)
	require.Contains(t, body, `<option value="monday" selected>Montag</option>`)
	require.Contains(t, body, `value="07:00"`)

	form.Set("digest.window.type", "")
	resp, _ = c.submit("/flows/f/notifications/r", "/flows/f/notifications/r", form)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	n = e.Must(200, "GET", "/v1/flows/f/notifications/r", nil).Map(t)
	require.Nil(t, n["digest"], "no window: no digest")
}

// TestCockpitExplainsADigest: the event page says, in German and
// English, that the message was collected into a digest, and whether
// that digest is still open (closing when, with how many items) or sent.
func TestCockpitExplainsADigest(t *testing.T) {
	t.Parallel()
	e := startCockpit(t)
	e.Must(200, "PATCH", "/v1/workspace", map[string]any{"sender": map[string]any{"from": "Herold <noreply@herold.example>"}})
	e.Must(201, "PUT", "/v1/templates/t", map[string]any{"locales": map[string]any{"de": map[string]any{
		"subject": "{{ .digest.total }} Erinnerungen", "text": "x"}}})
	e.Must(201, "PUT", "/v1/contacts/anna", map[string]any{"email": "anna@example.org"})
	e.Must(201, "PUT", "/v1/flows/f", map[string]any{"notifications": []any{map[string]any{"key": "r",
		"event_type": "reminder", "template": "t", "recipients": []string{"contact:anna"},
		"digest": map[string]any{"window": map[string]any{"type": "fixed", "duration": "2h"}}}}})
	e.Must(201, "PUT", "/v1/projects/p", map[string]any{"flow": "f"})
	first := e.ingest(t, "reminder", "p", nil, nil)
	e.ingest(t, "reminder", "p", nil, nil)

	page := func(lang string) string {
		c := newClient(t, e.URL)
		c.lang = lang
		c.signIn(e.Email, e.Password)
		_, body := c.get("/events/" + first.Event.ID)
		return body
	}
	require.Contains(t, page("de"), "In der Sammelnachricht für anna gesammelt: noch offen, wird am 02.03.2026 um 11:00 versendet (bisher 2 Einträge).")
	require.Contains(t, page("en"), "Collected into the digest for anna: still open, closing on 2026-03-02 at 11:00 (2 items so far).")

	e.Clock.Advance(2 * time.Hour)
	n, err := e.svc.CloseDueDigests(context.Background(), e.Clock.Now())
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.Contains(t, page("de"), "In der Sammelnachricht für anna gesammelt, versendet am 02.03.2026 um 11:00 mit 2 Einträgen.")
	require.Contains(t, page("en"), "Collected into the digest for anna, sent on 2026-03-02 at 11:00 with 2 items.")
}
