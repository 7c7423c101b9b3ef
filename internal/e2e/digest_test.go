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
	"github.com/herold-dev/herold/internal/smtptest"
)

// digestEnv starts a server whose notification "update" collects into a
// digest with the given spec, rendered by a template that lists the items
// it receives and the exact total. jobEvery is how often the periodic job
// closes due digests (long: the test closes them itself).
func digestEnv(t *testing.T, digest map[string]any, jobEvery time.Duration, modify ...func(*apptest.Setup)) (*apptest.Env, *client.Client) {
	t.Helper()
	modify = append(modify, func(s *apptest.Setup) { s.Jobs.DigestEvery = jobEvery })
	e := apptest.Start(t, modify...)
	e.Must(200, "PATCH", "/v1/workspace", map[string]any{"sender": map[string]any{"from": "Herold Test <noreply@herold.example>"}})
	e.Must(201, "PUT", "/v1/templates/digest", map[string]any{"locales": map[string]any{"de": map[string]any{
		"subject": "{{ .digest.total }} Updates zu {{ .digest.key }}",
		"html":    `<ul>{{ range .digest.items }}<li>#{{ .data.n }}</li>{{ end }}</ul>{{ if .digest.more }}<p>+{{ .digest.more }} weitere</p>{{ end }}`,
		"text":    `{{ range .digest.items }}#{{ .data.n }} {{ end }}total={{ .digest.total }} shown={{ .digest.shown }}`,
	}}})
	e.Must(201, "PUT", "/v1/flows/f", map[string]any{"notifications": []any{
		map[string]any{"key": "update", "event_type": "update", "template": "digest", "recipients": []string{"role:to"}, "digest": digest},
	}})
	e.Must(201, "PUT", "/v1/projects/p", map[string]any{"flow": "f"})
	return e, client.MustNew(e.URL, e.Key)
}

func update(n int, ticket string, to client.Actor) *client.Event {
	return &client.Event{Type: "update", Project: "p", Actors: map[string][]client.Actor{"to": {to}},
		Data: map[string]any{"n": n, "ticket": ticket}}
}

// closeDue runs the closing step at the server's (fake) time, as the
// periodic job does.
func closeDue(t *testing.T, e *apptest.Env) int {
	t.Helper()
	n, err := e.App.Service().CloseDueDigests(context.Background(), e.Clock.Now())
	require.NoError(t, err)
	return n
}

// TestDigestFixedWindowSendsOneMailPerKey: events for one recipient and
// two tickets collect into two digests (the key template); nothing is
// sent before the fixed window ends, a minute short of it either; at its
// end the periodic job turns each digest into exactly one mail on the
// delivery path, with the last three items shown and the exact total.
// Explain says, in English and German, "still open, closing at …" and
// then "sent … with N items"; closing again sends nothing.
func TestDigestFixedWindowSendsOneMailPerKey(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	e, c := digestEnv(t, map[string]any{"key": "{{ .data.ticket }}", "window": map[string]any{"type": "fixed", "duration": "1h"},
		"show": "last", "show_items": 3}, 50*time.Millisecond, apptest.WithSMTP(srv))
	ctx := context.Background()
	anna := inline("anna", "anna@example.org")
	var first string
	for i := 1; i <= 5; i++ {
		res, err := c.SendEvent(ctx, update(i, "T-1", anna))
		require.NoError(t, err)
		require.Empty(t, res.Messages, "collected, not sent")
		if i == 1 {
			first = res.ID
		}
		e.Clock.Advance(time.Minute)
	}
	other, err := c.SendEvent(ctx, update(6, "T-2", anna))
	require.NoError(t, err)

	ex, err := c.Explain(ctx, first, "en")
	require.NoError(t, err)
	require.Contains(t, stepText(ex, "digest.collected"), "collected into a digest (fixed window)")
	require.Equal(t, "Collected into the digest for anna / T-1: still open, closing on 2026-03-02 at 10:00 (5 items so far).",
		stepText(ex, "digest.open"))
	// The summary says where the event went, not that nothing was sent.
	require.Equal(t, "This event was collected into the digest for anna / T-1, which will be sent on 2026-03-02 at 10:00 (5 items so far).",
		ex.Summary)
	exDE, err := c.Explain(ctx, other.ID, "de")
	require.NoError(t, err)
	require.Equal(t, "Dieses Ereignis wurde in die Sammelnachricht für anna / T-2 aufgenommen, die am 02.03.2026 um 10:05 versendet wird (bisher 1 Eintrag).",
		exDE.Summary)

	e.Clock.Set(apptest.Start2026.Add(time.Hour - time.Millisecond))
	require.Zero(t, closeDue(t, e), "a millisecond short of the window")
	require.Zero(t, srv.Count())

	e.Clock.Set(apptest.Start2026.Add(time.Hour + 5*time.Minute))
	mails := srv.WaitForMails(t, 2, wait)
	byKey := map[string]smtptest.Mail{}
	for _, m := range mails {
		byKey[m.Header.Get("Subject")] = m
	}
	a, ok := byKey["5 Updates zu T-1"]
	require.True(t, ok, "subjects: %v", keysOf(byKey))
	require.Equal(t, "#3 #4 #5 total=5 shown=3", strings.TrimSpace(a.Text))
	require.Contains(t, a.HTML, "<li>#3</li><li>#4</li><li>#5</li>")
	require.Contains(t, a.HTML, "+2 weitere")
	require.Equal(t, []string{"anna@example.org"}, a.Rcpts)
	b, ok := byKey["1 Updates zu T-2"]
	require.True(t, ok)
	require.Equal(t, "#6 total=1 shown=1", strings.TrimSpace(b.Text))
	require.NotContains(t, b.HTML, "weitere")

	require.Zero(t, closeDue(t, e), "a closed digest is closed once")
	ex, err = c.Explain(ctx, first, "en")
	require.NoError(t, err)
	require.Regexp(t, `^Collected into the digest for anna / T-1, sent on 2026-03-02 at 10:0\d with 5 items\.$`, stepText(ex, "digest.sent"))
	msgID := stepMessage(ex, "digest.sent")
	require.NotEmpty(t, msgID, "the step names the digest's message")
	e.WaitStatus(msgID, "sent", wait) // the mail arrived; its outcome is recorded right after
	ex, err = c.Explain(ctx, first, "en")
	require.NoError(t, err)
	require.NotEmpty(t, stepText(ex, "message.sent"), "the first event's explanation follows the digest's message")
	require.Regexp(t, `^This event was collected into the digest for anna / T-1, which closed on 2026-03-02 at 10:0\d and became message `+
		msgID+` \(status: sent\)\.$`, ex.Summary, "the summary points at the digest's message")
	exDE, err = c.Explain(ctx, other.ID, "de")
	require.NoError(t, err)
	require.Regexp(t, `^In der Sammelnachricht für anna / T-2 gesammelt, versendet am 02\.03\.2026 um 10:0\d mit 1 Eintrag\.$`,
		stepText(exDE, "digest.sent"))
	otherMsg := stepMessage(exDE, "digest.sent")
	e.WaitStatus(otherMsg, "sent", wait)
	exDE, err = c.Explain(ctx, other.ID, "de")
	require.NoError(t, err)
	require.Regexp(t, `^Dieses Ereignis wurde in die Sammelnachricht für anna / T-2 aufgenommen, die am 02\.03\.2026 um 10:0\d abgeschlossen `+
		`und zur Nachricht `+otherMsg+` wurde \(Status: gesendet\)\.$`, exDE.Summary)
	require.Equal(t, 2, srv.Count(), "never a second mail")
}

func stepMessage(ex *client.Explanation, code string) string {
	for _, s := range ex.Steps {
		if string(s.Code) == code {
			return s.Message
		}
	}
	return ""
}

func keysOf[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestDigestSlidingWindowAndMaxItems: a sliding window closes its
// duration after the latest item; max_items closes a digest early, at the
// item that reaches it (its transaction queues the closing job, so the
// mail leaves without waiting for the periodic run), and the next item
// opens a new one.
func TestDigestSlidingWindowAndMaxItems(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	e, c := digestEnv(t, map[string]any{"window": map[string]any{"type": "sliding", "duration": "10m", "max": "30m"}, "max_items": 4},
		time.Hour, apptest.WithSMTP(srv))
	ctx := context.Background()
	anna := inline("anna", "anna@example.org")
	send := func(n int) {
		t.Helper()
		_, err := c.SendEvent(ctx, update(n, "x", anna))
		require.NoError(t, err)
	}
	start := apptest.Start2026
	send(1)
	e.Clock.Set(start.Add(8 * time.Minute))
	send(2) // the close moves to +18m
	e.Clock.Set(start.Add(17 * time.Minute))
	require.Zero(t, closeDue(t, e), "moved by the second item")
	e.Clock.Set(start.Add(18 * time.Minute))
	require.Equal(t, 1, closeDue(t, e), "10 minutes after the latest item")
	m := srv.WaitForMails(t, 1, wait)[0]
	require.Equal(t, "#1 #2 total=2 shown=2", strings.TrimSpace(m.Text))

	for i := 3; i <= 7; i++ {
		send(i)
	}
	// The periodic job runs hourly here: the transaction that filled the
	// digest queued its closing.
	mails := srv.WaitForMails(t, 2, wait)
	require.Equal(t, "#3 #4 #5 #6 total=4 shown=4", strings.TrimSpace(mails[1].Text))
	require.Zero(t, closeDue(t, e), "the seventh item's digest is open")
	e.Clock.Set(start.Add(28 * time.Minute))
	require.Equal(t, 1, closeDue(t, e))
	mails = srv.WaitForMails(t, 3, wait)
	require.Equal(t, "#7 total=1 shown=1", strings.TrimSpace(mails[2].Text))
}

// TestDigestCalendarInTheRecipientsTimeZone: "daily at 08:00" is the
// recipient contact's 08:00 (New York), else the workspace's (Berlin),
// on the spring DST day of Europe (Berlin's 08:00 is 06:00 UTC on
// 29 March 2026, 07:00 UTC the day before).
func TestDigestCalendarInTheRecipientsTimeZone(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	e, c := digestEnv(t, map[string]any{"window": map[string]any{"type": "calendar", "every": "daily", "at": "08:00"}},
		time.Hour, apptest.WithSMTP(srv), func(s *apptest.Setup) {
			s.Clock.Set(time.Date(2026, 3, 28, 12, 0, 0, 0, time.UTC)) // Saturday, the day before Europe's DST change
		})
	ctx := context.Background()
	ny := client.Inline(client.Contact{ID: "ny", Email: "ny@example.org", Timezone: "America/New_York"})
	berlin := inline("berlin", "berlin@example.org")
	for i, to := range []client.Actor{ny, berlin, ny} {
		_, err := c.SendEvent(ctx, update(i+1, "x", to))
		require.NoError(t, err)
	}
	for _, step := range []struct {
		at    time.Time
		n     int
		mails int
	}{
		{time.Date(2026, 3, 29, 5, 59, 59, 0, time.UTC), 0, 0},
		{time.Date(2026, 3, 29, 6, 0, 0, 0, time.UTC), 1, 1},   // 08:00 CEST: Berlin's
		{time.Date(2026, 3, 29, 11, 59, 0, 0, time.UTC), 0, 1}, // 07:59 EDT
		{time.Date(2026, 3, 29, 12, 0, 0, 0, time.UTC), 1, 2},  // 08:00 EDT: New York's
	} {
		e.Clock.Set(step.at)
		require.Equal(t, step.n, closeDue(t, e), "at %s", step.at)
		srv.WaitForMails(t, step.mails, wait)
		require.Equal(t, step.mails, srv.Count(), "at %s", step.at)
	}
	mails := srv.Mails()
	require.Equal(t, []string{"berlin@example.org"}, mails[0].Rcpts)
	require.Equal(t, "#2 total=1 shown=1", strings.TrimSpace(mails[0].Text))
	require.Equal(t, []string{"ny@example.org"}, mails[1].Rcpts)
	require.Equal(t, "#1 #3 total=2 shown=2", strings.TrimSpace(mails[1].Text))
}

// TestDigestSpecIsValidatedWithFieldPaths: a bad digest spec is refused
// with the path of each wrong field; a digest on a notification that
// cannot have one names why, on the notification field to change.
func TestDigestSpecIsValidatedWithFieldPaths(t *testing.T) {
	t.Parallel()
	e, _ := digestEnv(t, map[string]any{"window": map[string]any{"type": "fixed", "duration": "1h"}}, time.Hour)
	for _, c := range []struct {
		digest map[string]any
		extra  map[string]any
		field  string
	}{
		{map[string]any{"window": map[string]any{"type": "sliding", "duration": "10m"}}, nil, "notifications[0].digest.window.max"},
		{map[string]any{"window": map[string]any{"type": "calendar", "every": "weekly", "at": "07:00", "weekday": "montag"}}, nil,
			"notifications[0].digest.window.weekday"},
		{map[string]any{"key": "{{ .data.x ", "window": map[string]any{"type": "fixed", "duration": "1h"}}, nil, "notifications[0].digest.key"},
		{map[string]any{"window": map[string]any{"type": "fixed", "duration": "1h"}}, map[string]any{"status": "confirm"}, "notifications[0].status"},
		{map[string]any{"window": map[string]any{"type": "fixed", "duration": "1h"}}, map[string]any{"cc": []string{"email:x@example.org"}}, "notifications[0].cc"},
		{map[string]any{"window": map[string]any{"type": "fixed", "duration": "1h"}}, map[string]any{"channels": []string{"email", "inapp"}},
			"notifications[0].channels"},
		{map[string]any{"window": map[string]any{"type": "fixed", "duration": "1h"}},
			map[string]any{"throttle": []any{map[string]any{"max": 1, "window": "1h"}}}, "notifications[0].throttle"},
	} {
		n := map[string]any{"key": "update", "event_type": "update", "template": "digest", "recipients": []string{"role:to"}, "digest": c.digest}
		for k, v := range c.extra {
			n[k] = v
		}
		r := e.Do("PUT", "/v1/flows/f", map[string]any{"notifications": []any{n}})
		require.Equal(t, 422, r.Status, "%v: %s", c.digest, r.Body)
		require.Contains(t, string(r.Body), fmt.Sprintf("%q", c.field), "%s", r.Body)
	}
	got := e.Must(200, "GET", "/v1/flows/f", nil).Map(t)
	n := got["notifications"].([]any)[0].(map[string]any)
	require.Equal(t, map[string]any{"type": "fixed", "duration": "1h"}, n["digest"].(map[string]any)["window"], "the stored spec round-trips")
}

// TestDigestFullIsSentWithoutWaitingForThePeriodicRun: the transaction
// whose item fills a digest (max_items) queues the closing job, so its
// mail leaves at once although the periodic run comes only hourly here.
func TestDigestFullIsSentWithoutWaitingForThePeriodicRun(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	e, c := digestEnv(t, map[string]any{"window": map[string]any{"type": "fixed", "duration": "1h"}, "max_items": 2},
		time.Hour, apptest.WithSMTP(srv))
	ctx := context.Background()
	// First see the periodic job's run at start happen, so that it cannot
	// be what sends Anna's digest below: Ben's digest is made due while no
	// server runs, and the next server's run at start closes it. (Advancing
	// the clock under a running server raced with that run: when it came
	// first, Ben's digest was not due yet and the next run was an hour away.)
	_, err := c.SendEvent(ctx, update(1, "x", inline("ben", "ben@example.org")))
	require.NoError(t, err)
	require.NoError(t, e.App.Stop(ctx))
	e.Clock.Advance(time.Hour)
	e = apptest.StartWith(t, e.Setup) // same database and clock
	c = client.MustNew(e.URL, e.Key)
	require.Equal(t, []string{"ben@example.org"}, srv.WaitForMails(t, 1, wait)[0].Rcpts)

	anna := inline("anna", "anna@example.org")
	for i := 2; i <= 3; i++ {
		_, err := c.SendEvent(ctx, update(i, "x", anna))
		require.NoError(t, err)
	}
	m := srv.WaitForMails(t, 2, wait)[1]
	require.Equal(t, []string{"anna@example.org"}, m.Rcpts)
	require.Equal(t, "#2 #3 total=2 shown=2", strings.TrimSpace(m.Text))
}

// TestDigestRespectsAnOptOutMadeWhileOpen: a newsletter digest collects
// two items for anna; she opts out of the category by e-mail before its
// window ends. At the close the digest's one message is stored as
// suppressed (opted_out) and nothing reaches the mail server: her choice
// at sending time decides, as for every other message.
func TestDigestRespectsAnOptOutMadeWhileOpen(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	e, c := digestEnv(t, map[string]any{"window": map[string]any{"type": "fixed", "duration": "1h"}}, time.Hour, apptest.WithSMTP(srv))
	e.Must(200, "PUT", "/v1/flows/f", map[string]any{"notifications": []any{
		map[string]any{"key": "update", "event_type": "update", "template": "digest", "recipients": []string{"role:to"},
			"category": "newsletter", "digest": map[string]any{"window": map[string]any{"type": "fixed", "duration": "1h"}}},
	}})
	ctx := context.Background()
	require.NoError(t, c.PutContact(ctx, &client.Contact{ID: "anna", Email: "anna@example.org", Consents: []string{"newsletter"}}))
	for i := 1; i <= 2; i++ {
		_, err := c.SendEvent(ctx, update(i, "x", client.ContactID("anna")))
		require.NoError(t, err)
	}
	_, err := c.SetPreferences(ctx, "anna", []client.PreferenceUpdate{{Category: "newsletter", Email: "out"}})
	require.NoError(t, err)
	e.Clock.Advance(time.Hour)
	require.Equal(t, 1, closeDue(t, e), "the digest closes into its one message")
	var list struct {
		Items []struct {
			Status string `json:"status"`
			Reason string `json:"reason"`
		} `json:"items"`
	}
	e.Must(200, "GET", "/v1/messages?contact=anna", nil).JSON(t, &list)
	require.Len(t, list.Items, 1)
	require.Equal(t, "suppressed", list.Items[0].Status)
	require.Equal(t, "opted_out", list.Items[0].Reason)
	require.Empty(t, srv.Mails(), "nothing was sent")
}
