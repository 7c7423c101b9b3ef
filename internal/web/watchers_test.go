package web_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCockpitWatchers: a contact's page names the objects it watches, and
// an event's page explains an object without watchers, in German and
// English.
func TestCockpitWatchers(t *testing.T) {
	t.Parallel()
	e := startCockpit(t)
	e.Must(201, "PUT", "/v1/templates/t", map[string]any{"locales": map[string]any{"de": map[string]any{
		"subject": "Ticket", "text": "geändert"}}})
	e.Must(201, "PUT", "/v1/flows/f", map[string]any{"notifications": []any{map[string]any{"key": "updated",
		"event_type": "ticket.updated", "template": "t", "recipients": []string{"watchers"}}}})
	e.Must(201, "PUT", "/v1/projects/p", map[string]any{"flow": "f"})
	e.Must(201, "PUT", "/v1/contacts/anna", map[string]any{"name": "Anna"})
	e.Must(201, "PUT", "/v1/contacts/ben", map[string]any{"name": "Ben"})
	e.Must(201, "PUT", "/v1/objects/ticket/4711", map[string]any{})
	e.Must(201, "PUT", "/v1/objects/ticket/4711/watchers/anna", nil)
	e.Must(201, "PUT", "/v1/objects/project/x%3Cb%3E", map[string]any{"subscribers": []string{"anna"}})
	ev := e.Must(201, "POST", "/v1/events", map[string]any{"type": "ticket.updated", "project": "p",
		"object": map[string]any{"collection": "ticket", "id": "4712"}}).Map(t)

	for _, tt := range []struct{ lang, label, none string }{
		{"de", "Beobachtet", "Benachrichtigung updated: ticket 4712 hat keine Beobachter."},
		{"en", "Watches", "Notification updated: the ticket 4712 has no watchers."},
	} {
		c := newClient(t, e.URL)
		c.lang = tt.lang
		c.signIn(e.Email, e.Password)
		resp, body := c.get("/contacts/anna")
		require.Equal(t, http.StatusOK, resp.StatusCode)
		require.Contains(t, body, "<dt>"+tt.label+"</dt><dd id=\"watching\"><code>project/x&lt;b&gt;</code>, <code>ticket/4711</code></dd>")
		_, body = c.get("/contacts/ben")
		require.Contains(t, body, "<dt>"+tt.label+"</dt><dd id=\"watching\">–</dd>")
		_, body = c.get("/events/" + ev["id"].(string))
		require.Contains(t, body, tt.none)
	}
}
