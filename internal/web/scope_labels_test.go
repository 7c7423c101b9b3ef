package web_test

import (
	"context"
	"net/http"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

// TestBroadcastMessagesNameTheirBroadcast: a broadcast's message links to
// the broadcast (its inline content has no template page), says its
// suppression reason in words, and the message and event lists name the
// broadcast instead of its internal project; a flow's messages show their
// project's name.
func TestBroadcastMessagesNameTheirBroadcast(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	ctx := context.Background()
	for _, ct := range []*model.Contact{
		{ID: "nl-1", Email: "eins@example.org", Name: "Eins", Consents: []string{"newsletter"}},
		{ID: "nl-2", Email: "zwei@example.org", Name: "Zwei"},
	} {
		_, err := e.svc.ContactPut(ctx, e.ws, ct)
		require.NoError(t, err)
	}
	_, err := e.svc.BroadcastPut(ctx, e.ws, &model.Broadcast{Key: "audit-newsletter", Name: "Newsletter März",
		Category: "newsletter", Content: &model.TemplateContent{Subject: "März", Text: "Hallo"},
		Audience: `contact.id.startsWith("nl-")`, PerMinute: 600})
	require.NoError(t, err)
	_, err = e.svc.BroadcastStart(ctx, e.ws, "audit-newsletter", nil)
	require.NoError(t, err)
	var suppressed *model.Message
	apptest.Eventually(t, deliveryWait, func() bool {
		pg, err := e.svc.MessageList(ctx, e.ws, service.MessageFilter{Contact: "nl-2"})
		require.NoError(t, err)
		if len(pg.Items) == 0 {
			return false
		}
		suppressed = pg.Items[0]
		return true
	}, "the broadcast's messages are made")
	require.Equal(t, model.MsgSuppressed, suppressed.Status)
	e.jobRequest(t, "p-anna")

	c := newClient(t, e.URL)
	c.signIn(e.Email, e.Password)
	c.lang = "de"
	resp, body := c.get("/messages/" + suppressed.ID)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, body, `<dd id="message-scope"><a href="/broadcasts/audit-newsletter">Newsletter März</a></dd>`)
	require.Contains(t, body, `<dd id="message-template"><a href="/broadcasts/audit-newsletter">im Mailing enthalten</a>`)
	require.NotContains(t, body, "/templates/broadcast")
	timeline := regexp.MustCompile(`(?s)id="timeline".*?</ol>`).FindString(body)
	require.Contains(t, timeline, "keine Einwilligung")
	require.NotContains(t, timeline, "no_consent")

	_, body = c.get("/messages")
	require.Contains(t, body, `"><a href="/broadcasts/audit-newsletter">Mailing „Newsletter März“</a></td>`)
	require.Contains(t, body, `">Messe Köln 2026</td>`)
	require.NotContains(t, body, `">broadcast</td>`)
	require.NotContains(t, body, `">messe-koeln</td>`)
	_, body = c.get("/events")
	require.Contains(t, body, `"><a href="/broadcasts/audit-newsletter">Mailing „Newsletter März“</a></td>`)
	require.NotContains(t, body, `">broadcast</td>`)
	_, body = c.get("/events/" + suppressed.EventID)
	require.Contains(t, body, `<dd id="event-scope"><a href="/broadcasts/audit-newsletter">Mailing „Newsletter März“</a></dd>`)

	c.lang = "en"
	_, body = c.get("/messages/" + suppressed.ID)
	require.Contains(t, body, `<a href="/broadcasts/audit-newsletter">part of the broadcast</a>`)
	require.Contains(t, regexp.MustCompile(`(?s)id="timeline".*?</ol>`).FindString(body), "no consent")
	_, body = c.get("/messages")
	require.Contains(t, body, `Broadcast “Newsletter März”</a>`)
}

// TestContactWithoutAddressByName: a recipient without an e-mail address
// is named, not shown as "Name <>", in the event's messages and in its
// explanation.
func TestContactWithoutAddressByName(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	res := e.jobRequest(t, "p-clara")
	c := newClient(t, e.URL)
	c.signIn(e.Email, e.Password)
	c.lang = "de"
	_, body := c.get("/events/" + res.Event.ID)
	require.NotContains(t, body, "&lt;&gt;")
	require.Contains(t, body, "Keine Nachricht an Clara Wendt (p-clara): Der Kontakt hat keine E-Mail-Adresse.")
	require.Contains(t, body, ">Clara Wendt</a>")
}
