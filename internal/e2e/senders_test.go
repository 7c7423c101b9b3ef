package e2e_test

import (
	"bytes"
	"context"
	"fmt"
	"net/mail"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/client"
	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/cli"
	"github.com/herold-dev/herold/internal/smtptest"
)

// fieldErrors returns a 422 body's errors by field.
func fieldErrors(t *testing.T, r *apptest.Response) map[string]map[string]any {
	t.Helper()
	var p struct {
		Errors []map[string]any `json:"errors"`
	}
	r.JSON(t, &p)
	out := map[string]map[string]any{}
	for _, e := range p.Errors {
		out[fmt.Sprint(e["field"])] = e
	}
	return out
}

// operatorCLI runs `herold ARGS --database` on the server's database, as
// an operator would next to the running server.
func operatorCLI(t *testing.T, e *apptest.Env, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	args = append(args, "--database", e.Setup.Opts.Database)
	code := cli.Execute(context.Background(), args, &out, &errOut)
	require.Zero(t, code, "herold %v: %s", args, errOut.String())
	return out.String()
}

// Issue 12, point 5: a workspace cannot send as another. The foreign
// sender and the attacker's Reply-To are refused when saved, and a
// message made after the operator narrowed the list fails without being
// sent.
func TestForeignSenderRefusedAtSaveAndAtSend(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	e := apptest.Start(t, apptest.WithSMTP(srv))
	ctx := context.Background()

	// A workspace created without allowed senders cannot even name one.
	errs := fieldErrors(t, e.Must(422, "POST", "/v1/workspaces", map[string]any{"key": "nord",
		"sender": map[string]any{"from": "dispo@agentur-nord.example"}}))
	require.Equal(t, "sender_not_allowed", errs["sender.from"]["code"])
	require.Contains(t, errs["sender.from"]["detail"], "has not allowed any sender")

	errs = fieldErrors(t, e.Must(422, "POST", "/v1/workspaces", map[string]any{"key": "nord",
		"allowed_senders": []string{"agentur-nord.example", "*.evil.example"}}))
	require.Equal(t, "invalid", errs["allowed_senders[1]"]["code"])

	var created struct {
		Workspace struct {
			AllowedSenders []string `json:"allowed_senders"`
		} `json:"workspace"`
		Key struct {
			Secret string `json:"secret"`
		} `json:"api_key"`
	}
	e.Must(201, "POST", "/v1/workspaces", map[string]any{"key": "sued", "allowed_senders": []string{"Agentur-Sued.example"},
		"sender": map[string]any{"from": "Agentur Süd <dispo@agentur-sued.example>"}}).JSON(t, &created)
	require.Equal(t, []string{"agentur-sued.example"}, created.Workspace.AllowedSenders)
	sued := e.WithKey(created.Key.Secret)

	// Its admins cannot widen the list themselves.
	errs = fieldErrors(t, sued.Must(422, "PATCH", "/v1/workspace", map[string]any{"allowed_senders": []string{"*"}}))
	require.Equal(t, "unknown_field", errs["allowed_senders"]["code"])
	sued.Must(403, "POST", "/v1/workspaces", map[string]any{"key": "x", "allowed_senders": []string{"*"}})

	// The attack: another workspace's sender and an attacker's Reply-To.
	foreign := map[string]any{"from": "Agentur Nord <dispo@agentur-nord.example>", "reply_to": "attacker@evil.example"}
	content := map[string]any{"de": map[string]any{"subject": "Hallo", "text": "Text"}}
	errs = fieldErrors(t, sued.Must(422, "PUT", "/v1/templates/t", map[string]any{"sender": foreign, "locales": content}))
	require.Equal(t, "sender_not_allowed", errs["sender.from"]["code"])
	require.Equal(t, `From dispo@agentur-nord.example is not allowed for workspace "sued"; allowed: agentur-sued.example`, errs["sender.from"]["detail"])
	require.Equal(t, "sender_not_allowed", errs["sender.reply_to"]["code"])
	errs = fieldErrors(t, sued.Must(422, "PUT", "/v1/flows/f", map[string]any{"sender": foreign, "notifications": []any{}}))
	require.Contains(t, errs, "sender.from")
	require.Contains(t, errs, "sender.reply_to")
	errs = fieldErrors(t, sued.Must(422, "PATCH", "/v1/workspace", map[string]any{"sender": foreign}))
	require.Contains(t, errs, "sender.from")
	require.Contains(t, errs, "sender.reply_to")

	// Its own domain is fine; the message goes out.
	sued.Must(201, "PUT", "/v1/templates/t", map[string]any{"locales": content,
		"sender": map[string]any{"reply_to": "Büro <buero@agentur-sued.example>"}})
	sued.Must(201, "PUT", "/v1/flows/f", map[string]any{"notifications": []any{
		map[string]any{"key": "n", "event_type": "ping", "template": "t", "recipients": []string{"role:to"}}}})
	sued.Must(201, "PUT", "/v1/projects/p", map[string]any{"flow": "f"})
	c := client.MustNew(e.URL, created.Key.Secret)
	res, err := c.SendEvent(ctx, ping(1, inline("c1", "c1@example.org")))
	require.NoError(t, err)
	sued.WaitStatus(res.Messages[0].ID, "sent", wait)
	require.Equal(t, 1, srv.Count())

	// The operator narrows the list: what was saved before no longer goes out.
	require.Contains(t, operatorCLI(t, e, "workspaces", "senders", "sued", "tickets.agentur-sued.example"),
		"Workspace sued may send as: tickets.agentur-sued.example")
	res, err = c.SendEvent(ctx, ping(2, inline("c1", "c1@example.org")))
	require.NoError(t, err)
	id := res.Messages[0].ID
	sued.WaitStatus(id, "failed", wait)
	m, err := c.Message(ctx, id)
	require.NoError(t, err)
	require.Contains(t, m.Reason, `sender refused: From dispo@agentur-sued.example is not allowed for workspace "sued"; allowed: tickets.agentur-sued.example`)
	ex, err := c.Explain(ctx, res.ID, "en")
	require.NoError(t, err)
	require.Contains(t, fmt.Sprint(ex.Steps), "sender refused: From dispo@agentur-sued.example is not allowed")
	require.Equal(t, 1, srv.Count(), "the refused message was never sent")

	// The bootstrap workspace keeps sending as anyone.
	e.Must(200, "PATCH", "/v1/workspace", map[string]any{"sender": map[string]any{"from": "noreply@anything.example"}})
}

// Issue 12, point 13: senders may have placeholders. A per-ticket
// Reply-To is rendered per message and arrives at the SMTP server; a
// render that yields a line break or no address fails the message for
// good; mistakes in the template are refused when saved, with line and
// column.
func TestSenderPlaceholdersRenderedAndChecked(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	e := apptest.Start(t, apptest.WithSMTP(srv))
	ctx := context.Background()
	operatorCLI(t, e, "workspaces", "senders", "default", "herold.example")
	content := map[string]any{"de": map[string]any{"subject": "Ticket {{ .object.id }}", "text": "Text"}}

	errs := fieldErrors(t, e.Must(422, "PUT", "/v1/templates/t", map[string]any{"locales": content,
		"sender": map[string]any{"from": "Support <support@herold.example>", "reply_to": "tickets+{{ .objekt.id }}@herold.example"}}))
	require.Equal(t, "template_error", errs["sender.reply_to"]["code"])
	require.EqualValues(t, 1, errs["sender.reply_to"]["line"])
	require.EqualValues(t, 12, errs["sender.reply_to"]["column"], "the column of .objekt")
	errs = fieldErrors(t, e.Must(422, "PUT", "/v1/templates/t", map[string]any{"locales": content,
		"sender": map[string]any{"from": "Support <support@herold.example>", "reply_to": "tickets+{{ .object.id @herold.example"}}))
	require.Equal(t, "template_error", errs["sender.reply_to"]["code"])
	errs = fieldErrors(t, e.Must(422, "PUT", "/v1/templates/t", map[string]any{"locales": content,
		"sender": map[string]any{"from": "Support <support@herold.example>", "reply_to": "tickets+{{ .object.id }}@evil.example"}}))
	require.Equal(t, "sender_not_allowed", errs["sender.reply_to"]["code"])
	errs = fieldErrors(t, e.Must(422, "PUT", "/v1/templates/t", map[string]any{"locales": content,
		"sender": map[string]any{"from": "Support <support@herold.example>", "reply_to": "{{ .data.reply }}"}}))
	require.Equal(t, "sender_not_allowed", errs["sender.reply_to"]["code"], "a domain that is a placeholder cannot be checked")

	e.Must(201, "PUT", "/v1/templates/t", map[string]any{"locales": content, "sender": map[string]any{
		"from": "Support <support@herold.example>", "reply_to": "Tickets <tickets+{{ .object.id }}{{ .data.suffix }}@herold.example>"}})
	e.Must(201, "PUT", "/v1/flows/f", map[string]any{"notifications": []any{
		map[string]any{"key": "n", "event_type": "ticket", "template": "t", "recipients": []string{"role:to"}}}})
	e.Must(201, "PUT", "/v1/projects/p", map[string]any{"flow": "f"})
	e.Must(201, "PUT", "/v1/objects/tickets/42", map[string]any{"attributes": map[string]any{}})
	c := client.MustNew(e.URL, e.Key)
	send := func(suffix string) *client.EventResult {
		res, err := c.SendEvent(ctx, &client.Event{Type: "ticket", Project: "p",
			Object: &client.ObjectRef{Collection: "tickets", ID: "42"},
			Actors: map[string][]client.Actor{"to": {inline("c1", "c1@example.org")}},
			Data:   map[string]any{"suffix": suffix}})
		require.NoError(t, err)
		require.Len(t, res.Messages, 1)
		return res
	}

	ok := send("")
	e.WaitStatus(ok.Messages[0].ID, "sent", wait)
	mails := srv.WaitForMails(t, 1, wait)
	replyTo, err := mail.ParseAddress(mails[0].Header.Get("Reply-To"))
	require.NoError(t, err)
	require.Equal(t, "tickets+42@herold.example", replyTo.Address)
	require.Equal(t, "Tickets", replyTo.Name)

	for _, tc := range []struct{ suffix, reason string }{
		{"\r\nBcc: victim@evil.example", "contains a line break"},
		{"@evil.example> <x", "is not a valid e-mail address"},
	} {
		res := send(tc.suffix)
		id := res.Messages[0].ID
		e.WaitStatus(id, "failed", wait)
		m, err := c.Message(ctx, id)
		require.NoError(t, err)
		require.Contains(t, m.Reason, tc.reason)
		require.Contains(t, m.Reason, "Reply-To")
	}
	require.Equal(t, 1, srv.Count(), "the failed renders were never sent")
}

// Issue 12, point 13: a manual send in a project whose flow has a sender
// uses the flow's sender, in the order of every other send: template,
// flow, workspace.
func TestManualSendInAProjectUsesTheFlowSender(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	e := apptest.Start(t, apptest.WithSMTP(srv))
	ctx := context.Background()
	e.Must(200, "PATCH", "/v1/workspace", map[string]any{"sender": map[string]any{
		"from": "Workspace <ws@herold.example>", "reply_to": "ws-reply@herold.example"}})
	content := map[string]any{"de": map[string]any{"subject": "Hallo", "text": "Text"}}
	e.Must(201, "PUT", "/v1/templates/plain", map[string]any{"locales": content})
	e.Must(201, "PUT", "/v1/templates/own", map[string]any{"locales": content,
		"sender": map[string]any{"from": "Template <tpl@herold.example>"}})
	e.Must(201, "PUT", "/v1/flows/f", map[string]any{"sender": map[string]any{"from": "Flow <flow@herold.example>"},
		"notifications": []any{}})
	e.Must(201, "PUT", "/v1/projects/p", map[string]any{"flow": "f"})
	c := client.MustNew(e.URL, e.Key)

	for i, tc := range []struct{ template, project, from, replyTo string }{
		{"plain", "p", "flow@herold.example", "ws-reply@herold.example"},
		{"own", "p", "tpl@herold.example", "ws-reply@herold.example"},
		{"plain", "", "ws@herold.example", "ws-reply@herold.example"},
	} {
		var res client.EventResult
		require.NoError(t, c.Do(ctx, "POST", "/v1/messages", map[string]any{"template": tc.template,
			"project": tc.project, "recipients": []string{"email:c1@example.org"}}, &res))
		e.WaitStatus(res.Messages[0].ID, "sent", wait)
		mails := srv.WaitForMails(t, i+1, wait)
		from, err := mail.ParseAddress(mails[i].Header.Get("From"))
		require.NoError(t, err)
		require.Equal(t, tc.from, from.Address, "template %s in project %q", tc.template, tc.project)
		replyTo, err := mail.ParseAddress(mails[i].Header.Get("Reply-To"))
		require.NoError(t, err)
		require.Equal(t, tc.replyTo, replyTo.Address)
	}
}
