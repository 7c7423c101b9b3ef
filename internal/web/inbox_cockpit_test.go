package web_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestCockpitInApp: a contact's page shows their in-app feed as they see
// it (items, read state, counts), and an in-app message's page shows its
// channel and item, in German and English.
func TestCockpitInApp(t *testing.T) {
	t.Parallel()
	e := startCockpit(t)
	e.Must(200, "PATCH", "/v1/workspace", map[string]any{"sender": map[string]any{"from": "Herold <noreply@herold.example>"}})
	e.Must(201, "PUT", "/v1/templates/t", map[string]any{"locales": map[string]any{"de": map[string]any{
		"subject": "Termin {{ .data.n }}", "text": "<script>x</script> beginnt",
		"inapp": map[string]any{"link": "/termine/{{ .data.n }}",
			"actions": []any{map[string]any{"label": "Öffnen", "url": "/t/{{ .data.n }}"}}}}}})
	e.Must(201, "PUT", "/v1/flows/f", map[string]any{"notifications": []any{map[string]any{"key": "r",
		"event_type": "reminder", "template": "t", "recipients": []string{"role:to"}, "channels": []string{"inapp"}}}})
	e.Must(201, "PUT", "/v1/projects/p", map[string]any{"flow": "f"})
	e.Must(201, "PUT", "/v1/contacts/anna", map[string]any{"name": "Anna"})
	res := e.Must(201, "POST", "/v1/events", map[string]any{"type": "reminder", "project": "p",
		"actors": map[string]any{"to": []string{"anna"}}, "data": map[string]any{"n": 1}}).Map(t)
	msgID := res["messages"].([]any)[0].(map[string]any)["id"].(string)
	e.WaitStatus(msgID, "sent", 5*time.Second)

	for _, tt := range []struct{ lang, feed, counts, state, channel, button string }{
		{"de", "In-App-Feed, wie der Kontakt ihn sieht", "Ungelesen: 1 · noch nicht gesehen: 1", "noch nicht gesehen",
			"In-App (Feed des Kontakts)", "Schaltfläche"},
		{"en", "In-app feed as they see it", "Unread: 1 · not yet seen: 1", "not yet seen",
			"in-app (the contact&#39;s feed)", "Button"},
	} {
		c := newClient(t, e.URL)
		c.lang = tt.lang
		c.signIn(e.Email, e.Password)
		resp, body := c.get("/contacts/anna")
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Contains(t, body, tt.feed)
		require.Contains(t, body, tt.counts)
		require.Contains(t, body, tt.state)
		require.Contains(t, body, "<strong>Termin 1</strong>")
		require.Contains(t, body, "&lt;script&gt;x&lt;/script&gt; beginnt", "feed text is escaped")
		require.Contains(t, body, "/messages/"+msgID)
		resp, body = c.get("/messages/" + msgID)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Contains(t, body, tt.channel)
		require.Contains(t, body, tt.button)
		require.Contains(t, body, "<code>/t/1</code>")
		require.NotContains(t, body, "/eml", "an in-app message has no .eml")
	}

	// The notification form shows the channels and keeps them on save.
	c := newClient(t, e.URL)
	c.signIn(e.Email, e.Password)
	_, body := c.get("/flows/f/notifications/r")
	require.Contains(t, body, `name="channels" value="inapp" checked`)
	require.NotContains(t, body, `name="channels" value="email" checked`)
	form := url.Values{"event_type": {"reminder"}, "template": {"t"}, "recipients": {"role:to"}, "status": {"active"},
		"category": {"transactional"}, "channels": {"email", "inapp"}}
	resp, _ := c.submit("/flows/f/notifications/r", "/flows/f/notifications/r", form)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	n := e.Must(200, "GET", "/v1/flows/f/notifications/r", nil).Map(t)
	require.Equal(t, []any{"email", "inapp"}, n["channels"])
	form.Del("channels")
	form.Set("channels", "inapp")
	resp, _ = c.submit("/flows/f/notifications/r", "/flows/f/notifications/r", form)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, []any{"inapp"}, e.Must(200, "GET", "/v1/flows/f/notifications/r", nil).Map(t)["channels"])
}
