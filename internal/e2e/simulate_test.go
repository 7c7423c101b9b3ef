package e2e_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/client"
	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/cli"
	"github.com/herold-dev/herold/internal/smtptest"
	"github.com/herold-dev/herold/internal/store"
)

// simEvents are the demo workspace's events of one afternoon and the
// week after: a job request to Anna (mailed, BCC to the agency), a
// booking for Anna that needs confirmation (nobody answers: it expires
// after 7 days), a job request to Clara (no address: suppressed) and one
// to a new contact given inline.
func simEvents() []*client.Event {
	at := func(d time.Duration) *time.Time { t := apptest.Start2026.Add(d); return &t }
	req := func(d time.Duration, promoter client.Actor) *client.Event {
		ev := jobRequest("")
		ev.Actors = map[string][]client.Actor{"promoter": {promoter}}
		ev.OccurredAt = at(d)
		return ev
	}
	booking := &client.Event{Type: "booking.confirmed", Project: "messe-koeln", OccurredAt: at(time.Hour),
		Actors: map[string][]client.Actor{"promoter": {client.ContactID("p-anna")}},
		Data:   map[string]any{"job": "Aufbau", "date": "2026-04-15"}}
	return []*client.Event{
		req(0, client.ContactID("p-anna")),
		booking,
		req(2*time.Hour, client.ContactID("p-clara")),
		req(3*time.Hour+30*time.Second, inline("p-new", "new@example.org")),
	}
}

// roomy is the time a test's simulation may take: the suite runs under
// -race on a loaded machine, many times slower than a server.
const roomy = 5 * time.Minute

// roomySimulations gives the server's simulations that time.
func roomySimulations(s *apptest.Setup) { s.Opts.SimulateTimeout = roomy }

// simDemoEnv is demoEnv with roomy simulations and a client that waits
// for them.
func simDemoEnv(t *testing.T) (*apptest.Env, *client.Client, *smtptest.Server) {
	t.Helper()
	srv := smtptest.Start(t)
	e := apptest.Start(t, apptest.WithSMTP(srv), apptest.WithDemo, roomySimulations)
	return e.WithKey(e.App.Demo.Secret), client.MustNew(e.URL, e.App.Demo.Secret, client.WithTimeout(roomy)), srv
}

// mailKey names a mail by its recipients and subject.
type mailKey struct {
	Rcpts   string
	Subject string
	At      time.Time
}

// TestSimulationEqualsTheEngine simulates a week of events, checks that
// the simulation left the workspace and the SMTP server untouched, then
// lets the real engine (real SQLite, real SMTP server, fake clock) take
// the same events at the same times and compares what was sent, when,
// and what became of the rest.
func TestSimulationEqualsTheEngine(t *testing.T) {
	t.Parallel()
	e, c, srv := simDemoEnv(t)
	ctx := context.Background()
	until := apptest.Start2026.Add(8 * 24 * time.Hour)
	before := workspaceCounts(t, e)

	sim, err := c.Simulate(ctx, "standard", &client.Simulation{Events: simEvents(), Until: &until}, "en")
	require.NoError(t, err)
	require.Equal(t, "standard", sim.Flow)
	require.Equal(t, apptest.Start2026, sim.From)
	require.Equal(t, until, sim.Until)
	require.Len(t, sim.Events, 4)
	require.Equal(t, "booking.confirmed", sim.Events[1].Type)
	require.NotEmpty(t, sim.Events[1].Steps)
	require.Equal(t, "Messages for this event: 1 suppressed.", sim.Events[2].Summary, "Clara has no address")

	// Nothing happened to the workspace: no event, message or contact
	// was written, nothing reached the SMTP server.
	require.Equal(t, before, workspaceCounts(t, e))
	_, err = e.App.Store().ContactGet(ctx, 1, "p-new")
	require.ErrorIs(t, err, store.ErrNotFound, "an inline contact of a simulation is not saved")
	require.Equal(t, 0, srv.Count())

	var simSent []mailKey
	outcomes := map[string]string{}
	at := map[string]time.Time{}
	for _, m := range sim.Messages {
		outcomes[m.To.Email+" "+m.Template] = m.Outcome
		at[m.To.Email+" "+m.Template] = m.At
		if m.Outcome == client.OutcomeSent {
			rcpts := []string{m.To.Email}
			for _, b := range m.BCC {
				rcpts = append(rcpts, b.Email)
			}
			simSent = append(simSent, mailKey{Rcpts: strings.Join(rcpts, ","), Subject: m.Subject, At: m.At})
		}
	}
	require.Equal(t, map[string]string{
		"anna.berger@example.com job-requested":     client.OutcomeSent,
		"anna.berger@example.com booking-confirmed": "expired",
		" job-requested":                "suppressed",
		"new@example.org job-requested": client.OutcomeSent,
	}, outcomes)
	require.True(t, slices.IsSortedFunc(sim.Messages, func(a, b client.SimulatedMessage) int { return a.At.Compare(b.At) }))

	// The confirmation expired the moment its 7 days were over.
	require.Equal(t, apptest.Start2026.Add(time.Hour+7*24*time.Hour+time.Millisecond), at["anna.berger@example.com booking-confirmed"])

	// The engine takes the same events at the same times; its periodic
	// job runs the due work at the moment the simulation said.
	var ids []string
	for _, ev := range simEvents() {
		e.Clock.Set(*ev.OccurredAt)
		res, err := c.SendEvent(ctx, ev)
		require.NoError(t, err)
		for _, m := range res.Messages {
			ids = append(ids, m.ID)
			if m.Status == client.StatusQueued {
				e.WaitStatus(m.ID, "sent", wait)
			}
		}
	}
	e.Clock.Set(at["anna.berger@example.com booking-confirmed"])
	require.NoError(t, e.App.Service().RunDue(ctx))
	e.Clock.Set(until)
	require.NoError(t, e.App.Service().RunDue(ctx))

	var engineSent []mailKey
	engineOutcomes := map[string]string{}
	for _, id := range ids {
		m, err := c.Message(ctx, id)
		require.NoError(t, err)
		outcome := string(m.Status)
		if m.Status == client.StatusSent {
			outcome = client.OutcomeSent
			rcpts := []string{m.To.Email}
			for _, b := range m.BCC {
				rcpts = append(rcpts, b.Email)
			}
			engineSent = append(engineSent, mailKey{Rcpts: strings.Join(rcpts, ","), Subject: m.Subject, At: m.SentAt.UTC()})
		}
		engineOutcomes[m.To.Email+" "+m.Template] = outcome
		if m.Status == client.StatusExpired {
			require.Equal(t, at[m.To.Email+" "+m.Template], m.UpdatedAt.UTC())
		}
	}
	require.Equal(t, outcomes, engineOutcomes)
	require.Equal(t, simSent, engineSent)
	require.Equal(t, len(simSent), srv.Count())
	for i, mail := range srv.Mails() {
		require.Equal(t, simSent[i].Rcpts, strings.Join(mail.Rcpts, ","))
	}
}

// workspaceCounts counts the demo workspace's events and messages.
func workspaceCounts(t *testing.T, e *apptest.Env) [2]int {
	t.Helper()
	ctx := context.Background()
	evs, err := e.App.Store().EventList(ctx, &store.EventListParams{WorkspaceID: 1, Limit: 1000})
	require.NoError(t, err)
	msgs, err := e.App.Store().MessageList(ctx, &store.MessageListParams{WorkspaceID: 1, Limit: 1000})
	require.NoError(t, err)
	return [2]int{len(evs), len(msgs)}
}

func TestSimulationBounds(t *testing.T) {
	t.Parallel()
	e, _, _ := simDemoEnv(t)
	ev := func(at time.Time) map[string]any {
		return map[string]any{"type": "job.requested", "project": "messe-koeln", "occurred_at": at,
			"actors": map[string]any{"promoter": []string{"p-anna"}}}
	}
	t0 := apptest.Start2026
	many := make([]any, 1001)
	for i := range many {
		many[i] = ev(t0)
	}
	for _, tc := range []struct {
		name  string
		path  string
		body  map[string]any
		code  int
		field string
	}{
		{"no events", "standard", map[string]any{"events": []any{}}, 422, "events"},
		{"too many events", "standard", map[string]any{"events": many}, 422, "events"},
		{"no time", "standard", map[string]any{"events": []any{map[string]any{"type": "job.requested", "project": "messe-koeln"}}},
			422, "events[0].occurred_at"},
		{"366 days", "standard", map[string]any{"events": []any{ev(t0)}, "until": t0.Add(366 * 24 * time.Hour)}, 200, ""},
		{"a second more", "standard", map[string]any{"events": []any{ev(t0)}, "until": t0.Add(366*24*time.Hour + time.Second)}, 422, "until"},
		{"events too far apart", "standard", map[string]any{"events": []any{ev(t0), ev(t0.Add(400 * 24 * time.Hour))}}, 422,
			"events[1].occurred_at"},
		{"until before the last event", "standard", map[string]any{"events": []any{ev(t0.Add(time.Hour))}, "until": t0}, 422, "until"},
		{"unknown project", "standard", map[string]any{"events": []any{map[string]any{"type": "job.requested", "project": "nope",
			"occurred_at": t0}}}, 422, "events[0].project"},
		{"unknown flow", "nope", map[string]any{"events": []any{ev(t0)}}, 404, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do("POST", "/v1/flows/"+tc.path+"/simulate", tc.body)
			require.Equal(t, tc.code, r.Status, "%s", r.Body)
			if tc.field == "" {
				return
			}
			require.Equal(t, "application/problem+json", r.Header.Get("Content-Type"))
			var p struct {
				Errors []struct{ Field string } `json:"errors"`
			}
			r.JSON(t, &p)
			require.NotEmpty(t, p.Errors)
			require.Equal(t, tc.field, p.Errors[0].Field)
		})
	}
}

// TestCLISimulate reads a YAML file of events (a date in the data stays
// the string written) and prints the timeline; a bad file or event says
// what to fix.
func TestCLISimulate(t *testing.T) {
	t.Parallel()
	e, _, srv := simDemoEnv(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "events.yaml")
	require.NoError(t, os.WriteFile(file, []byte(`events:
  - type: job.requested
    project: messe-koeln
    occurred_at: 2026-03-02T08:00:00Z
    actors: {promoter: [p-anna]}
    data: {job: Standbetreuung, date: 2026-04-15, reply_by: 2026-03-20}
  - type: booking.confirmed
    project: messe-koeln
    occurred_at: 2026-03-02T09:00:00Z
    actors: {promoter: [p-clara]}
    data: {job: Aufbau, date: 2026-04-15}
until: 2026-03-03T08:00:00Z
`), 0o600))
	run := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := cli.Execute(context.Background(), append(args, "--server", e.URL, "--key", e.Key), &out, &errOut)
		return code, out.String(), errOut.String()
	}
	code, out, errOut := run("simulate", "standard", file)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "Flow standard, 2026-03-02 08:00:00 UTC to 2026-03-03 08:00:00 UTC: 2 events, 1 sent, 1 suppressed.")
	require.Regexp(t, `2026-03-02 08:00:00 UTC +sent +anna.berger@example.com +email +0 +Neue Jobanfrage: Standbetreuung am 15\. April 2026`, out)
	require.Regexp(t, `2026-03-02 09:00:00 UTC +suppressed +p-clara +email +1 +no_email`, out)
	require.Contains(t, out, "Event 1, booking.confirmed at 2026-03-02 09:00:00 UTC: Messages for this event: 1 suppressed.")
	require.Equal(t, 0, srv.Count())

	code, out, errOut = run("simulate", "standard", file, "--json", "--until", "2026-03-02T08:30:00Z")
	require.Equal(t, 1, code, out)
	require.Contains(t, errOut, "until")

	require.NoError(t, os.WriteFile(file, []byte(`[{"type": "job.requested", "project": "messe-koeln"}]`), 0o600))
	code, _, errOut = run("simulate", "standard", file)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "events[0].occurred_at")

	code, _, errOut = run("simulate", "nope", file)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "flow nope not found")
}

// TestSimulationPostsNoWebhookAndFillsNoFeed: a flow on e-mail, in-app
// and the webhook channel, with an endpoint for every event: the
// simulation shows the e-mail and the in-app message, but writes no
// webhook delivery and no feed item; the same event sent for real does
// both (so the checks would see them).
func TestSimulationPostsNoWebhookAndFillsNoFeed(t *testing.T) {
	t.Parallel()
	e, _ := simpleEnv(t, allowHooks, roomySimulations)
	c := client.MustNew(e.URL, e.Key, client.WithTimeout(roomy))
	rc := newHookReceiver(t, 200)
	var ep endpointOut
	e.Must(201, "POST", "/v1/webhooks", map[string]any{"url": rc.srv.URL, "event_types": []string{"*"}}).JSON(t, &ep)
	e.Must(200, "PUT", "/v1/flows/f", map[string]any{"notifications": []any{
		map[string]any{"key": "ping", "event_type": "ping", "template": "ping", "recipients": []string{"role:to"},
			"channels": []string{"email", "inapp", "webhook"}, "webhook": ep.ID},
	}})
	ctx := context.Background()
	ev := ping(1, inline("anna", "anna@example.org"))
	at := e.Clock.Now()
	ev.OccurredAt = &at
	sim, err := c.Simulate(ctx, "f", &client.Simulation{Events: []*client.Event{ev}}, "de")
	require.NoError(t, err)
	var channels []string
	for _, m := range sim.Messages {
		require.Equal(t, client.OutcomeSent, m.Outcome)
		channels = append(channels, m.Channel)
	}
	slices.Sort(channels)
	require.Equal(t, []string{"email", "inapp"}, channels)

	deliveries := func() int {
		var list struct{ Items []deliveryOut }
		e.Must(200, "GET", "/v1/webhook-deliveries", nil).JSON(t, &list)
		return len(list.Items)
	}
	feed := func() int {
		items, err := e.App.Store().FeedList(ctx, &store.FeedListParams{WorkspaceID: 1, ContactID: "anna", Now: e.Clock.Now(), Limit: 10})
		require.NoError(t, err)
		return len(items)
	}
	require.Equal(t, 0, deliveries())
	require.Equal(t, 0, feed())
	require.Equal(t, 0, rc.calls())

	_, err = c.SendEvent(ctx, ev)
	require.NoError(t, err)
	require.Positive(t, deliveries(), "written with the event")
	apptest.Eventually(t, 10*time.Second, func() bool { return feed() == 1 }, "the real event fills the feed")
	apptest.Eventually(t, 10*time.Second, func() bool { return rc.calls() >= 1 }, "the real event is posted")
}

// TestSimulationStopsAtTheMessageBound: 110 events to 101 recipients
// each would plan 11,110 messages; the simulation stops past 10,000 and
// says so at the field events.
func TestSimulationStopsAtTheMessageBound(t *testing.T) {
	t.Parallel()
	e, _ := simpleEnv(t, roomySimulations)
	c := client.MustNew(e.URL, e.Key, client.WithTimeout(roomy))
	ctx := context.Background()
	var to []client.Actor
	var contacts []client.Contact
	for i := range 101 {
		id := fmt.Sprintf("c%d", i)
		contacts = append(contacts, client.Contact{ID: id, Email: id + "@example.org"})
		to = append(to, client.ContactID(id))
	}
	_, err := c.PutContacts(ctx, contacts)
	require.NoError(t, err)
	at := e.Clock.Now()
	events := make([]*client.Event, 110)
	for i := range events {
		events[i] = ping(i, to...)
		events[i].OccurredAt = &at
	}
	_, err = c.Simulate(ctx, "f", &client.Simulation{Events: events}, "en")
	var verr *client.Error
	require.ErrorAs(t, err, &verr)
	require.Equal(t, 422, verr.Status)
	require.Equal(t, "events", verr.Errors[0].Field)
	require.Contains(t, verr.Errors[0].Detail, "more than 10000 messages")
}
