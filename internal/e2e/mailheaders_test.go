package e2e_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/client"
	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/smtptest"
)

// headerEnv starts a server that sends to a test SMTP server, with one
// template whose subject names the recipient, used by a transactional
// notification ("einsatz") and a newsletter ("news").
func headerEnv(t *testing.T) (*apptest.Env, *client.Client, *smtptest.Server) {
	t.Helper()
	srv := smtptest.Start(t)
	e := apptest.Start(t, apptest.WithSMTP(srv))
	e.Must(200, "PATCH", "/v1/workspace", map[string]any{"sender": map[string]any{"from": "Herold Test <noreply@herold.example>"}})
	e.Must(201, "PUT", "/v1/templates/einsatz", map[string]any{"locales": map[string]any{"de": map[string]any{
		"subject": `Einsatz-Bestätigung für {{ .recipient.name }}{{ get .data "rest" }}`,
		"text":    "Hallo {{ .recipient.name }}",
	}}})
	e.Must(201, "PUT", "/v1/flows/f", map[string]any{"notifications": []any{
		map[string]any{"key": "einsatz", "event_type": "einsatz", "template": "einsatz", "recipients": []string{"role:to"}},
		map[string]any{"key": "news", "event_type": "news", "template": "einsatz", "recipients": []string{"role:to"}, "category": "newsletter"},
	}})
	e.Must(201, "PUT", "/v1/projects/p", map[string]any{"flow": "f"})
	return e, client.MustNew(e.URL, e.Key), srv
}

// sendAndWait sends an event of type typ to Jürgen and returns the mail
// the SMTP server received for it.
func sendAndWait(t *testing.T, e *apptest.Env, c *client.Client, srv *smtptest.Server, typ string, data map[string]any) smtptest.Mail {
	t.Helper()
	juergen := client.Inline(client.Contact{ID: "juergen", Email: "juergen@example.org", Name: "Jürgen Weiß", Consents: []string{"newsletter"}})
	before := srv.Count()
	res, err := c.SendEvent(context.Background(), &client.Event{Type: typ, Project: "p",
		Actors: map[string][]client.Actor{"to": {juergen}}, Data: data})
	require.NoError(t, err)
	require.Len(t, res.Messages, 1)
	e.WaitStatus(res.Messages[0].ID, "sent", wait)
	mails := srv.Mails()
	require.Len(t, mails, before+1, "one mail more, for this event")
	return mails[before]
}

// TestMailHeadersReadByPython sends mail through the SMTP path and reads
// what the server received with Python's email package (default policy),
// which keeps the space that starts a continuation line: a subject or
// List-Unsubscribe folded right after the field name came back as
// " Einsatz-…" or " <https://…>".
func TestMailHeadersReadByPython(t *testing.T) {
	t.Parallel()
	e, c, srv := headerEnv(t)
	long := ": Messe Köln, Halle 7, Stand B-12 – Aufbau Montag früh, Abbau Freitag ab 18 Uhr"
	for _, tt := range []struct {
		name, rest, want string
	}{
		{"short subject", "", "Einsatz-Bestätigung für Jürgen Weiß"},
		{"subject over 78 characters", long, "Einsatz-Bestätigung für Jürgen Weiß" + long},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := sendAndWait(t, e, c, srv, "news", map[string]any{"rest": tt.rest})
			py := smtptest.ReadWithPython(t, m.Data)
			require.Empty(t, py.Defects)
			require.Equal(t, tt.want, py.Header("Subject"))
			require.Equal(t, "Jürgen Weiß", py.To[0])
			link := m.Header.Get("List-Unsubscribe")
			require.True(t, strings.HasPrefix(link, "<"+e.URL+"/u/") && strings.HasSuffix(link, ">"), "List-Unsubscribe: %q", link)
			require.Greater(t, len("List-Unsubscribe: "+link), 78, "the field must be long enough to need folding")
			require.Equal(t, link, py.Header("List-Unsubscribe"))
			require.True(t, bytes.Contains(m.Data, []byte("\r\nList-Unsubscribe: <")), "List-Unsubscribe starts on the field's line:\n%s", m.Data)
		})
	}
}

// TestBulkMailIsMarked checks on a real SMTP round trip that mail of a
// consent category carries List-Id and "Precedence: bulk" besides
// Auto-Submitted, and transactional mail only Auto-Submitted.
func TestBulkMailIsMarked(t *testing.T) {
	t.Parallel()
	e, c, srv := headerEnv(t)
	news := sendAndWait(t, e, c, srv, "news", nil)
	einsatz := sendAndWait(t, e, c, srv, "einsatz", nil)
	for _, tt := range []struct {
		name                                        string
		m                                           smtptest.Mail
		listID, precedence, unsubscribePost, autoSb string
	}{
		// The test server's base URL is http://127.0.0.1:port: no domain
		// name, so the id takes RFC 2919's "localhost" namespace.
		{"newsletter", news, "<newsletter.default.localhost>", "bulk", "List-Unsubscribe=One-Click", "auto-generated"},
		{"transactional", einsatz, "", "", "", "auto-generated"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			py := smtptest.ReadWithPython(t, tt.m.Data)
			for _, h := range []struct{ name, want string }{
				{"List-Id", tt.listID}, {"Precedence", tt.precedence},
				{"List-Unsubscribe-Post", tt.unsubscribePost}, {"Auto-Submitted", tt.autoSb},
			} {
				require.Equal(t, h.want, tt.m.Header.Get(h.name), "%s as go-message reads it", h.name)
				require.Equal(t, h.want, py.Header(h.name), "%s as Python reads it", h.name)
			}
		})
	}
}
