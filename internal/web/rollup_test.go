package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"
)

// The notification form's throttle lines take roll-up ("2/1h roll-up"),
// show it again, and explain it in the hint in German and English; a
// roll-up on a notification without e-mail is refused on its line.
func TestCockpitThrottleRollUp(t *testing.T) {
	t.Parallel()
	e := startCockpit(t)
	e.Must(201, "PUT", "/v1/templates/t", map[string]any{"locales": map[string]any{"de": map[string]any{"subject": "S", "text": "T"}}})
	e.Must(201, "PUT", "/v1/flows/f", map[string]any{"notifications": []any{
		map[string]any{"key": "r", "event_type": "reminder", "template": "t", "recipients": []string{"role:to"}}}})
	for _, tt := range []struct{ lang, hint string }{
		{"de", "Mit roll-up (5/1h roll-up) kommen sie stattdessen gesammelt in einer Zusammenfassung"},
		{"en", "Add roll-up (5/1h roll-up) to send them as one summary when the window ends instead."},
	} {
		c := newClient(t, e.URL)
		c.lang = tt.lang
		c.signIn(e.Email, e.Password)
		_, body := c.get("/flows/f/notifications/r")
		require.Contains(t, body, tt.hint)
	}
	c := newClient(t, e.URL)
	c.signIn(e.Email, e.Password)
	form := url.Values{"event_type": {"reminder"}, "template": {"t"}, "recipients": {"role:to"}, "status": {"active"},
		"category": {"support"}, "channels": {"email"}, "throttle": {"2/1h roll-up"}}
	resp, body := c.submit("/flows/f/notifications/r", "/flows/f/notifications/r", form)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)
	n := e.Must(200, "GET", "/v1/flows/f/notifications/r", nil).Map(t)
	require.Equal(t, []any{map[string]any{"max": float64(2), "window": "1h", "scope": "category", "roll_up": true}}, n["throttle"])
	_, body = c.get("/flows/f/notifications/r")
	require.Contains(t, body, "2/1h category roll-up</textarea>")

	form.Set("channels", "inapp")
	form.Set("throttle", "5/1h\n2/1h roll-up")
	resp, body = c.submit("/flows/f/notifications/r", "/flows/f/notifications/r", form)
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, "Line 2:")
	require.Contains(t, body, "A roll-up sends the excess as one summary e-mail")
	de := newClient(t, e.URL)
	de.lang = "de"
	de.signIn(e.Email, e.Password)
	resp, body = de.submit("/flows/f/notifications/r", "/flows/f/notifications/r", form)
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, "Eine Zusammenfassung (roll-up) wird per E-Mail versandt")
}
