package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
)

// TestCockpitWebhookChannel: the notification form offers the webhook
// channel and the workspace's endpoints (German and English), saves the
// choice, shows a missing endpoint at the field, and keeps channel and
// endpoint when the notification is edited again.
func TestCockpitWebhookChannel(t *testing.T) {
	t.Parallel()
	e := startCockpit(t, func(s *apptest.Setup) {
		s.Opts.Webhooks.AllowPrivate, s.Opts.Webhooks.AllowHTTP = true, true
	})
	e.Must(201, "PUT", "/v1/templates/t", map[string]any{"locales": map[string]any{"de": map[string]any{"subject": "x", "text": "x"}}})
	e.Must(201, "PUT", "/v1/flows/f", map[string]any{"notifications": []any{map[string]any{"key": "r",
		"event_type": "reminder", "template": "t", "recipients": []string{"role:to"}}}})
	ep := e.Must(201, "POST", "/v1/webhooks", map[string]any{"url": "http://127.0.0.1:1/crm", "description": "CRM <b>",
		"event_types": []string{"x"}}).Map(t)
	id := ep["id"].(string)

	for _, tt := range []struct{ lang, channel, label string }{
		{"de", "Webhook (einmal je Ereignis, an einen Endpunkt)", "Webhook-Endpunkt"},
		{"en", "webhook (once per event, to an endpoint)", "Webhook endpoint"},
	} {
		c := newClient(t, e.URL)
		c.lang = tt.lang
		c.signIn(e.Email, e.Password)
		_, body := c.get("/flows/f/notifications/r")
		require.Contains(t, body, tt.channel)
		require.Contains(t, body, tt.label)
		require.Contains(t, body, `<option value="`+id+`">CRM &lt;b&gt; (`+id+`)</option>`, "escaped")
	}

	c := newClient(t, e.URL)
	c.lang = "en"
	c.signIn(e.Email, e.Password)
	form := url.Values{"event_type": {"reminder"}, "template": {"t"}, "recipients": {"role:to"}, "status": {"active"},
		"category": {"transactional"}, "channels": {"email", "webhook"}}
	resp, body := c.submit("/flows/f/notifications/r", "/flows/f/notifications/r", form)
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, `id="err-webhook"`)
	form.Set("webhook", id)
	resp, _ = c.submit("/flows/f/notifications/r", "/flows/f/notifications/r", form)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	n := e.Must(200, "GET", "/v1/flows/f/notifications/r", nil).Map(t)
	require.Equal(t, []any{"email", "webhook"}, n["channels"])
	require.Equal(t, id, n["webhook"])
	_, body = c.get("/flows/f/notifications/r")
	require.Contains(t, body, `name="channels" value="webhook" checked`)
	require.Contains(t, body, `<option value="`+id+`" selected>`)
}
