package transfer_test

import (
	"bytes"
	"context"
	"net/http"
	"net/mail"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/client"
	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/cli"
	"github.com/herold-dev/herold/internal/pgtest"
	"github.com/herold-dev/herold/internal/smtptest"
)

// TestMoveFromSQLiteToPostgres is the documented move: herold export from
// the SQLite file, herold import into a fresh PostgreSQL database, start
// there. Configuration, keys, history and pending mail all come along.
func TestMoveFromSQLiteToPostgres(t *testing.T) {
	t.Parallel()
	pgURL := pgtest.NewDatabase(t)
	srv := smtptest.Start(t)

	// The old installation: the demo, a few events, one message still
	// queued (its server stopped before delivering), one awaiting
	// confirmation, a schedule with a run.
	setup := apptest.NewSetup(t)
	setup.Opts.Database = filepath.Join(t.TempDir(), "old.db")
	setup.Opts.Demo = true
	old := apptest.StartWith(t, setup)
	demo := old.WithKey(old.App.Demo.Secret)
	c := client.MustNew(old.URL, old.App.Demo.Secret)
	ctx := context.Background()
	sent, err := c.SendEvent(ctx, &client.Event{Type: "job.requested", Project: "messe-koeln",
		Actors: map[string][]client.Actor{"promoter": {client.ContactID("p-anna")}},
		Data:   map[string]any{"job": "Aufbau", "date": "2026-04-15", "reply_by": "2026-03-20"}})
	require.NoError(t, err)
	demo.WaitStatus(sent.Messages[0].ID, "sent", 15*time.Second)
	held, err := c.SendEvent(ctx, &client.Event{Type: "booking.confirmed", Project: "messe-koeln",
		Actors: map[string][]client.Actor{"promoter": {client.ContactID("p-ben")}},
		Data:   map[string]any{"job": "Aufbau", "date": "2026-04-15"}})
	require.NoError(t, err)
	// A newsletter, whose unsubscribe link must keep working after the move.
	demo.Must(201, "PUT", "/v1/templates/news", map[string]any{"locales": map[string]any{"de": map[string]any{
		"subject": "Neuigkeiten", "html": "<p>Hallo {{ .recipient.name }}</p>"}}})
	newsFlow := map[string]any{"notifications": []any{map[string]any{
		"key": "news", "event_type": "news", "template": "news", "recipients": []string{"role:to"}, "category": "newsletter"}}}
	demo.Must(201, "PUT", "/v1/flows/news", newsFlow)
	demo.Must(200, "PUT", "/v1/flows/news", newsFlow) // version 2, which events of the flow refer to
	demo.Must(201, "PUT", "/v1/projects/news", map[string]any{"name": "News", "flow": "news"})
	news, err := c.SendEvent(ctx, &client.Event{Type: "news", Project: "news", Actors: map[string][]client.Actor{"to": {
		client.Inline(client.Contact{ID: "leser", Email: "leser@example.org", Consents: []string{"newsletter"}})}}})
	require.NoError(t, err)
	demo.WaitStatus(news.Messages[0].ID, "sent", 15*time.Second)
	newsEML := demo.Must(200, "GET", "/v1/messages/"+news.Messages[0].ID+"/eml", nil).Body
	parsed, err := mail.ReadMessage(bytes.NewReader(newsEML))
	require.NoError(t, err)
	link := strings.Trim(parsed.Header.Get("List-Unsubscribe"), "<>")
	require.True(t, strings.HasPrefix(link, old.URL+"/u/"), "List-Unsubscribe %q", link)
	unsubscribePath := strings.TrimPrefix(link, old.URL)
	demo.Must(201, "PUT", "/v1/schedules/nightly", map[string]any{"cron": "0 2 * * *", "source": map[string]any{"kind": "contacts"},
		"condition": "contact.id == 'p-anna'", "event_type": "ping", "project": "sommerfest", "occurrence_key": "x-{{ .contact.id }}"})
	var run struct {
		ID string `json:"id"`
	}
	demo.Must(202, "POST", "/v1/schedules/nightly/run", nil).JSON(t, &run)
	apptest.Eventually(t, 15*time.Second, func() bool {
		return demo.Do("GET", "/v1/schedules/nightly/runs/"+run.ID, nil).Map(t)["status"] == "finished"
	}, "run did not finish")
	// A draft broadcast with its own data moves as it is.
	demo.Must(201, "PUT", "/v1/broadcasts/fruehjahr", map[string]any{"category": "newsletter", "template": "news",
		"data": map[string]any{"title": "Frühjahr"}, "audience": `contact.id == "leser"`, "per_minute": 60})
	old.App.Kill()

	// A queued message the old installation never delivered.
	setup2 := setup
	setup2.NoDelivery = true
	setup2.Opts.Demo = false
	pendingApp := apptest.StartWith(t, setup2)
	pend, err := client.MustNew(pendingApp.URL, old.App.Demo.Secret).SendEvent(ctx, &client.Event{Type: "job.requested",
		Project: "messe-koeln", Actors: map[string][]client.Actor{"promoter": {client.ContactID("p-ben")}},
		Data: map[string]any{"job": "Abbau", "date": "2026-04-16", "reply_by": "2026-03-21"}})
	require.NoError(t, err)
	require.Equal(t, client.StatusQueued, pend.Messages[0].Status)
	pendingApp.App.Kill()

	// Move.
	dump := filepath.Join(t.TempDir(), "herold.jsonl")
	var out, errOut bytes.Buffer
	require.Equal(t, 0, cli.Execute(ctx, []string{"export", "--database", setup.Opts.Database, "--output", dump}, &out, &errOut), errOut.String())
	require.Contains(t, errOut.String(), "exported:")
	errOut.Reset()
	require.Equal(t, 0, cli.Execute(ctx, []string{"import", "--database", pgURL, "--input", dump}, &out, &errOut), errOut.String())
	// flow 3: the test's own, the demo's "standard" and its "mitglieder".
	require.Contains(t, errOut.String(), "event 5, flow 3, message 4")
	// A second import is refused rather than doubling anything.
	errOut.Reset()
	require.Equal(t, 1, cli.Execute(ctx, []string{"import", "--database", pgURL, "--input", dump}, &out, &errOut))
	require.Contains(t, errOut.String(), "exists in the destination already")

	// The new installation on PostgreSQL, delivering to a real server.
	setup3 := apptest.NewSetup(t)
	setup3.Opts.Database = pgURL
	apptest.WithSMTP(srv)(&setup3)
	moved := apptest.StartWith(t, setup3)
	mc := client.MustNew(moved.URL, old.App.Demo.Secret) // the old key still works
	f := moved.WithKey(old.App.Demo.Secret).Must(200, "GET", "/v1/flows/standard", nil).Map(t)
	require.Len(t, f["notifications"], 4)
	f = moved.WithKey(old.App.Demo.Secret).Must(200, "GET", "/v1/flows/news", nil).Map(t)
	require.EqualValues(t, 2, f["version"], "a flow keeps its version number")
	ex, err := mc.Explain(ctx, sent.ID, "en")
	require.NoError(t, err)
	// No SMTP server in this test: the mail went to the capture mailbox.
	require.Equal(t, "Messages for this event: 1 in the test mailbox.", ex.Summary)
	msg, err := mc.Message(ctx, sent.Messages[0].ID)
	require.NoError(t, err)
	require.Equal(t, []string{"planned", "queued", "sending", "sent"}, statuses(msg))
	eml := moved.WithKey(old.App.Demo.Secret).Must(200, "GET", "/v1/messages/"+sent.Messages[0].ID+"/eml", nil)
	require.Contains(t, string(eml.Body), "Neue Jobanfrage")

	// The held confirmation can be approved there, and the queued message
	// goes out with its original Message-ID.
	ds, err := mc.Approve(ctx, []string{held.Messages[0].ID}, "max")
	require.NoError(t, err)
	require.True(t, ds[0].Applied)
	mails := srv.WaitForMails(t, 2, 20*time.Second)
	ids := map[string]bool{}
	for _, m := range mails {
		ids[m.MessageID] = true
	}
	pendMsg, err := mc.Message(ctx, pend.Messages[0].ID)
	require.NoError(t, err)
	require.True(t, ids[pendMsg.MessageID], "the pending message was delivered after the move: %v, want <%s>", ids, pendMsg.MessageID)

	bc := moved.WithKey(old.App.Demo.Secret).Must(200, "GET", "/v1/broadcasts/fruehjahr", nil).Map(t)
	require.Equal(t, "draft", bc["status"])
	require.Equal(t, map[string]any{"title": "Frühjahr"}, bc["data"])
	require.EqualValues(t, 60, bc["per_minute"])

	runs := moved.WithKey(old.App.Demo.Secret).Must(200, "GET", "/v1/schedules/nightly/runs", nil).Map(t)
	require.Len(t, runs["items"], 1)

	// The newsletter's unsubscribe link, sent before the move, works on
	// the new installation (same signing key, workspace named by key).
	resp, err := http.Post(moved.URL+unsubscribePath, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	leser := moved.WithKey(old.App.Demo.Secret).Must(200, "GET", "/v1/contacts/leser", nil).Map(t)
	require.Equal(t, []any{"newsletter"}, leser["opt_outs"])
}

func statuses(m *client.Message) []string {
	var out []string
	for _, e := range m.Timeline {
		out = append(out, string(e.Status))
	}
	return out
}
