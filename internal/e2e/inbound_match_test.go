package e2e_test

import (
	"context"
	netsmtp "net/smtp"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/client"
	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/smtptest"
)

// newMail is a person's mail to rcpt (envelope and To) that answers
// nothing Herold can see: no In-Reply-To, no References.
func newMail(from, rcpt, subject, text, extra string) []byte {
	return []byte(strings.ReplaceAll(`From: `+from+`
To: `+rcpt+`
Subject: `+subject+`
Message-ID: <`+strings.ReplaceAll(text, " ", "-")+`@example.org>
`+extra+`Content-Type: text/plain; charset=utf-8

`+text+`
`, "\n", "\r\n"))
}

// TestReplyTokenMatchesWithoutInReplyTo: with reply tracking on, the
// notification's Reply-To is the workspace's signed reply address
// (replacing the flow's); a reply to it without In-Reply-To becomes a
// mail.received event on the ticket that mails its agent. A forged token
// is not trusted: with In-Reply-To the mail is matched by that, without
// anything else it makes no event. (Off by default, the flow's Reply-To
// stands: TestReplyBecomesEventOnTicket.)
func TestReplyTokenMatchesWithoutInReplyTo(t *testing.T) {
	t.Parallel()
	e, c, srv := ticketEnv(t)
	ctx := context.Background()
	notify := func(status string) string {
		t.Helper()
		res, err := c.SendEvent(ctx, &client.Event{Type: "ticket.updated", Project: "support",
			Object: &client.ObjectRef{Collection: "tickets", ID: "T-1234"}, Data: map[string]any{"status": status},
			Actors: map[string][]client.Actor{"customer": {inline("kunde", "kunde@example.org")}}})
		require.NoError(t, err)
		e.WaitStatus(res.Messages[0].ID, "sent", wait)
		return res.Messages[0].ID
	}
	e.Must(200, "PATCH", "/v1/workspace", map[string]any{"inbound": map[string]any{"reply_tracking": true}})
	id := notify("in Arbeit")
	sent := srv.WaitForMails(t, 1, wait)[0]
	reply := strings.Trim(sent.Header.Get("Reply-To"), "<>")
	require.Regexp(t, `^default\+r\.[a-z2-7]{26}\.[a-z2-7]{13}@inbound\.test$`, reply)

	send := func(rcpt string, raw []byte) { sendInbound(t, e, rcpt, raw) }
	send(reply, newMail("Kunde <kunde@example.org>", reply, "Re: Ihr Ticket", "Danke schön", ""))
	evs := replies(t, c)
	require.Len(t, evs, 1)
	require.Equal(t, "support", evs[0].Project)
	require.Equal(t, &client.ObjectRef{Collection: "tickets", ID: "T-1234"}, evs[0].Object)
	require.Equal(t, id, evs[0].Data["in_reply_to"])
	require.Equal(t, "reply_token", evs[0].Data["matched_by"])
	mails := srv.WaitForMails(t, 2, wait)
	require.Equal(t, []string{"agent@herold.example"}, mails[1].Rcpts, "the reply mails the ticket's agent")

	// The same token with another signature.
	sig := regexp.MustCompile(`\.[a-z2-7]{13}@`).FindString(reply)
	forged := strings.Replace(reply, sig, ".aaaaaaaaaaaaa@", 1)
	require.NotEqual(t, reply, forged)
	send(forged, newMail("Kunde <kunde@example.org>", forged, "Re: Ihr Ticket", "Gefälscht", ""))
	require.Len(t, replies(t, c), 1, "a forged token with nothing else matches nothing")
	send(forged, newMail("Kunde <kunde@example.org>", forged, "Re: Ihr Ticket", "Gefälscht mit Bezug",
		"In-Reply-To: <"+sent.MessageID+">\r\n"))
	evs = replies(t, c)
	require.Len(t, evs, 2)
	require.Equal(t, "in_reply_to", evs[0].Data["matched_by"], "the forged token is passed over for In-Reply-To")
}

// TestSubjectTokenAndRulesMatch: with a subject token and rules set, a new
// mail that names [T-1234] becomes an event on tickets/T-1234 in project
// support (and mails its agent); a mail to the workspace's +sales address
// becomes an event in project sales; one that meets neither makes none.
// Bad settings are refused at save with the field's path.
func TestSubjectTokenAndRulesMatch(t *testing.T) {
	t.Parallel()
	e, c, srv := ticketEnv(t)
	p := e.Must(422, "PATCH", "/v1/workspace", map[string]any{"inbound": map[string]any{
		"subject_token": map[string]any{"pattern": `\[(T-\d+`, "collection": "tickets", "project": "support"},
		"rules":         []any{map[string]any{"project": "sales"}}}}).Map(t)
	require.Contains(t, p["errors"], map[string]any{"field": "inbound.subject_token.pattern", "code": "invalid",
		"detail": "is not a valid pattern: missing closing ): `\\[(T-\\d+`"})
	require.Contains(t, fieldsOf(p), "inbound.rules[0].sender_domain")
	p = e.Must(422, "PATCH", "/v1/workspace", map[string]any{"inbound": map[string]any{
		"subject_token": map[string]any{"pattern": `\[T-\d+\]`, "collection": "tickets", "project": "support"}}}).Map(t)
	require.Equal(t, []string{"inbound.subject_token.pattern"}, fieldsOf(p), "a pattern without a group")
	p = e.Must(422, "PATCH", "/v1/workspace", map[string]any{"inbound": map[string]any{
		"subject_token": map[string]any{"pattern": strings.Repeat("a", 201) + "(b)", "collection": "tickets", "project": "support"}}}).Map(t)
	require.Equal(t, []string{"inbound.subject_token.pattern"}, fieldsOf(p), "a pattern too long")

	e.Must(201, "PUT", "/v1/projects/sales", map[string]any{})
	e.Must(200, "PATCH", "/v1/workspace", map[string]any{"inbound": map[string]any{
		"subject_token": map[string]any{"pattern": `\[(T-\d+)\]`, "collection": "tickets", "project": "support"},
		"rules":         []any{map[string]any{"tag": "sales", "project": "sales"}}}})
	send := func(rcpt string, raw []byte) { sendInbound(t, e, rcpt, raw) }
	send("default@inbound.test", newMail("kunde@example.org", "default@inbound.test", "Frage zu [T-1234]", "Wann kommt der Techniker", ""))
	evs := replies(t, c)
	require.Len(t, evs, 1)
	require.Equal(t, "support", evs[0].Project)
	require.Equal(t, &client.ObjectRef{Collection: "tickets", ID: "T-1234"}, evs[0].Object)
	require.Equal(t, "subject_token", evs[0].Data["matched_by"])
	require.Equal(t, []string{"agent@herold.example"}, srv.WaitForMails(t, 1, wait)[0].Rcpts, "the ticket's flow runs")

	send("default+sales@inbound.test", newMail("einkauf@kunde.example", "default+sales@inbound.test", "Angebot", "Bitte ein Angebot", ""))
	evs = replies(t, c)
	require.Len(t, evs, 2)
	require.Equal(t, "sales", evs[0].Project)
	require.Nil(t, evs[0].Object)
	require.Equal(t, "rule", evs[0].Data["matched_by"])

	send("default+other@inbound.test", newMail("einkauf@kunde.example", "default+other@inbound.test", "Hallo [X-1]", "Nur so", ""))
	require.Len(t, replies(t, c), 2, "mail no method matches makes no event")
}

// sendInbound hands raw to the inbound listener over SMTP, for rcpt.
func sendInbound(t *testing.T, e *apptest.Env, rcpt string, raw []byte) {
	t.Helper()
	require.NoError(t, netsmtp.SendMail(e.App.InboundAddr(), nil, "kunde@example.org", []string{rcpt}, raw))
}

// fieldsOf lists the fields of a problem's errors.
func fieldsOf(p map[string]any) []string {
	var out []string
	for _, e := range p["errors"].([]any) {
		out = append(out, e.(map[string]any)["field"].(string))
	}
	return out
}

// TestReplyTrackingNeedsNoAllowedSender: the tracked Reply-To is Herold's
// inbound domain, which the workspace's allowed senders need not name; the
// message still goes out, with it.
func TestReplyTrackingNeedsNoAllowedSender(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	e := apptest.Start(t, apptest.WithSMTP(srv), withInbound)
	var created struct {
		Key struct {
			Secret string `json:"secret"`
		} `json:"api_key"`
	}
	e.Must(201, "POST", "/v1/workspaces", map[string]any{"key": "sued", "allowed_senders": []string{"agentur-sued.example"},
		"sender": map[string]any{"from": "dispo@agentur-sued.example"}, "inbound": map[string]any{"reply_tracking": true}}).JSON(t, &created)
	sued := e.WithKey(created.Key.Secret)
	sued.Must(201, "PUT", "/v1/templates/t", map[string]any{"locales": map[string]any{"de": map[string]any{"subject": "Hallo", "text": "Text"}}})
	sued.Must(201, "PUT", "/v1/flows/f", map[string]any{"notifications": []any{
		map[string]any{"key": "n", "event_type": "ping", "template": "t", "recipients": []string{"role:to"}}}})
	sued.Must(201, "PUT", "/v1/projects/p", map[string]any{"flow": "f"})
	res, err := client.MustNew(e.URL, created.Key.Secret).SendEvent(context.Background(), ping(1, inline("c1", "c1@example.org")))
	require.NoError(t, err)
	sued.WaitStatus(res.Messages[0].ID, "sent", wait)
	require.Regexp(t, `^<sued\+r\.[a-z2-7.]+@inbound\.test>$`, srv.WaitForMails(t, 1, wait)[0].Header.Get("Reply-To"))
}
