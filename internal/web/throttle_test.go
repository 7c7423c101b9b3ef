package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

// The notification form edits throttle rules (one per line) and urgent,
// and names the line of a bad rule; the settings page edits the
// workspace's quiet hours and the contact page a contact's, in German and
// English.
func TestCockpitThrottleAndQuietHours(t *testing.T) {
	t.Parallel()
	e := startCockpit(t)
	e.Must(201, "PUT", "/v1/templates/t", map[string]any{"locales": map[string]any{"de": map[string]any{"subject": "S", "text": "T"}}})
	e.Must(201, "PUT", "/v1/flows/f", map[string]any{"notifications": []any{
		map[string]any{"key": "r", "event_type": "reminder", "template": "t", "recipients": []string{"role:to"}}}})
	e.Must(201, "PUT", "/v1/contacts/anna", map[string]any{"email": "anna@example.org", "attributes": map[string]any{"team": "nord"}})

	c := newClient(t, e.URL)
	c.signIn(e.Email, e.Password)
	form := url.Values{"event_type": {"reminder"}, "template": {"t"}, "recipients": {"role:to"}, "status": {"active"},
		"category": {"support"}, "channels": {"email"}, "urgent": {"on"},
		"throttle": {"5/1h\n\n1/15m key {{ .object.id }}"}}
	resp, body := c.submit("/flows/f/notifications/r", "/flows/f/notifications/r", form)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)
	n := e.Must(200, "GET", "/v1/flows/f/notifications/r", nil).Map(t)
	require.Equal(t, true, n["urgent"])
	require.Equal(t, []any{map[string]any{"max": float64(5), "window": "1h", "scope": "category"},
		map[string]any{"max": float64(1), "window": "15m", "scope": "key", "key": "{{ .object.id }}"}}, n["throttle"])
	_, body = c.get("/flows/f/notifications/r")
	require.Contains(t, body, "5/1h category\n1/15m key {{ .object.id }}</textarea>")
	require.Contains(t, body, `name="urgent" id="f-urgent" checked`)

	form.Set("throttle", "5/1h\n5 per hour")
	resp, body = c.submit("/flows/f/notifications/r", "/flows/f/notifications/r", form)
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, "Line 2:")
	require.Contains(t, body, "5 per hour")

	for _, tt := range []struct{ lang, label, bad string }{
		{"de", "Ruhezeiten", "„25:00“ ist keine Uhrzeit: Schreiben Sie HH:MM, z. B. 07:00."},
		{"en", "Quiet hours", "“25:00” is not a time of day: write HH:MM, e.g. 07:00."},
	} {
		c := newClient(t, e.URL)
		c.lang = tt.lang
		c.signIn(e.Email, e.Password)
		_, body := c.get("/settings")
		require.Contains(t, body, tt.label)
		settings := settingsForm("22:00-07:00")
		resp, body := c.submit("/settings", "/settings", settings)
		require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)
		require.Equal(t, "22:00-07:00", e.Must(200, "GET", "/v1/workspace", nil).Map(t)["quiet_hours"])
		settings.Set("quiet_hours", "22 Uhr")
		resp, _ = c.submit("/settings", "/settings", settings)
		require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)

		_, body = c.get("/contacts/anna")
		require.Contains(t, body, `name="quiet_hours" type="text" value=""`, "no quiet hours of the contact yet")
		resp, body = c.submit("/contacts/anna", "/contacts/anna", url.Values{"quiet_hours": {"23:00-06:30"}})
		require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)
		attrs := e.Must(200, "GET", "/v1/contacts/anna", nil).Map(t)["attributes"]
		require.Equal(t, map[string]any{"team": "nord", "quiet_hours": "23:00-06:30"}, attrs)
		resp, body = c.submit("/contacts/anna", "/contacts/anna", url.Values{"quiet_hours": {"25:00-06:30"}})
		require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
		require.Contains(t, body, tt.bad)
		resp, _ = c.submit("/contacts/anna", "/contacts/anna", url.Values{"quiet_hours": {""}})
		require.Equal(t, http.StatusSeeOther, resp.StatusCode)
		require.Equal(t, map[string]any{"team": "nord"}, e.Must(200, "GET", "/v1/contacts/anna", nil).Map(t)["attributes"])
	}
}
