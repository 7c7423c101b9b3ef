package delivery

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/channel"
	"github.com/herold-dev/herold/internal/channel/smtp"
	"github.com/herold-dev/herold/internal/clock"
	"github.com/herold-dev/herold/internal/metrics"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/smtptest"
	"github.com/herold-dev/herold/internal/store"
	"github.com/herold-dev/herold/internal/store/sqlite"
)

var start = time.Date(2026, 2, 28, 23, 30, 0, 0, time.UTC)

// fixture is a real SQLite store with a workspace, a real SMTP server and
// a fake clock.
type fixture struct {
	t       *testing.T
	ctx     context.Context
	st      *sqlite.Store
	ws      *model.Workspace
	clock   *clock.Fake
	smtp    *smtptest.Server
	metrics *metrics.Metrics
	n       int
}

func newFixture(t *testing.T, opts ...smtptest.Option) *fixture {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "herold.db"), sqlite.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	ctx := context.Background()
	require.NoError(t, st.Migrate(ctx))
	ws := &model.Workspace{Key: "acme", Name: "Acme", DefaultLocale: "de", Timezone: "Europe/Berlin",
		AllowedSenders: []string{"acme.example"}, RetentionDays: 30, ConfirmationExpiryHours: 168, CreatedAt: start, UpdatedAt: start}
	require.NoError(t, st.WorkspaceInsert(ctx, ws))
	return &fixture{t: t, ctx: ctx, st: st, ws: ws, clock: clock.NewFake(start), smtp: smtptest.Start(t, opts...),
		metrics: metrics.Discard()}
}

// queue stores n queued messages of one event, created now.
func (f *fixture) queue(n int) []string {
	f.t.Helper()
	ms := f.messages(n)
	require.NoError(f.t, f.st.MessageInsertMany(f.ctx, f.ws.ID, ms))
	ids := make([]string, n)
	for i, m := range ms {
		ids[i] = m.ID
	}
	return ids
}

// messages returns n queued messages of a new event (stored), created
// now; the messages are not stored.
func (f *fixture) messages(n int) []*model.Message {
	f.t.Helper()
	now := f.clock.Now()
	f.n++
	ev := &model.Event{ID: fmt.Sprintf("evt-%d", f.n), Type: "newsletter", Project: "p", Actors: map[string][]string{},
		Data: map[string]any{}, OccurredAt: now, ReceivedAt: now, Source: model.SourceAPI}
	require.NoError(f.t, f.st.EventInsert(f.ctx, f.ws.ID, ev))
	ms := make([]*model.Message, n)
	for i := range ms {
		id := fmt.Sprintf("m%d-%04d", f.n, i)
		ms[i] = &model.Message{ID: id, EventID: ev.ID, EventType: ev.Type, Channel: model.ChannelEmail, Category: "transactional",
			To: model.Address{Email: fmt.Sprintf("r%d@example.org", i)}, CC: []model.Address{}, BCC: []model.Address{},
			From: "Acme <news@acme.example>", Subject: "Hallo " + id, Text: "Text " + id, MessageID: id + "@acme.example",
			Status: model.MsgQueued, QueuedAt: &now, CreatedAt: now, UpdatedAt: now,
			Timeline: []model.MessageEvent{{At: now, Status: model.MsgPlanned}, {At: now, Status: model.MsgQueued}}}
	}
	return ms
}

func compose(_ context.Context, _ *model.Workspace, m *model.Message) (*channel.Email, error) {
	return &channel.Email{MessageID: m.MessageID, From: m.From, To: []model.Address{m.To}, Subject: m.Subject,
		Text: m.Text, Date: m.CreatedAt}, nil
}

// dispatcher starts a dispatcher sending to the fixture's SMTP server; it
// is stopped (gracefully) at the end of the test unless the test stops it.
func (f *fixture) dispatcher(mod func(*Config)) *Dispatcher {
	f.t.Helper()
	sender, err := smtp.New(smtp.Config{Host: f.smtp.Host(), Port: f.smtp.Port(), TLS: smtp.TLSNone, MaxConns: 2,
		Timeout: 5 * time.Second}, nil)
	require.NoError(f.t, err)
	f.t.Cleanup(func() { _ = sender.Close() })
	cfg := Config{Store: f.st, Sender: sender, Compose: compose, Owner: "test-owner", Clock: f.clock,
		Jitter: func() float64 { return 0.5 }, Policy: Policy{BaseDelay: time.Minute, MaxDelay: time.Hour, MaxAge: 24 * time.Hour},
		Senders: 4, PollInterval: 10 * time.Millisecond, Metrics: f.metrics}
	if mod != nil {
		mod(&cfg)
	}
	d, err := New(cfg)
	require.NoError(f.t, err)
	d.Start(f.ctx)
	f.t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = d.Stop(ctx)
	})
	return d
}

func (f *fixture) message(id string) *model.Message {
	f.t.Helper()
	m, err := f.st.MessageGet(f.ctx, f.ws.ID, id)
	require.NoError(f.t, err)
	return m
}

// waitStatus polls (with a deadline) until every message has status want.
func (f *fixture) waitStatus(ids []string, want model.MessageStatus) {
	f.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for _, id := range ids {
		for f.message(id).Status != want {
			if time.Now().After(deadline) {
				f.t.Fatalf("message %s is %s, want %s", id, f.message(id).Status, want)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// sentOnce waits (with a deadline) until the SMTP server has n messages
// and requires each Message-ID once among them.
func (f *fixture) sentOnce(n int) {
	f.t.Helper()
	seen := map[string]bool{}
	for _, m := range f.smtp.WaitForMails(f.t, n, 5*time.Second) {
		require.False(f.t, seen[m.MessageID], "sent twice: %s", m.MessageID)
		seen[m.MessageID] = true
	}
	require.Len(f.t, seen, n)
}

func statuses(tl []model.MessageEvent) []model.MessageStatus {
	out := make([]model.MessageStatus, len(tl))
	for i, e := range tl {
		out[i] = e.Status
	}
	return out
}

func TestDispatcherSendsAndRecords(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.metrics = metrics.Discard()
	ids := f.queue(30)
	d := f.dispatcher(nil)
	d.Notify()
	f.waitStatus(ids, model.MsgSent)
	mails := f.smtp.WaitForMails(t, 30, 5*time.Second)
	require.Len(t, mails, 30, "each message once")
	m := f.message(ids[0])
	require.Equal(t, 1, m.Attempts)
	require.True(t, m.SentAt.Equal(start), "times come from the injected clock")
	require.Contains(t, m.LastReply, "250")
	require.Equal(t, []model.MessageStatus{model.MsgPlanned, model.MsgQueued, model.MsgSending, model.MsgSent}, statuses(m.Timeline))
	require.Equal(t, m.LastReply, m.Timeline[3].Detail)
	waitIdle(t, d) // the metrics count after the commit, then the room is freed
	rows, err := f.st.StatsList(f.ctx, f.ws.ID, "2026-03-01", "2026-03-01")
	require.NoError(t, err)
	require.Equal(t, []store.StatsRow{{Day: "2026-03-01", Status: model.MsgSent, Count: 30}}, rows,
		"counted on the workspace's day (Berlin is already in March)")
	require.Equal(t, 30.0, counter(t, f.metrics.Messages.WithLabelValues("sent")))
	require.Equal(t, 30.0, counter(t, f.metrics.DeliveryAttempts.WithLabelValues("sent")))
}

// waitIdle polls (with a deadline) until d holds no message.
func waitIdle(t *testing.T, d *Dispatcher) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for d.InFlight() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d messages still in flight", d.InFlight())
		}
		time.Sleep(time.Millisecond)
	}
}

// A 4xx reply retries after the backoff on the injected clock; nothing is
// sent again before that.
func TestDispatcherRetriesOnTheClock(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	f := newFixture(t, smtptest.WithDataReply(func(int, string, []string, []byte) *smtptest.Reply {
		if calls.Add(1) == 1 {
			return &smtptest.Reply{Code: 451, Enhanced: "4.3.0", Message: "Try again later"}
		}
		return nil
	}))
	ids := f.queue(1)
	d := f.dispatcher(nil)
	d.Notify()
	f.waitStatus(ids, model.MsgRetrying)
	m := f.message(ids[0])
	require.Equal(t, "451 4.3.0 Try again later", m.Reason, "the server's reply, as it sent it")
	require.True(t, m.NextAttemptAt.Equal(start.Add(time.Minute)), "base delay, jitter in the middle: %v", m.NextAttemptAt)
	f.clock.Advance(59 * time.Second)
	d.Notify()
	// Poll a few rounds: the message must stay retrying before its time.
	for range 5 {
		d.Notify()
		time.Sleep(20 * time.Millisecond)
	}
	require.Equal(t, model.MsgRetrying, f.message(ids[0]).Status)
	require.Equal(t, int32(1), calls.Load())
	f.clock.Advance(time.Second)
	d.Notify()
	f.waitStatus(ids, model.MsgSent)
	m = f.message(ids[0])
	require.Equal(t, 2, m.Attempts)
	require.Equal(t, []model.MessageStatus{model.MsgPlanned, model.MsgQueued, model.MsgSending, model.MsgRetrying,
		model.MsgSending, model.MsgSent}, statuses(m.Timeline))
}

func TestDispatcherFailsOn5xx(t *testing.T) {
	t.Parallel()
	f := newFixture(t, smtptest.WithRcptReply(func(string) *smtptest.Reply {
		return &smtptest.Reply{Code: 550, Enhanced: "5.1.1", Message: "No such user"}
	}))
	ids := f.queue(1)
	f.dispatcher(nil).Notify()
	f.waitStatus(ids, model.MsgFailed)
	m := f.message(ids[0])
	require.Equal(t, "550 5.1.1 No such user", m.Reason)
	require.Zero(t, f.smtp.Count())
}

// A message whose sender the workspace may not use (any more) fails for
// good when it is sent and never reaches the server; the others go out.
func TestDispatcherRefusesASenderTheWorkspaceMayNotUse(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ms := f.messages(3)
	ms[0].From = "Agentur Süd <dispo@agentur-sued.example>"
	ms[1].ReplyTo = "attacker@evil.example"
	require.NoError(t, f.st.MessageInsertMany(f.ctx, f.ws.ID, ms))
	f.dispatcher(func(c *Config) {
		c.Compose = func(ctx context.Context, ws *model.Workspace, m *model.Message) (*channel.Email, error) {
			e, err := compose(ctx, ws, m)
			e.ReplyTo = m.ReplyTo
			return e, err
		}
	}).Notify()
	f.waitStatus([]string{ms[0].ID, ms[1].ID}, model.MsgFailed)
	f.waitStatus([]string{ms[2].ID}, model.MsgSent)
	require.Contains(t, f.message(ms[0].ID).Reason, `sender refused: From dispo@agentur-sued.example is not allowed for workspace "acme"; allowed: acme.example`)
	require.Contains(t, f.message(ms[1].ID).Reason, "sender refused: Reply-To attacker@evil.example is not allowed")
	require.Equal(t, 1, f.smtp.Count(), "only the allowed message reached the server")
}

// A stop lets the send in progress finish and records it, and gives back
// the messages not started: nothing is sent twice, nothing is left
// "sending".
func TestDispatcherStopFinishesInFlightAndReleasesTheRest(t *testing.T) {
	t.Parallel()
	inData, release := make(chan struct{}, 10), make(chan struct{})
	f := newFixture(t, smtptest.WithDataReply(func(int, string, []string, []byte) *smtptest.Reply {
		select {
		case inData <- struct{}{}:
		default:
		}
		<-release
		return nil
	}))
	ids := f.queue(40)
	d := f.dispatcher(func(c *Config) { c.Senders = 2 })
	d.Notify()
	<-inData
	<-inData // both senders are in the middle of DATA
	stopped := make(chan error, 1)
	go func() { stopped <- d.Stop(context.Background()) }()
	for d.stopping.Load() == false {
		time.Sleep(time.Millisecond)
	}
	close(release)
	require.NoError(t, <-stopped)
	require.Equal(t, 2, f.smtp.Count(), "exactly the two sends in progress finished")
	var sent, queued int
	for _, id := range ids {
		switch m := f.message(id); m.Status {
		case model.MsgSent:
			sent++
		case model.MsgQueued:
			queued++
			require.Zero(t, m.Attempts, "a message given back unsent counts no attempt")
		default:
			t.Fatalf("%s is %s after the stop", id, m.Status)
		}
	}
	require.Equal(t, 2, sent)
	require.Equal(t, 38, queued)

	// The next dispatcher sends the rest, each once.
	f.dispatcher(func(c *Config) { c.Owner = "next" }).Notify()
	f.waitStatus(ids, model.MsgSent)
	f.sentOnce(40)
}

// A kill records nothing: the claims stay leased until a single server's
// next start ends them, and the next dispatcher sends them with an
// "interrupted" entry on the timeline.
func TestDispatcherKillLeavesLeasesForTheNextStart(t *testing.T) {
	t.Parallel()
	block := make(chan struct{})
	f := newFixture(t, smtptest.WithDataReply(func(int, string, []string, []byte) *smtptest.Reply {
		<-block
		return nil
	}))
	ids := f.queue(5)
	d := f.dispatcher(nil)
	d.Notify()
	for d.InFlight() < 5 {
		time.Sleep(time.Millisecond)
	}
	d.Kill()
	close(block)
	for _, id := range ids {
		require.Equal(t, model.MsgSending, f.message(id).Status)
	}
	n, err := f.st.MessageLeaseExpire(f.ctx, "restarted", f.clock.Now())
	require.NoError(t, err)
	require.Equal(t, 5, n)
	f.dispatcher(func(c *Config) { c.Owner = "restarted" }).Notify()
	f.waitStatus(ids, model.MsgSent)
	m := f.message(ids[0])
	require.Equal(t, 2, m.Attempts)
	require.Equal(t, model.InterruptedDetail, m.Timeline[2].Detail)
}

// failingStore fails the first n outcome writes, as a database that is
// restarting would; the outcomes are kept and written again, and the mail
// is not sent again.
type failingStore struct {
	*sqlite.Store
	fail atomic.Int32
}

func (s *failingStore) WithTx(ctx context.Context, fn func(tx store.Tx) error) error {
	if s.fail.Add(-1) >= 0 {
		return errors.New("terminating connection due to administrator command")
	}
	return s.Store.WithTx(ctx, fn)
}

func TestDispatcherRetriesTheWriteNotTheSend(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ids := f.queue(3)
	fs := &failingStore{Store: f.st}
	fs.fail.Store(3)
	f.dispatcher(func(c *Config) { c.Store = fs }).Notify()
	f.waitStatus(ids, model.MsgSent)
	require.Equal(t, 3, f.smtp.Count(), "each message sent once although recording failed three times")
	require.Less(t, fs.fail.Load(), int32(0))
}

func TestDispatcherCapture(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ids := f.queue(2)
	f.dispatcher(func(c *Config) { c.Sender, c.Capture = nil, true }).Notify()
	f.waitStatus(ids, model.MsgSent)
	list, err := f.st.CaptureList(f.ctx, &store.CaptureListParams{WorkspaceID: f.ws.ID, Limit: 10})
	require.NoError(t, err)
	require.Len(t, list, 2)
	raw, err := channel.BuildMIME(mustCompose(t, f.message(ids[1])))
	require.NoError(t, err)
	require.Equal(t, len(raw), list[0].Size)
	require.Equal(t, captureReply, f.message(ids[0]).LastReply)
	require.Zero(t, f.smtp.Count())
}

func mustCompose(t *testing.T, m *model.Message) *channel.Email {
	e, err := compose(context.Background(), nil, m)
	require.NoError(t, err)
	return e
}

// counter reads a counter's value.
func counter(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	return metrics.CounterValue(c)
}

// lostAnswerStore commits the first claim but reports it failed, as when
// the database connection breaks after the commit.
type lostAnswerStore struct {
	*sqlite.Store
	lost atomic.Bool
}

func (s *lostAnswerStore) MessageClaim(ctx context.Context, p *store.MessageClaimParams) ([]store.ClaimedMessage, error) {
	got, err := s.Store.MessageClaim(ctx, p)
	if err == nil && len(got) > 0 && s.lost.CompareAndSwap(false, true) {
		return nil, errors.New("unexpected EOF")
	}
	return got, err
}

// Messages taken by a claim whose answer was lost are given back and sent,
// without waiting for their leases (the process would never claim its own
// leases again).
func TestDispatcherRecoversAClaimWithALostAnswer(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ids := f.queue(5)
	ls := &lostAnswerStore{Store: f.st}
	f.dispatcher(func(c *Config) { c.Store = ls }).Notify()
	f.waitStatus(ids, model.MsgSent) // the fake clock never moves: no lease runs out
	require.True(t, ls.lost.Load())
	require.Equal(t, 5, f.smtp.Count())
	require.Equal(t, 1, f.message(ids[0]).Attempts, "the lost claim's attempt is not counted")
}

// While an outcome write waits, senders begin at most MaxUnrecorded sends
// (a crash can send only those twice); once it goes through the rest
// follow, each message once, and the count of sends awaiting their write
// returns to zero.
func TestDispatcherBoundsSendsAwaitingTheirWrite(t *testing.T) {
	t.Parallel()
	const limit = 6
	f := newFixture(t)
	ids := f.queue(40)
	entered, release := make(chan struct{}), make(chan struct{})
	var writes atomic.Int32
	d := f.dispatcher(func(c *Config) {
		c.MaxUnrecorded = limit
		c.AfterRecord = func(context.Context, store.Tx, []*store.MessageOutcome, []bool) error {
			if writes.Add(1) == 1 {
				close(entered)
				<-release
			}
			return nil
		}
	})
	d.Notify()
	select {
	case <-entered:
	case <-time.After(10 * time.Second):
		t.Fatal("no outcome write began")
	}
	deadline := time.Now().Add(10 * time.Second)
	for !d.sendersWait() || f.smtp.Count() < limit {
		if time.Now().After(deadline) {
			close(release)
			t.Fatalf("senders wait: %v, server has %d messages; want the senders waiting after %d", d.sendersWait(), f.smtp.Count(), limit)
		}
		time.Sleep(time.Millisecond)
	}
	// Unbounded, the other 34 would reach the server within milliseconds.
	time.Sleep(200 * time.Millisecond)
	got := f.smtp.Count()
	close(release)
	require.Equal(t, limit, got, "sends begun while the first outcome write was held")
	f.waitStatus(ids, model.MsgSent)
	f.sentOnce(40)
	waitIdle(t, d)
	d.mu.Lock()
	defer d.mu.Unlock()
	require.Zero(t, d.unrecorded, "sends awaiting their write once all are recorded")
}
