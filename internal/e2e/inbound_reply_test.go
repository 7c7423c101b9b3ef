package e2e_test

import (
	"context"
	netsmtp "net/smtp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/client"
	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/smtptest"
)

// ticketEnv: a helpdesk flow. "ticket.updated" mails the customer;
// "mail.received" (a reply) mails the ticket's primary agent. The inbound
// listener takes mail for default@inbound.test; at most 2 replies of one
// sender on one ticket per window become events.
func ticketEnv(t *testing.T, mods ...func(*apptest.Setup)) (*apptest.Env, *client.Client, *smtptest.Server) {
	t.Helper()
	srv := smtptest.Start(t)
	e := apptest.Start(t, append([]func(*apptest.Setup){apptest.WithSMTP(srv), withInbound, func(s *apptest.Setup) { s.Opts.Inbound.Throttle = 2 }}, mods...)...)
	e.Must(200, "PATCH", "/v1/workspace", map[string]any{"sender": map[string]any{
		"from": "Helpdesk <noreply@herold.example>", "reply_to": "default@inbound.test"}})
	e.Must(201, "PUT", "/v1/templates/updated", map[string]any{"locales": map[string]any{"de": map[string]any{
		"subject": "[{{ .object.id }}] Ihr Ticket wurde aktualisiert", "text": "Status: {{ .data.status }}"}}})
	e.Must(201, "PUT", "/v1/templates/reply", map[string]any{"locales": map[string]any{"de": map[string]any{
		"subject": "Antwort von {{ .data.from }}", "text": "{{ .data.text }}"}}})
	e.Must(201, "PUT", "/v1/flows/helpdesk", map[string]any{"notifications": []any{
		map[string]any{"key": "updated", "event_type": "ticket.updated", "template": "updated", "recipients": []string{"role:customer"}},
		map[string]any{"key": "reply", "event_type": "mail.received", "template": "reply", "recipients": []string{"role:primary"}},
	}})
	e.Must(201, "PUT", "/v1/projects/support", map[string]any{"flow": "helpdesk"})
	e.Must(201, "PUT", "/v1/contacts/agent", map[string]any{"email": "agent@herold.example", "name": "Agent"})
	e.Must(201, "PUT", "/v1/objects/tickets/T-1234", map[string]any{"contacts": map[string]any{"primary": []string{"agent"}}})
	return e, client.MustNew(e.URL, e.Key), srv
}

func replyTo(messageID, extra, text string) []byte {
	return []byte(strings.ReplaceAll(`From: Kunde <kunde@example.org>
To: default@inbound.test
Subject: Re: [T-1234] Ihr Ticket wurde aktualisiert
In-Reply-To: <`+messageID+`>
Message-ID: <reply-`+strings.ReplaceAll(text, " ", "-")+`@example.org>
`+extra+`Content-Type: text/plain; charset=utf-8

`+text+`

Am 02.03.2026 um 10:00 schrieb Helpdesk:
> Status: in Arbeit
`, "\n", "\r\n"))
}

// TestReplyBecomesEventOnTicket: a customer's reply to a ticket
// notification, received over SMTP, becomes a mail.received event on that
// ticket (quote stripped) that mails the ticket's agent; an automatic
// reply to the same notification makes no event; past the throttle, the
// sender's further replies on the ticket are recorded but make no event.
func TestReplyBecomesEventOnTicket(t *testing.T) {
	t.Parallel()
	e, c, srv := ticketEnv(t)
	ctx := context.Background()
	res, err := c.SendEvent(ctx, &client.Event{Type: "ticket.updated", Project: "support",
		Object: &client.ObjectRef{Collection: "tickets", ID: "T-1234"}, Data: map[string]any{"status": "in Arbeit"},
		Actors: map[string][]client.Actor{"customer": {inline("kunde", "kunde@example.org")}}})
	require.NoError(t, err)
	e.WaitStatus(res.Messages[0].ID, "sent", wait)
	sent := srv.WaitForMails(t, 1, wait)[0]
	require.Equal(t, "<default@inbound.test>", sent.Header.Get("Reply-To"))

	send := func(raw []byte) {
		t.Helper()
		require.NoError(t, netsmtp.SendMail(e.App.InboundAddr(), nil, "kunde@example.org", []string{"default@inbound.test"}, raw))
	}
	send(replyTo(sent.MessageID, "Auto-Submitted: auto-replied\r\n", "Ich bin im Urlaub"))
	require.Empty(t, replies(t, c), "an automatic reply makes no event")

	send(replyTo(sent.MessageID, "", "Danke, geht wieder"))
	evs := replies(t, c)
	require.Len(t, evs, 1)
	ev := evs[0]
	require.Equal(t, "support", ev.Project)
	require.Equal(t, &client.ObjectRef{Collection: "tickets", ID: "T-1234"}, ev.Object)
	require.Equal(t, "kunde@example.org", ev.Data["from"])
	require.Equal(t, "Danke, geht wieder", ev.Data["text"], "the quote is stripped")
	require.Equal(t, res.Messages[0].ID, ev.Data["in_reply_to"])
	mails := srv.WaitForMails(t, 2, wait)
	require.Equal(t, []string{"agent@herold.example"}, mails[1].Rcpts, "the reply mails the ticket's agent")
	require.Contains(t, string(mails[1].Data), "Danke, geht wieder")

	send(replyTo(sent.MessageID, "", "Noch eine Frage"))
	send(replyTo(sent.MessageID, "", "Und noch eine"))
	require.Len(t, replies(t, c), 2, "the third reply within the window is throttled")
	send(replyTo(sent.MessageID, "", "Danke, geht wieder"))
	require.Len(t, replies(t, c), 2, "a redelivered reply makes no second event")
}

func replies(t *testing.T, c *client.Client) []*client.StoredEvent {
	t.Helper()
	var out []*client.StoredEvent
	for ev, err := range c.Events(context.Background(), client.EventFilter{Type: "mail.received"}) {
		require.NoError(t, err)
		out = append(out, ev)
	}
	return out
}
