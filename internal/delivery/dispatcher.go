package delivery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/herold-dev/herold/internal/channel"
	"github.com/herold-dev/herold/internal/clock"
	"github.com/herold-dev/herold/internal/metrics"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// Store is what a Dispatcher needs of the store.
type Store interface {
	MessageNextDue(ctx context.Context, owner string) (*time.Time, error)
	MessageClaim(ctx context.Context, p *store.MessageClaimParams) ([]store.ClaimedMessage, error)
	MessageLeaseRenew(ctx context.Context, owner string, ids []string, until time.Time) (int, error)
	MessageLeaseReleaseOwn(ctx context.Context, owner string, keep []string, now time.Time) (int, error)
	WorkspaceGetByID(ctx context.Context, id int64) (*model.Workspace, error)
	// WithTx records a batch of outcomes with their daily counts.
	WithTx(ctx context.Context, fn func(tx store.Tx) error) error
}

// Compose builds the e-mail of a message, exactly as it goes on the wire.
type Compose func(ctx context.Context, ws *model.Workspace, m *model.Message) (*channel.Email, error)

// Feed delivers in-app messages: it appends the message's item to its
// contact's feed, once however often it is called for one message, and
// returns the reply recorded in the message's timeline.
type Feed interface {
	Deliver(ctx context.Context, ws *model.Workspace, m *model.Message) (reply string, err error)
}

// Config wires a Dispatcher. Store, Compose and Owner are required, and
// Sender unless Capture is set.
type Config struct {
	Store Store
	// Sender delivers the messages.
	Sender channel.Sender
	// Capture files messages in the capture mailbox instead of sending
	// them: each is built (and so checked) as it would be sent, and
	// recorded as sent with its size.
	Capture bool
	Compose Compose
	// Feed delivers in-app messages; without it they fail (permanently).
	Feed Feed
	// Owner names this process in the leases it takes; unique per
	// process start.
	Owner string
	// Clock gives every timestamp: claims, leases, decisions, the
	// timeline. Default the system clock.
	Clock clock.Clock
	// Jitter draws the retry delays' randomness in [0, 1). Default
	// math/rand.
	Jitter func() float64
	Policy Policy
	// Lease is how long a claim holds without renewal; held messages are
	// renewed every third of it. A process that dies holds its messages
	// this long at most (a single server gives them up at its next
	// start). Default 30s.
	Lease time.Duration
	// Senders is the number of messages sent at once. Default 8.
	Senders int
	// MaxInFlight bounds the messages claimed and not yet recorded, which
	// are held in memory with their content. Default 16 per sender, at
	// least 1,024.
	MaxInFlight int
	// MaxUnrecorded bounds the sends begun whose outcome is not written
	// yet: a crash sends those again, so this bounds its duplicates. A
	// sender waits for the recorder before it begins another. Default 8
	// per sender, at least 256; no bound with the capture mailbox, whose
	// delivery is the outcome's write.
	MaxUnrecorded int
	// ClaimBatch is the most messages one claim takes. Default 256.
	ClaimBatch int
	// PollInterval is how often the queue is read when nothing wakes the
	// dispatcher (retries coming due, messages of other replicas). Default
	// 500ms.
	PollInterval time.Duration
	// AfterRecord, when set, runs in the transaction that records a
	// batch of outcomes (applied[i] says outcomes[i] changed its
	// message): webhook subscriptions to outcomes queue their deliveries
	// there.
	AfterRecord func(ctx context.Context, tx store.Tx, outcomes []*store.MessageOutcome, applied []bool) error
	Logger      *slog.Logger
	Metrics     *metrics.Metrics
}

func (c *Config) validate() error {
	switch {
	case c.Store == nil:
		return errors.New("delivery: a store is required")
	case c.Compose == nil:
		return errors.New("delivery: a compose function is required")
	case c.Owner == "":
		return errors.New("delivery: an owner name is required")
	case c.Sender == nil && !c.Capture:
		return errors.New("delivery: a sender is required unless mail goes to the capture mailbox")
	}
	return nil
}

func (c Config) withDefaults() Config {
	if c.Clock == nil {
		c.Clock = clock.Real{}
	}
	if c.Jitter == nil {
		c.Jitter = rand.Float64
	}
	c.Policy = c.Policy.withDefaults()
	if c.Lease <= 0 {
		c.Lease = 30 * time.Second
	}
	if c.Senders <= 0 {
		c.Senders = 8
	}
	if c.MaxInFlight <= 0 {
		c.MaxInFlight = max(16*c.Senders, 1024)
	}
	switch {
	case c.Capture:
		c.MaxUnrecorded = 0
	case c.MaxUnrecorded <= 0:
		c.MaxUnrecorded = max(8*c.Senders, 256)
	}
	if c.ClaimBatch <= 0 {
		c.ClaimBatch = 256
	}
	if c.PollInterval <= 0 {
		c.PollInterval = 500 * time.Millisecond
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Metrics == nil {
		c.Metrics = metrics.Discard()
	}
	return c
}

// Dispatcher claims, sends and records messages; see the package
// documentation. Start it once; Stop or Kill it once.
type Dispatcher struct {
	cfg Config
	log *slog.Logger

	wake chan struct{} // Notify: something may be due now
	room chan struct{} // an outcome was recorded: there may be room to claim
	work chan *job     // claimed, waiting for a sender
	done chan *result  // outcomes, waiting for the recorder

	mu       sync.Mutex
	held     map[string]*job // claimed and not yet recorded
	inFlight int             // held, plus the room reserved
	// unrecorded counts the sends begun whose outcome is not yet
	// written (Config.MaxUnrecorded).
	unrecorded int
	// reserved is the room promised to messages being inserted already
	// claimed (Reserve), not yet handed over; Stop waits for it to reach
	// 0, reconcile for the same.
	reserved int
	// changed is signalled when reserved or inFlight went down, and when
	// a stop begins or reaches its deadline (closeWork and WaitRoom wait
	// on it).
	changed *sync.Cond
	// reconciling refuses reservations while this process's leases are
	// reconciled with what it holds.
	reconciling bool
	// workClosed is set when the senders' queue closed (Stop, Kill).
	workClosed bool
	// backlog is set while the last claim took as many messages as it
	// could: more are due (see Reserve).
	backlog bool
	// starved is set when messages may be due that a claim left in the
	// queue for lack of room; room that frees up then looks for them.
	// Room that frees up otherwise (every recorded batch of a mailing)
	// does not read the queue: nothing was left behind, and what becomes
	// due later is found by the next poll.
	starved bool
	// unsure is set when a claim or an insert of claimed messages failed:
	// it may have committed with its answer lost, leaving messages leased
	// by this process unknown to it.
	unsure bool

	started     atomic.Bool
	stopping    atomic.Bool // Stop: claim nothing more, give back what has not started
	killed      atomic.Bool // Kill: record nothing more
	quit        chan struct{}
	sendCtx     context.Context // ends at the stop's deadline or a kill
	cancelSends context.CancelFunc
	deadline    chan struct{} // closed when the stop's deadline passed
	claimed     chan struct{} // closed when the claim loop ended
	sent        chan struct{} // closed when every sender ended
	recorded    chan struct{} // closed when the recorder ended
	renewed     chan struct{} // closed when the renewal loop ended
	stopOnce    sync.Once

	wsMu  sync.Mutex
	wsAt  time.Time
	wsTab map[int64]*model.Workspace
}

// job is one claimed message.
type job struct {
	ws    int64
	msg   *model.Message
	until time.Time // the lease, moved by renewals (guarded by Dispatcher.mu)
}

// New returns a Dispatcher; nothing runs until Start.
func New(cfg Config) (*Dispatcher, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	sendCtx, cancel := context.WithCancel(context.Background())
	d := &Dispatcher{cfg: cfg, log: cfg.Logger,
		wake: make(chan struct{}, 1), room: make(chan struct{}, 1),
		work: make(chan *job, cfg.MaxInFlight), done: make(chan *result, cfg.MaxInFlight),
		held: map[string]*job{}, quit: make(chan struct{}), sendCtx: sendCtx, cancelSends: cancel,
		deadline: make(chan struct{}), claimed: make(chan struct{}), sent: make(chan struct{}),
		recorded: make(chan struct{}), renewed: make(chan struct{}), wsTab: map[int64]*model.Workspace{}}
	d.changed = sync.NewCond(&d.mu)
	return d, nil
}

// Start begins claiming and sending. The loops run until Stop or Kill,
// whatever happens to ctx.
func (d *Dispatcher) Start(context.Context) {
	if d.stopping.Load() || !d.started.CompareAndSwap(false, true) {
		return
	}
	go d.claimLoop()
	var senders sync.WaitGroup
	for range d.cfg.Senders {
		senders.Go(d.sendLoop)
	}
	go func() {
		senders.Wait()
		close(d.done)
		close(d.sent)
	}()
	go d.recordLoop()
	go d.renewLoop()
}

// Notify tells the dispatcher that messages may be due now (new ones were
// committed), so it claims them without waiting for its next poll.
func (d *Dispatcher) Notify() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Stop stops gracefully: no new claims; the messages claimed but not
// started are given back; the sends in progress finish and every outcome
// is recorded. When ctx ends first, the sends still going are cut off
// (their messages are due again at once) and what could not be recorded
// is logged; Stop then returns ctx's error.
func (d *Dispatcher) Stop(ctx context.Context) error {
	var err error
	d.stopOnce.Do(func() {
		d.stopping.Store(true)
		d.signal()
		if !d.started.Load() {
			return
		}
		close(d.quit)
		stopAt := context.AfterFunc(ctx, func() {
			close(d.deadline)
			d.cancelSends()
			d.signal() // closeWork waits no longer
		})
		defer stopAt()
		<-d.claimed
		d.closeWork(true)
		<-d.sent
		<-d.recorded
		<-d.renewed
		d.cancelSends()
		if ctx.Err() != nil {
			err = fmt.Errorf("stop delivery: %w", ctx.Err())
		}
	})
	return err
}

// Kill stops at once, as a crash would: sends are cut off and no outcome
// is recorded after it returns; the claims stay leased. For tests of
// crash safety.
func (d *Dispatcher) Kill() {
	d.stopOnce.Do(func() {
		d.killed.Store(true)
		d.stopping.Store(true)
		d.signal()
		if !d.started.Load() {
			return
		}
		close(d.quit)
		close(d.deadline)
		d.cancelSends()
		<-d.claimed
		d.closeWork(false)
		<-d.sent
		<-d.recorded
		<-d.renewed
	})
}

// signal wakes whoever waits on changed.
func (d *Dispatcher) signal() {
	d.mu.Lock()
	d.changed.Broadcast()
	d.mu.Unlock()
}

// InFlight reports how many messages are claimed and not yet recorded.
func (d *Dispatcher) InFlight() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.inFlight
}

// claimLoop claims due messages while there is room, then waits for a
// wake-up, room, or the next poll. Only a wake-up (messages were queued)
// or room while the queue has a backlog claims at once; otherwise it first
// reads whether anything is due, so an idle server does not write and a
// claim does not hold room that reservations could use for nothing. Room
// alone reads the queue only when a claim left messages behind for lack
// of it (starved).
func (d *Dispatcher) claimLoop() {
	defer close(d.claimed)
	tick := time.NewTicker(d.cfg.PollInterval)
	defer tick.Stop()
	for next := readFirst; ; {
		switch {
		case next == idle:
		case next == claimNow || d.unsureNow() || d.anythingDue():
			d.claimWhileDue()
		default:
			d.mu.Lock()
			d.starved = false // nothing is due
			d.mu.Unlock()
		}
		select {
		case <-d.quit:
			return
		case <-d.wake:
			next = claimNow
		case <-d.room:
			next = d.onRoom()
		case <-tick.C:
			next = readFirst
		}
	}
}

// claimStep is what the claim loop does after a wake-up.
type claimStep uint8

const (
	// readFirst claims only if the queue says something is due.
	readFirst claimStep = iota
	// claimNow claims at once.
	claimNow
	// idle does nothing until the next wake-up.
	idle
)

// onRoom is the step for room that freed up: a claim at once while the
// queue has a backlog, a read when a claim left messages behind for lack
// of room or may have been lost, else nothing.
func (d *Dispatcher) onRoom() claimStep {
	d.mu.Lock()
	defer d.mu.Unlock()
	switch {
	case d.backlog:
		return claimNow
	case d.starved || d.unsure:
		return readFirst
	default:
		return idle
	}
}

// anythingDue reports whether a message is due that this process may
// claim (on doubt, true).
func (d *Dispatcher) anythingDue() bool {
	ctx, cancel := context.WithTimeout(context.Background(), d.cfg.Lease/3)
	defer cancel()
	next, err := d.cfg.Store.MessageNextDue(ctx, d.cfg.Owner)
	if err != nil {
		d.log.Warn("reading the delivery queue failed", "owner", d.cfg.Owner, "error", err)
		return true
	}
	return next != nil && !next.After(d.cfg.Clock.Now())
}

// unsureNow reports whether a claim or an insert of claimed messages
// failed since the last reconcile.
func (d *Dispatcher) unsureNow() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.unsure
}

// claimWhileDue claims batches until a claim comes back short (nothing
// more is due) or there is no room. While many messages are in flight it
// waits until half the room is free and claims that much at once: a claim
// is a transaction, and many small ones cost more than the sending.
func (d *Dispatcher) claimWhileDue() {
	if d.unsureNow() && !d.reconcile() {
		return
	}
	for !d.stopping.Load() {
		// The room a claim may fill is taken before it runs: reservations
		// for handed-over messages must not promise it meanwhile.
		d.mu.Lock()
		room, busy := d.cfg.MaxInFlight-d.inFlight, d.inFlight
		limit := min(room, d.cfg.ClaimBatch)
		if room <= 0 || (busy > d.cfg.Senders && room < d.claimBatch()) {
			d.starved = true
			d.mu.Unlock()
			return
		}
		d.inFlight += limit
		d.mu.Unlock()
		n, err := d.claim(limit)
		d.mu.Lock()
		d.inFlight -= limit - n
		if err != nil {
			d.unsure = true
		} else {
			d.backlog = n == limit
			d.starved = false
		}
		d.mu.Unlock()
		if err != nil {
			d.log.Warn("claiming messages failed; trying again at the next poll", "owner", d.cfg.Owner, "error", err)
			return
		}
		if n < limit {
			return
		}
	}
}

// claimBatch is the room a busy dispatcher waits for before it claims.
func (d *Dispatcher) claimBatch() int { return min(d.cfg.ClaimBatch, d.cfg.MaxInFlight/2) }

// reconcile gives back the messages leased by this process that it does
// not hold: after a failed claim (or insert of claimed messages), it may
// have committed with its answer lost. It reports whether that worked
// (else claiming waits). It waits for no insert of claimed messages to be
// under way, and lets none begin meanwhile: their messages are leased to
// this process before it holds them.
func (d *Dispatcher) reconcile() bool {
	d.mu.Lock()
	if d.reserved > 0 {
		d.mu.Unlock()
		return false // at the next poll
	}
	d.reconciling = true
	keep := make([]string, 0, len(d.held))
	for id := range d.held {
		keep = append(keep, id)
	}
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		d.reconciling = false
		d.mu.Unlock()
	}()
	ctx, cancel := context.WithTimeout(context.Background(), d.cfg.Lease/3)
	defer cancel()
	n, err := d.cfg.Store.MessageLeaseReleaseOwn(ctx, d.cfg.Owner, keep, d.cfg.Clock.Now())
	if err != nil {
		d.log.Warn("giving back messages of a failed claim failed; trying again at the next poll", "owner", d.cfg.Owner, "error", err)
		return false
	}
	if n > 0 {
		d.log.Warn("a failed claim had taken messages; gave them back", "owner", d.cfg.Owner, "messages", n)
	}
	d.mu.Lock()
	d.unsure = false
	d.mu.Unlock()
	return true
}

// claim takes up to limit due messages and hands them to the senders; the
// caller took the room for limit.
func (d *Dispatcher) claim(limit int) (int, error) {
	now := d.cfg.Clock.Now()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	got, err := d.cfg.Store.MessageClaim(ctx, &store.MessageClaimParams{Owner: d.cfg.Owner, Now: now,
		LeaseUntil: now.Add(d.cfg.Lease), Limit: limit})
	if err != nil {
		return 0, err
	}
	jobs := make([]*job, len(got))
	d.mu.Lock()
	for i, c := range got {
		jobs[i] = &job{ws: c.WorkspaceID, msg: c.Message, until: now.Add(d.cfg.Lease)}
		d.held[c.ID] = jobs[i]
	}
	d.mu.Unlock()
	for _, j := range jobs {
		d.work <- j // never blocks: work holds MaxInFlight
	}
	return len(got), nil
}

// workspace returns a workspace by id from a cache refreshed every
// minute (its time zone decides the day of the daily counts).
func (d *Dispatcher) workspace(ctx context.Context, id int64) (*model.Workspace, error) {
	d.wsMu.Lock()
	defer d.wsMu.Unlock()
	now := time.Now()
	if now.Sub(d.wsAt) > time.Minute {
		d.wsTab, d.wsAt = map[int64]*model.Workspace{}, now
	}
	if ws, ok := d.wsTab[id]; ok {
		return ws, nil
	}
	ws, err := d.cfg.Store.WorkspaceGetByID(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("load workspace %d: %w", id, err)
	}
	d.wsTab[id] = ws
	return ws, nil
}

// workspaceKey names a workspace in logs: its key, or its id when it
// cannot be loaded.
func (d *Dispatcher) workspaceKey(id int64) string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if ws, err := d.workspace(ctx, id); err == nil {
		return ws.Key
	}
	return strconv.FormatInt(id, 10)
}
