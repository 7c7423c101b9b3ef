// Package scaletest runs several Herold replicas (in-process apps, each with
// its own River client and connection pool) against one PostgreSQL
// database and checks that nothing is lost or doubled: deliveries spread
// over the replicas, a replica dies mid-send, periodic work runs once,
// PostgreSQL restarts under load.
package scaletest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/client"
	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/channel/smtp"
	"github.com/herold-dev/herold/internal/clock"
	"github.com/herold-dev/herold/internal/pgtest"
	"github.com/herold-dev/herold/internal/smtptest"
)

// cluster is N replicas on one database.
type cluster struct {
	replicas []*apptest.Env
	clients  []*client.Client
	srv      *smtptest.Server
	extra    []*smtptest.Server // sinks of single replicas
	setup    apptest.Setup
}

// mails is everything every sink received.
func (c *cluster) mails() []smtptest.Mail {
	out := c.srv.Mails()
	for _, s := range c.extra {
		out = append(out, s.Mails()...)
	}
	return out
}

func startCluster(t *testing.T, n int, database string, srv *smtptest.Server, modify ...func(*apptest.Setup)) *cluster {
	return startClusterWith(t, n, database, srv, nil, modify...)
}

// startClusterWith starts n replicas; replica i sends to sinks[i] when
// given, else to srv.
func startClusterWith(t *testing.T, n int, database string, srv *smtptest.Server, sinks map[int]*smtptest.Server,
	modify ...func(*apptest.Setup),
) *cluster {
	t.Helper()
	setup := apptest.NewSetup(t)
	setup.Opts.Database = database
	apptest.WithSMTP(srv)(&setup)
	setup.Clock = clock.NewFake(apptest.Start2026)
	for _, m := range modify {
		m(&setup)
	}
	c := &cluster{srv: srv, setup: setup}
	for i := 0; i < n; i++ {
		rs := setup
		if sink := sinks[i]; sink != nil {
			apptest.WithSMTP(sink)(&rs)
			c.extra = append(c.extra, sink)
		}
		e := apptest.StartWith(t, rs)
		c.replicas = append(c.replicas, e)
		c.clients = append(c.clients, client.MustNew(e.URL, e.Key))
	}
	first := c.replicas[0]
	first.Must(200, "PATCH", "/v1/workspace", map[string]any{"sender": map[string]any{"from": "Herold <noreply@herold.example>"}})
	first.Must(201, "PUT", "/v1/templates/t", map[string]any{"locales": map[string]any{"de": map[string]any{
		"subject": "Nachricht {{ get .data \"n\" }}", "text": "Hallo {{ .recipient.name }}"}}})
	first.Must(201, "PUT", "/v1/flows/f", map[string]any{"notifications": []any{
		map[string]any{"key": "n", "event_type": "ping", "template": "t", "recipients": []string{"role:to"}}}})
	first.Must(201, "PUT", "/v1/projects/p", map[string]any{"flow": "f"})
	return c
}

// sendEvents posts n events (one recipient each) in batches, round-robin
// over the replicas, retrying a batch that failed (as a host application
// would while the database restarts). It returns the ids of the accepted
// messages. It does not fail the test itself, so it can run in a
// goroutine.
func (c *cluster) sendEvents(n, batch int) ([]string, error) {
	var ids []string
	for start, i := 0, 0; start < n; start, i = start+batch, i+1 {
		var events []*client.Event
		for j := start; j < min(start+batch, n); j++ {
			events = append(events, &client.Event{Type: "ping", Project: "p",
				IdempotencyKey: fmt.Sprintf("ev-%d", j), Data: map[string]any{"n": j},
				Actors: map[string][]client.Actor{"to": {client.Inline(client.Contact{
					ID: fmt.Sprintf("c-%d", j%500), Email: fmt.Sprintf("c%d@example.org", j%500), Name: "Person"})}}})
		}
		var results []client.BatchResult
		deadline := time.Now().Add(2 * time.Minute)
		for {
			var err error
			results, err = c.clients[i%len(c.clients)].SendEvents(context.Background(), events)
			if err == nil {
				break
			}
			if time.Now().After(deadline) {
				return ids, fmt.Errorf("batch at %d never accepted: %w", start, err)
			}
			i++ // try the next replica after a pause, as a client would
			time.Sleep(100 * time.Millisecond)
		}
		for _, r := range results {
			if r.Err != nil || len(r.Result.Messages) != 1 {
				return ids, fmt.Errorf("event %d: error %v, result %+v", start+r.Index, r.Err, r.Result)
			}
			ids = append(ids, r.Result.Messages[0].ID)
		}
	}
	return ids, nil
}

// waitDelivered waits until the sink has n distinct Message-IDs and returns
// how many mails arrived more than once.
func (c *cluster) waitDelivered(t *testing.T, n int, timeout time.Duration) (duplicates int) {
	t.Helper()
	apptest.Eventually(t, timeout, func() bool { return len(distinct(c.mails())) >= n },
		"fewer than %d distinct messages delivered", n)
	seen := distinct(c.mails())
	require.Len(t, seen, n, "only the accepted messages are delivered")
	for _, k := range seen {
		duplicates += k - 1
	}
	return duplicates
}

func distinct(mails []smtptest.Mail) map[string]int {
	out := map[string]int{}
	for _, m := range mails {
		out[m.MessageID]++
	}
	return out
}

func TestThreeReplicasDeliverEverythingOnce(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	c := startCluster(t, 3, pgtest.NewDatabase(t), srv)
	const n = 10_000
	start := time.Now()
	ids, err := c.sendEvents(n, 500)
	require.NoError(t, err)
	require.Len(t, ids, n)
	accepted := time.Since(start)
	dups := c.waitDelivered(t, n, 4*time.Minute)
	t.Logf("%d events accepted in %v, delivered by three replicas in %v", n, accepted, time.Since(start))
	require.Equal(t, 0, dups, "no message twice")
	require.Equal(t, n, srv.Count())
	for _, id := range ids[:50] {
		require.Equal(t, "sent", c.replicas[0].MessageStatus(id))
	}
}

func TestKilledReplicaLosesNothing(t *testing.T) {
	t.Parallel()
	// Replica 2 sends to a sink that stalls every DATA for 1.5 s, so that it
	// surely has sends in flight when it is killed; the others to a quick
	// one.
	var stalled atomic.Int64
	slow := smtptest.Start(t, smtptest.WithDelay(func(int) time.Duration {
		stalled.Add(1)
		return 1500 * time.Millisecond
	}))
	srv := smtptest.Start(t)
	c := startClusterWith(t, 3, pgtest.NewDatabase(t), srv, map[int]*smtptest.Server{2: slow}, func(s *apptest.Setup) {
		// On the real clock with short leases: the living replicas renew
		// theirs (every second, while the sink stalls), the dead one's run
		// out after 3 s and are taken over.
		s.RealClock, s.Lease = true, 3*time.Second
	})
	const n = 2_000
	ids, err := c.sendEvents(n, 250)
	require.NoError(t, err)
	require.Len(t, ids, n)
	apptest.Eventually(t, time.Minute, func() bool { return stalled.Load() >= 4 }, "replica 2 did not start sending")

	// Kill replica 2 while it sends: its claims stay leased by a process
	// that no longer exists, until the leases run out.
	c.replicas[2].App.Kill()
	dups := c.waitDelivered(t, n, 3*time.Minute)
	for _, id := range ids {
		c.replicas[0].WaitStatus(id, "sent", time.Minute)
	}
	inFlight := c.interruptedAttempts(t)
	conns := c.setup.Opts.SMTP.MaxConns
	if conns == 0 {
		conns = smtp.DefaultMaxConns
	}
	t.Logf("killed a replica mid-send: %d messages were claimed by it and taken over (an attempt without outcome), "+
		"%d delivered twice; it sent over %d connections", inFlight, dups, conns)
	require.Positive(t, inFlight, "the killed replica had claims in flight")
	// Only a message at the mail server when the replica died can arrive
	// twice: at most one in DATA per connection, and one per connection
	// accepted a moment before whose outcome was not yet written.
	require.LessOrEqual(t, dups, 2*conns, "duplicates are at most the sends in progress on the killed replica")
}

// interruptedAttempts counts the messages with a delivery attempt that
// never recorded an outcome: "sending" followed by another "sending". Only a
// replica that died mid-send leaves such an attempt behind, so this is the
// number of messages that were in flight on it.
func (c *cluster) interruptedAttempts(t *testing.T) int {
	t.Helper()
	n, cursor := 0, ""
	for {
		var pg struct {
			Items []struct {
				ID       string `json:"id"`
				Attempts int    `json:"attempts"`
			} `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		c.replicas[0].Must(200, "GET", "/v1/messages?limit=1000&cursor="+cursor, nil).JSON(t, &pg)
		for _, it := range pg.Items {
			if it.Attempts < 2 {
				continue
			}
			var m client.Message
			c.replicas[0].Must(200, "GET", "/v1/messages/"+it.ID, nil).JSON(t, &m)
			for i := 1; i < len(m.Timeline); i++ {
				if m.Timeline[i].Status == "sending" && m.Timeline[i-1].Status == "sending" {
					n++
					break
				}
			}
		}
		if pg.NextCursor == "" {
			return n
		}
		cursor = pg.NextCursor
	}
}

func TestScheduleRunsOnceAcrossReplicas(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	c := startCluster(t, 3, pgtest.NewDatabase(t), srv)
	first := c.replicas[0]
	var contacts []any
	for i := 0; i < 30; i++ {
		contacts = append(contacts, map[string]any{"id": fmt.Sprintf("m-%02d", i), "email": fmt.Sprintf("m%d@example.org", i),
			"attributes": map[string]any{"birthday": "1990-03-03"}})
	}
	first.Must(200, "POST", "/v1/contacts/bulk", map[string]any{"contacts": contacts})
	first.Must(201, "PUT", "/v1/flows/f/notifications/birthday", map[string]any{"event_type": "contact.birthday", "template": "t",
		"recipients": []string{"role:member"}})
	first.Must(201, "PUT", "/v1/schedules/birthdays", map[string]any{"project": "p", "role": "member",
		"preset": map[string]any{"kind": "birthday"}})

	// The clock (shared by all replicas) reaches the 06:00 slot; every
	// replica checks at once, as their periodic jobs might.
	c.setup.Clock.Set(time.Date(2026, 3, 3, 5, 0, 30, 0, time.UTC)) // 06:00:30 in Berlin, 3 March
	var wg sync.WaitGroup
	for _, r := range c.replicas {
		wg.Add(1)
		go func() {
			defer wg.Done()
			require.NoError(t, r.App.Service().RunDueSchedules(context.Background()))
		}()
	}
	wg.Wait()
	var runs struct {
		Items []struct {
			ID      string `json:"id"`
			Status  string `json:"status"`
			Emitted int    `json:"emitted"`
		} `json:"items"`
	}
	first.Must(200, "GET", "/v1/schedules/birthdays/runs", nil).JSON(t, &runs)
	require.Len(t, runs.Items, 1, "one run for the slot across three replicas")
	apptest.Eventually(t, time.Minute, func() bool {
		first.Must(200, "GET", "/v1/schedules/birthdays/runs", nil).JSON(t, &runs)
		return runs.Items[0].Status == "finished"
	}, "the run did not finish")
	require.Equal(t, 30, runs.Items[0].Emitted)
	require.Zero(t, c.waitDelivered(t, 30, time.Minute), "30 greetings, none twice")
}

func TestPostgresRestartUnderLoad(t *testing.T) {
	t.Parallel()
	pgc := pgtest.StartCluster(t)
	srv := smtptest.Start(t)
	c := startCluster(t, 2, pgc.URL(), srv)
	const n = 1_500
	type sent struct {
		ids []string
		err error
	}
	done := make(chan sent, 1)
	go func() {
		ids, err := c.sendEvents(n, 50)
		done <- sent{ids, err}
	}()
	apptest.Eventually(t, time.Minute, func() bool { return srv.Count() >= 100 }, "no delivery before the restart")
	pgc.Stop()
	// The replicas notice the outage before the database comes back.
	apptest.Eventually(t, time.Minute, func() bool {
		return c.replicas[0].DoKey("", "GET", "/readyz", nil).Status == 503
	}, "readyz did not report the outage")
	pgc.Start()
	res := <-done
	require.NoError(t, res.err)
	ids := res.ids
	require.Len(t, ids, n)
	dups := c.waitDelivered(t, n, 3*time.Minute)
	t.Logf("PostgreSQL restarted under load: %d events accepted, all delivered, %d twice", n, dups)
	// A send whose outcome could not be recorded while the database was
	// down is recorded when it is back, never sent again; the other
	// replica cannot take a lease that is still held.
	require.Zero(t, dups, "a database restart doubles nothing")
}
