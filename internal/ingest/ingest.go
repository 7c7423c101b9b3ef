package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/herold-dev/herold/internal/clock"
	"github.com/herold-dev/herold/internal/condition"
	"github.com/herold-dev/herold/internal/metrics"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/plan"
	"github.com/herold-dev/herold/internal/render"
	"github.com/herold-dev/herold/internal/store"
)

// Config wires an Ingester. Store and Conditions are required.
type Config struct {
	Store store.Store
	// Clock gives every timestamp of an event and its messages. Default
	// the system clock.
	Clock clock.Clock
	// Conditions evaluates the notifications' conditions.
	Conditions *condition.Env
	// RenderLimits bound template rendering.
	RenderLimits render.Limits
	// MessageIDDomain is the domain of generated Message-IDs; default the
	// sender's domain.
	MessageIDDomain string
	// Delivery, when set, takes messages queued for now without claiming
	// them (see Delivery).
	Delivery Delivery
	// Notify is called after queued messages were committed unclaimed, so
	// that delivery claims them at once. Default: nothing.
	Notify func()
	// AfterEvents, when set, runs in the transaction that stores a
	// workspace's accepted events and their messages, after them
	// (webhook subscriptions and the webhook channel queue their
	// deliveries there, so that an event, its messages and their
	// deliveries commit together).
	AfterEvents func(ctx context.Context, tx store.Tx, workspaceID int64, written []*Result) error
	// DigestsDue, when set, runs in a transaction whose items made a
	// digest due at once (it reached max_items), so that it is closed
	// now rather than at the closing job's next run.
	DigestsDue func(ctx context.Context, tx store.Tx) error
	Metrics    *metrics.Metrics
	Logger     *slog.Logger
}

// Ingester accepts events; see the package documentation.
type Ingester struct {
	cfg       Config
	templates *compiledCache[*render.Compiled]
	inapp     *compiledCache[*render.CompiledInApp]
	config    *configCache
	committer *committer
	// fromDomains are the domains of the From addresses messages had.
	fromDomains *compiledCache[string]
}

// New returns an Ingester. Without Start each event commits on its own.
func New(cfg Config) (*Ingester, error) {
	if cfg.Store == nil || cfg.Conditions == nil {
		return nil, errors.New("ingest: a store and a condition environment are required")
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Notify == nil {
		cfg.Notify = func() {}
	}
	if cfg.Metrics == nil {
		cfg.Metrics = metrics.Discard()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Ingester{cfg: cfg, templates: &compiledCache[*render.Compiled]{m: map[string]*render.Compiled{}},
		inapp: &compiledCache[*render.CompiledInApp]{m: map[string]*render.CompiledInApp{}}, config: newConfigCache(),
		fromDomains: &compiledCache[string]{m: map[string]string{}}}, nil
}

// now is the ingester's clock, in UTC.
func (g *Ingester) now() time.Time { return g.cfg.Clock.Now().UTC() }

// Accept accepts one event. Concurrent calls are committed together once
// Start ran (see committer); each still gets its own result.
func (g *Ingester) Accept(ctx context.Context, ws *model.Workspace, in *Input) (*Result, error) {
	if c := g.committer; c != nil {
		return c.submit(ctx, ws, in)
	}
	return g.acceptAlone(ctx, ws, in)
}

// AcceptMany accepts events of one workspace in one transaction: decided
// and rendered on every CPU first, then stored with a few multi-row
// statements. then, when given, runs in the same transaction with the
// results (a schedule run stores its progress with its events). A
// database error accepts nothing.
func (g *Ingester) AcceptMany(ctx context.Context, ws *model.Workspace, ins []*Input,
	then func(tx store.Tx, results []*Result) error,
) ([]*Result, error) {
	ps, err := g.prepareAll(ctx, g.cfg.Store, ws, ins, g.now(), false)
	if err != nil {
		return nil, err
	}
	reqs := make([]*request, len(ps))
	for i, p := range ps {
		reqs[i] = &request{ws: ws, in: ins[i], p: p}
	}
	var results []*Result
	h := newHandoff(g.cfg.Delivery)
	err = g.cfg.Store.WithTx(ctx, func(tx store.Tx) error {
		h.reset() // a transaction run again starts afresh
		var err error
		if results, err = g.writeGroup(ctx, tx, reqs, h); err != nil {
			return err
		}
		if then != nil {
			return then(tx, results)
		}
		return nil
	})
	if h.done(err) {
		g.cfg.Notify()
	}
	if err != nil {
		return nil, err
	}
	for _, res := range results {
		g.recordIngest(res)
	}
	return results, nil
}

// DryRun decides and renders a hypothetical event exactly as Accept
// would, and stores nothing. Inline contacts take part but are not saved.
func (g *Ingester) DryRun(ctx context.Context, ws *model.Workspace, in *Input) (*Result, error) {
	return g.DryRunAt(ctx, ws, in, g.now())
}

// DryRunAt is DryRun as if the event arrived at at: the flow decides and
// the templates render with that instant (a schedule's preview of a
// chosen day shows the mail as it would be sent then).
func (g *Ingester) DryRunAt(ctx context.Context, ws *model.Workspace, in *Input, at time.Time) (*Result, error) {
	ps, err := g.prepareAll(ctx, g.cfg.Store, ws, []*Input{in}, at, true)
	if err != nil {
		return nil, err
	}
	return ps[0].res, nil
}

// acceptAlone accepts one event in a transaction of its own.
func (g *Ingester) acceptAlone(ctx context.Context, ws *model.Workspace, in *Input) (*Result, error) {
	res, err := g.AcceptMany(ctx, ws, []*Input{in}, nil)
	if err != nil {
		return nil, err
	}
	return res[0], nil
}

// prepared is an event decided and rendered, ready to be stored.
type prepared struct {
	ws       *model.Workspace
	in       *Input
	contacts []*model.Contact
	// planned are the planner's messages, in the order of res.Messages.
	planned []plan.Message
	res     *Result
	// event and messages are res's event and messages with their columns
	// encoded (see encode), empty for a dry run.
	event    store.EventRow
	messages []store.MessageRow
}

// encode encodes the columns of p's event and messages for storing,
// outside the write transaction: on SQLite what a transaction computes
// keeps every other writer waiting (see store.EventRow). Whatever changes
// them later (throttle) encodes them again.
func (p *prepared) encode() {
	p.event = store.EncodeEvents([]*model.Event{p.res.Event})[0]
	p.messages = store.EncodeMessages(p.res.Messages)
}

// prepareAll prepares events of one workspace together: what they read is
// loaded with a few queries for all of them (see loadSnapshots), then they
// are decided and rendered (and, unless dry, encoded for storing) on every
// CPU at once. It writes nothing. Inline contacts take part in the
// decision as they will be saved. Once ctx is done (the client went
// away, the request's time is up) it plans no further event and returns
// ctx's error: a half-planned group is never stored.
func (g *Ingester) prepareAll(ctx context.Context, q store.Queries, ws *model.Workspace, ins []*Input, now time.Time,
	dry bool,
) ([]*prepared, error) {
	items := make([]item, len(ins))
	var planned []item
	for i, in := range ins {
		items[i] = item{in: in, ev: newEvent(in, now)}
		if in.Exclusion == nil {
			planned = append(planned, items[i])
		}
	}
	snaps, err := g.loadSnapshots(ctx, q, ws, planned)
	if err != nil {
		return nil, err
	}
	out := make([]*prepared, len(ins))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(ins)) {
		wg.Go(func() {
			for i := range next {
				out[i] = g.prepare(ctx, ws, items[i], snaps[items[i].ev], now, dry)
			}
		})
	}
feed:
	for i := range ins {
		select {
		case next <- i:
		case <-ctx.Done():
			// The request is gone or out of time: the rest is not
			// planned, and nothing of it is stored.
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("plan events: %w", err)
	}
	return out, nil
}

// prepare plans and renders one event from its snapshot and, unless dry,
// encodes it for storing.
func (g *Ingester) prepare(ctx context.Context, ws *model.Workspace, it item, snap *snapshot, now time.Time, dry bool) *prepared {
	p := g.planEvent(ctx, ws, it, snap, now)
	if !dry {
		p.encode()
	}
	return p
}

// planEvent plans and renders one event from its snapshot (none for an
// event a schedule excluded: it is recorded with the exclusion and plans
// nothing).
func (g *Ingester) planEvent(ctx context.Context, ws *model.Workspace, it item, snap *snapshot, now time.Time) *prepared {
	in, ev := it.in, it.ev
	var msgs []*model.Message
	var hooks []plan.Webhook
	var planned []plan.Message
	var digests []*DigestItem
	switch {
	case in.Exclusion != nil:
		ev.Trace = []model.Step{{Code: model.StepEventReceived, Params: map[string]string{"type": ev.Type, "project": ev.Project}}, *in.Exclusion}
	default:
		for _, ct := range in.Contacts {
			snap.contacts[ct.ID] = asSaved(ct, snap.contacts[ct.ID])
		}
		var out plan.Output
		pin := snap.input(ws, ev, now)
		pin.Origin = in.Origin // the trace starts with it, rather than a copy of the trace after it
		if in.Manual != nil {
			out = plan.PlanManual(ctx, pin, in.Manual, g.evaluator())
		} else {
			out = plan.Plan(ctx, pin, g.evaluator())
		}
		msgs, planned, digests = g.materialize(ctx, ws, ev, snap, &out, now)
		hooks = out.Webhooks
		ev.Trace = out.Trace
		if in.NotBefore.After(now) {
			for _, m := range msgs {
				if m.Status == model.MsgQueued && (m.NextAttemptAt == nil || in.NotBefore.After(*m.NextAttemptAt)) {
					nb := in.NotBefore
					m.NextAttemptAt = &nb
				}
			}
		}
	}
	if in.Origin != nil && in.Exclusion != nil {
		ev.Trace = append([]model.Step{*in.Origin}, ev.Trace...)
	}
	return &prepared{ws: ws, in: in, contacts: in.Contacts, planned: planned,
		res: &Result{Event: ev, Messages: msgs, Webhooks: hooks, Digests: digests}}
}

// writeGroup stores the prepared events of a group with a few multi-row
// statements, answers repeated idempotency keys with the first result, and
// adds the day's counts.
func (g *Ingester) writeGroup(ctx context.Context, tx store.Tx, batch []*request, h *handoff) ([]*Result, error) {
	results := make([]*Result, len(batch))
	used, err := g.usedKeys(ctx, tx, batch)
	if err != nil {
		return nil, err
	}
	seen := map[string]int{} // workspace/key → index of the first in this group
	byWS := map[int64][]*prepared{}
	var order []int64
	for i, r := range batch {
		if key := r.in.IdempotencyKey; key != "" {
			k := fmt.Sprintf("%d/%s", r.ws.ID, key)
			if first, dup := seen[k]; dup {
				results[i] = &Result{Event: batch[first].p.res.Event, Duplicate: true, Messages: batch[first].p.res.Messages}
				continue
			}
			if used[k] {
				res, err := g.existing(ctx, tx, r.ws, key)
				if err != nil {
					return nil, err
				}
				results[i] = res
				continue
			}
			seen[k] = i
		}
		if _, ok := byWS[r.ws.ID]; !ok {
			order = append(order, r.ws.ID)
		}
		byWS[r.ws.ID] = append(byWS[r.ws.ID], r.p)
		results[i] = r.p.res
	}
	now := g.now()
	for _, id := range order {
		ps := byWS[id]
		if err := g.writeMany(ctx, tx, ps, h); err != nil {
			return nil, err
		}
		var msgs []*model.Message
		for _, p := range ps {
			msgs = append(msgs, p.res.Messages...)
		}
		if err := tx.StatsAdd(ctx, dailyCounts(ps[0].ws, msgs, now)); err != nil {
			return nil, fmt.Errorf("count messages: %w", err)
		}
	}
	return results, nil
}

// usedKeys finds, with one query per workspace, which idempotency keys of
// the group events already use ("workspace/key").
func (g *Ingester) usedKeys(ctx context.Context, q store.Queries, batch []*request) (map[string]bool, error) {
	keys := map[int64][]string{}
	for _, r := range batch {
		if k := r.in.IdempotencyKey; k != "" {
			keys[r.ws.ID] = append(keys[r.ws.ID], k)
		}
	}
	out := map[string]bool{}
	for ws, ks := range keys {
		used, err := q.EventIdempotencyKeys(ctx, ws, ks)
		if err != nil {
			return nil, fmt.Errorf("look up idempotency keys: %w", err)
		}
		for k := range used {
			out[fmt.Sprintf("%d/%s", ws, k)] = true
		}
	}
	return out, nil
}

// writeMany stores prepared events of one workspace: their inline
// contacts, the events with their traces, and their messages (those h
// takes already claimed).
func (g *Ingester) writeMany(ctx context.Context, tx store.Tx, ps []*prepared, h *handoff) error {
	ws := ps[0].ws
	var contacts []*model.Contact
	events := make([]store.EventRow, len(ps))
	var msgs []store.MessageRow
	for _, p := range ps {
		contacts = append(contacts, p.contacts...)
	}
	if len(contacts) > 0 {
		if err := tx.ContactUpsertMany(ctx, ws.ID, contacts); err != nil {
			return fmt.Errorf("save inline contacts: %w", err)
		}
	}
	if err := g.throttle(ctx, tx, ws.ID, ps); err != nil {
		return fmt.Errorf("count throttles: %w", err)
	}
	n := 0
	for _, p := range ps {
		n += len(p.messages)
	}
	msgs = make([]store.MessageRow, 0, n)
	for i, p := range ps { // after throttle, which may have encoded them again
		events[i] = p.event
		msgs = append(msgs, p.messages...)
	}
	if err := tx.EventInsertRows(ctx, ws.ID, events); err != nil {
		return fmt.Errorf("save events: %w", err)
	}
	claimed, rest := h.take(ws.ID, msgs)
	if err := tx.MessageInsertRows(ctx, ws.ID, "", time.Time{}, rest); err != nil {
		return fmt.Errorf("save messages: %w", err)
	}
	if len(claimed) > 0 {
		if err := tx.MessageInsertRows(ctx, ws.ID, h.owner, h.until, claimed); err != nil {
			return fmt.Errorf("save messages: %w", err)
		}
	}
	if err := g.collect(ctx, tx, ws.ID, ps); err != nil {
		return err
	}
	if g.cfg.AfterEvents != nil {
		written := make([]*Result, len(ps))
		for i, p := range ps {
			written[i] = p.res
		}
		if err := g.cfg.AfterEvents(ctx, tx, ws.ID, written); err != nil {
			return fmt.Errorf("queue webhooks: %w", err)
		}
	}
	return nil
}

// existing answers a repeated idempotency key with the first result.
func (g *Ingester) existing(ctx context.Context, q store.Queries, ws *model.Workspace, key string) (*Result, error) {
	ev, err := q.EventGetByIdempotencyKey(ctx, ws.ID, key)
	if err != nil {
		return nil, err
	}
	msgs, err := q.MessageList(ctx, &store.MessageListParams{WorkspaceID: ws.ID, EventID: ev.ID, Limit: 10000})
	if err != nil {
		return nil, fmt.Errorf("load messages of event: %w", err)
	}
	sort.Slice(msgs, func(i, j int) bool { return msgs[i].ID < msgs[j].ID })
	return &Result{Event: ev, Duplicate: true, Messages: msgs}, nil
}

// recordIngest counts a committed event and its messages.
func (g *Ingester) recordIngest(res *Result) {
	g.cfg.Metrics.EventsReceived.WithLabelValues(string(res.Event.Source), fmt.Sprint(res.Duplicate)).Inc()
	if res.Duplicate {
		return
	}
	for _, m := range res.Messages {
		g.cfg.Metrics.Messages.WithLabelValues(string(m.Status)).Inc()
	}
}

// dailyCounts counts new messages per status and reason for the
// dashboard (queued ones are counted when they are sent or fail).
func dailyCounts(ws *model.Workspace, msgs []*model.Message, now time.Time) []store.StatsDelta {
	day := now.In(ws.Location()).Format("2006-01-02")
	counts := map[[2]string]int{}
	for _, m := range msgs {
		switch m.Status {
		case model.MsgSuppressed, model.MsgAwaitingConfirmation, model.MsgFailed:
			reason := ""
			if m.Status == model.MsgSuppressed {
				reason = m.Reason // a short, fixed set; free text is dropped
			}
			counts[[2]string{string(m.Status), reason}]++
		}
	}
	out := make([]store.StatsDelta, 0, len(counts))
	for k, n := range counts {
		out = append(out, store.StatsDelta{WorkspaceID: ws.ID, Day: day, Status: model.MessageStatus(k[0]), Reason: k[1], N: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Status != out[j].Status {
			return out[i].Status < out[j].Status
		}
		return out[i].Reason < out[j].Reason
	})
	return out
}
