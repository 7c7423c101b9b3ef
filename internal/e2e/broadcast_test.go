package e2e_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/client"
	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
	"github.com/herold-dev/herold/internal/smtptest"
)

func bcReport(t *testing.T, e *apptest.Env, key string) service.BroadcastReport {
	t.Helper()
	var r service.BroadcastReport
	e.Must(200, "GET", "/v1/broadcasts/"+key+"/report", nil).JSON(t, &r)
	return r
}

// waitScanned waits until the broadcast looked at n contacts and its
// messages left the queue, moving the fake clock by step meanwhile (a
// paced broadcast's messages wait for their time). A step well below the
// delivery lease (30 s) keeps claimed messages from expiring on the fake
// clock before they are sent.
func waitScanned(t *testing.T, e *apptest.Env, key string, n int, step time.Duration) service.BroadcastReport {
	t.Helper()
	var r service.BroadcastReport
	for deadline := time.Now().Add(2 * wait); ; {
		r = bcReport(t, e, key)
		if r.Scanned >= n && r.Queued == 0 {
			break
		}
		require.True(t, time.Now().Before(deadline), "broadcast %s did not get to %d contacts: %+v", key, n, r)
		e.Clock.Advance(step)
		time.Sleep(10 * time.Millisecond)
	}
	require.Equal(t, n, r.Scanned, "%+v", r)
	return r
}

// newsletterMembers stores n members b-001 …: every 10th without consent
// to the newsletter, every 25th (of the others) opted out of it. It
// returns who may get the newsletter.
func newsletterMembers(t *testing.T, e *apptest.Env, n int) map[string]bool {
	t.Helper()
	var contacts []any
	ok := map[string]bool{}
	for i := range n {
		id := fmt.Sprintf("b-%03d", i+1)
		c := map[string]any{"id": id, "email": id + "@example.org", "name": "Mitglied " + id,
			"attributes": map[string]any{"status": "aktiv"}, "consents": []string{"newsletter"}}
		switch {
		case i%10 == 0:
			c["consents"] = []string{}
		case i%25 == 1:
			c["opt_outs"] = []string{"newsletter"}
		default:
			ok[id+"@example.org"] = true
		}
		contacts = append(contacts, c)
	}
	e.Must(200, "POST", "/v1/contacts/bulk", map[string]any{"contacts": contacts})
	return ok
}

func putNewsletter(t *testing.T, e *apptest.Env, key string, perMinute int) {
	t.Helper()
	e.Must(201, "PUT", "/v1/broadcasts/"+key, map[string]any{"name": "Mitgliederbrief März", "category": "newsletter",
		"content": map[string]any{"subject": "{{ .data.title }}",
			"html": "<h1>{{ .data.title }}</h1>{{ range .data.articles }}<p><a href=\"{{ .link }}\">{{ .title }}</a></p>{{ end }}",
			"text": "{{ .data.title }}, {{ .recipient.name }}"},
		"data": map[string]any{"title": "Vereinsnachrichten 3/2026", "articles": []any{
			map[string]any{"title": "Sommerfest", "link": "https://tv-musterstadt.example/sommerfest"}}},
		"audience": `contact.status == "aktiv"`, "per_minute": perMinute})
}

// checkMails checks that every mail went to a member who may get the
// newsletter, at most once each, and returns how many there were.
func checkMails(t *testing.T, srv *smtptest.Server, ok map[string]bool) int {
	t.Helper()
	seen := map[string]int{}
	for _, m := range srv.Mails() {
		for _, rc := range m.Rcpts {
			seen[rc]++
		}
		require.Contains(t, string(m.Data), "Vereinsnachrichten 3/2026")
	}
	for rc, n := range seen {
		require.True(t, ok[rc], "%s has no consent or opted out, yet got the newsletter", rc)
		require.Equal(t, 1, n, "%s got the newsletter %d times", rc, n)
	}
	return len(seen)
}

// TestBroadcastPauseResumeCancel sends a newsletter to 300 members at 100
// a minute on a real SMTP server: paused after the first minute it sends
// nothing more, resumed it goes on with the next members, cancelled it
// stops, and the mails of its last minute still waiting are suppressed;
// every member got it at most once, none without consent or opted out,
// and the report's figures are the server's.
func TestBroadcastPauseResumeCancel(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	e, _ := associationEnv(t, srv, apptest.Start2026)
	ok := newsletterMembers(t, e, 300)
	putNewsletter(t, e, "nl-2026-03", 100)

	var view struct {
		Status string `json:"status"`
	}
	e.Must(200, "POST", "/v1/broadcasts/nl-2026-03/start", nil).JSON(t, &view)
	require.Equal(t, "running", view.Status)
	apptest.Eventually(t, wait, func() bool { return bcReport(t, e, "nl-2026-03").Scanned == 100 }, "no first batch")
	e.Must(200, "POST", "/v1/broadcasts/nl-2026-03/pause", nil).JSON(t, &view)
	require.Equal(t, "paused", view.Status)
	// The first minute's mails (queued before the pause) go out over
	// that minute; then nothing more, however long it stays paused.
	r := waitScanned(t, e, "nl-2026-03", 100, 2*time.Second)
	require.Equal(t, 86, r.Sent)
	e.Clock.Advance(10 * time.Minute)
	e.Must(409, "POST", "/v1/broadcasts/nl-2026-03/pause", nil)
	e.Must(409, "PUT", "/v1/broadcasts/nl-2026-03", map[string]any{"category": "newsletter", "template": "birthday"})
	require.Equal(t, 100, bcReport(t, e, "nl-2026-03").Scanned)

	e.Must(200, "POST", "/v1/broadcasts/nl-2026-03/resume", nil)
	apptest.Eventually(t, wait, func() bool { return bcReport(t, e, "nl-2026-03").Scanned == 200 }, "no second batch")
	e.Must(200, "POST", "/v1/broadcasts/nl-2026-03/cancel", nil).JSON(t, &view)
	require.Equal(t, "cancelled", view.Status)
	e.Must(409, "POST", "/v1/broadcasts/nl-2026-03/resume", nil)

	r = waitScanned(t, e, "nl-2026-03", 200, 2*time.Second)
	require.Equal(t, model.BroadcastCancelled, r.Status)
	require.Equal(t, 200, r.Audience)
	require.Equal(t, 200, r.Messages)
	require.Equal(t, r.Sent, srv.Count(), "the report's sent figure is the server's")
	require.Equal(t, r.Sent, checkMails(t, srv, ok))
	require.Equal(t, 20, r.SuppressedBy["no_consent"])
	require.Equal(t, 8, r.SuppressedBy["opted_out"])
	require.Equal(t, r.Messages, r.Sent+r.Suppressed+r.Failed)
	// The second minute's first mail is due at once and may be sent
	// before the cancel; the rest waited and were cancelled.
	require.Equal(t, 172, r.Sent+r.SuppressedBy["broadcast_cancelled"])
	require.GreaterOrEqual(t, r.SuppressedBy["broadcast_cancelled"], 85, "%+v", r)
	for _, m := range srv.Mails() {
		id := strings.TrimSuffix(m.Rcpts[0], "@example.org")
		require.LessOrEqual(t, id, "b-200", "members after the cancel got nothing")
	}

	// Explained like any other message: where it came from, and why a
	// member got nothing.
	c := client.MustNew(e.URL, e.Key)
	why := func(contact string) *client.Explanation {
		var page struct {
			Items []struct {
				EventID string `json:"event_id"`
			} `json:"items"`
		}
		e.Must(200, "GET", "/v1/messages?contact="+contact, nil).JSON(t, &page)
		require.Len(t, page.Items, 1, "one message for %s", contact)
		ex, err := c.Explain(context.Background(), page.Items[0].EventID, "de")
		require.NoError(t, err)
		require.Equal(t, "Vom Mailing Mitgliederbrief März (nl-2026-03) an die Kontakte seiner Zielgruppe gesendet.",
			stepText(ex, "event.broadcast"))
		return ex
	}
	require.Contains(t, stepText(why("b-101"), "recipient.suppressed"), "Es fehlt die Einwilligung in newsletter-Nachrichten")
	require.Contains(t, stepText(why("b-200"), "message.cancelled"), "ihr Mailing wurde am")
	require.Contains(t, stepText(why("b-003"), "message.sent"), "b-003@example.org")
}

// TestBroadcastResumesAfterCrash kills the server after the first batch
// of a paced newsletter; the next server goes on from the stored progress
// and every member who may get it gets it exactly once.
func TestBroadcastResumesAfterCrash(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	setup := apptest.NewSetup(t)
	apptest.WithSMTP(srv)(&setup)
	e := apptest.StartWith(t, setup)
	configureAssociation(t, e)
	ok := newsletterMembers(t, e, 150)
	putNewsletter(t, e, "nl", 100)
	e.Must(200, "POST", "/v1/broadcasts/nl/start", nil)
	apptest.Eventually(t, wait, func() bool { return bcReport(t, e, "nl").Scanned == 100 }, "no first batch")
	e.App.Kill()

	e2 := apptest.StartWith(t, setup) // same database and clock
	r := waitScanned(t, e2, "nl", 150, 2*time.Second)
	require.Equal(t, model.BroadcastDone, r.Status)
	require.Equal(t, len(ok), r.Sent)
	require.Equal(t, len(ok), srv.Count())
	require.Equal(t, len(ok), checkMails(t, srv, ok), "each exactly once")
}
