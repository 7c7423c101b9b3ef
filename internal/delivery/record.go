package delivery

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/herold-dev/herold/internal/metrics"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// maxRecordBatch bounds the outcomes one write records. A write waits up
// to recordGather for at least minRecordBatch outcomes while more are on
// their way: a busy dispatcher then writes a few large batches instead of
// many small ones, and an outcome still waits at most a few milliseconds
// (a crash doubles only what was not yet written).
const (
	maxRecordBatch = 1000
	minRecordBatch = 64
	recordGather   = 5 * time.Millisecond
)

// recordRetry is the first wait after a failed write of outcomes; it
// doubles up to recordRetryMax.
const (
	recordRetry    = 100 * time.Millisecond
	recordRetryMax = 5 * time.Second
)

// recordLoop records outcomes as they come: one write takes everything
// that is waiting, so a busy dispatcher writes few large batches and an
// idle one records each outcome at once (a crash can then only double
// the messages whose outcome was not yet written). A failed write is
// retried with the same outcomes — never the sends — until it succeeds,
// or until a stop's deadline passes.
func (d *Dispatcher) recordLoop() {
	defer close(d.recorded)
	var pending []*result
	open := true
	wait := recordRetry
	for open || len(pending) > 0 {
		if len(pending) == 0 {
			r, ok := <-d.done
			if !ok {
				return
			}
			pending = append(pending, r)
		}
		pending, open = d.gather(pending, open)
		if d.killed.Load() {
			pending = nil
			continue
		}
		err := d.record(pending)
		if err == nil {
			pending, wait = nil, recordRetry
			continue
		}
		d.log.Warn("recording delivery outcomes failed; keeping them and trying again", "owner", d.cfg.Owner,
			"messages", len(pending), "ids", idList(pending, 20), "retry_in", wait, "error", err)
		select {
		case <-time.After(wait):
			wait = min(2*wait, recordRetryMax)
		case <-d.deadline:
			if !d.killed.Load() {
				d.log.Error("stopped before delivery outcomes could be recorded; these messages will be sent again",
					"owner", d.cfg.Owner, "messages", len(pending), "ids", idList(pending, len(pending)), "error", err)
			}
			pending = nil
			for range d.done { // let the senders finish; their outcomes are lost too
			}
			return
		}
	}
}

// gather adds the outcomes already waiting to pending, up to
// maxRecordBatch, waiting up to recordGather for minRecordBatch while
// sends are in progress; it reports whether more can come.
func (d *Dispatcher) gather(pending []*result, open bool) ([]*result, bool) {
	var deadline <-chan time.Time
	for open && len(pending) < maxRecordBatch {
		select {
		case r, ok := <-d.done:
			if !ok {
				return pending, false
			}
			pending = append(pending, r)
			continue
		default:
		}
		if len(pending) >= minRecordBatch || d.InFlight() <= len(pending) || d.sendersWait() || d.killed.Load() {
			return pending, open // enough, nothing else is on its way, or the senders wait for this write
		}
		if deadline == nil {
			deadline = time.After(recordGather)
		}
		select {
		case r, ok := <-d.done:
			if !ok {
				return pending, false
			}
			pending = append(pending, r)
		case <-deadline:
			return pending, open
		}
	}
	return pending, open
}

// record writes a batch of outcomes and their daily counts in one
// transaction, then counts what applied in the metrics and frees the
// room they took.
func (d *Dispatcher) record(batch []*result) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var outcomes []*store.MessageOutcome
	var of []*result
	for _, r := range batch {
		outcomes, of = append(outcomes, d.outcome(r)), append(of, r)
	}
	var applied []bool
	if len(outcomes) > 0 {
		zones, err := d.zones(ctx, outcomes)
		if err != nil {
			return err
		}
		// Encoded here, not in the transaction: on SQLite that runs on the
		// one writer, and every other write waits for it.
		store.EncodeOutcomes(outcomes)
		start := time.Now()
		// With a bound on sends awaiting their write, senders wait for
		// this one and a crash repeats what it has not written yet: it
		// goes before other writes. (With the capture mailbox nobody
		// waits for it, and it takes its turn.)
		wctx := ctx
		if d.cfg.MaxUnrecorded > 0 {
			wctx = store.WriteFirst(ctx)
		}
		err = d.cfg.Store.WithTx(wctx, func(tx store.Tx) error {
			var err error
			if applied, err = tx.MessageRecord(ctx, outcomes); err != nil {
				return fmt.Errorf("record outcomes: %w", err)
			}
			if err := suppressBounces(ctx, tx, of, applied); err != nil {
				return err
			}
			if d.cfg.AfterRecord != nil {
				if err := d.cfg.AfterRecord(ctx, tx, outcomes, applied); err != nil {
					return fmt.Errorf("queue webhooks of outcomes: %w", err)
				}
			}
			return tx.StatsAdd(ctx, dailyCounts(outcomes, applied, zones))
		})
		d.cfg.Metrics.ObserveWriteBatch(metrics.BatchOutcomes, len(outcomes), time.Since(start))
		if err != nil {
			return err
		}
	}
	for i, o := range outcomes {
		if applied[i] {
			d.count(o, of[i])
			d.logBounces(of[i])
		}
	}
	d.forget(batch)
	return nil
}

// outcome is what r records. A release — a stop's, or an attempt
// abandoned because its lease ran out — gives the claim back unsent (it
// applies only while the lease is still this process's).
func (d *Dispatcher) outcome(r *result) *store.MessageOutcome {
	m := r.job.msg
	o := &store.MessageOutcome{WorkspaceID: r.job.ws, ID: m.ID, Owner: d.cfg.Owner, Attempts: m.Attempts, At: r.ended}
	if r.release || r.decision.Verdict == Abandon {
		o.To, o.Attempts, o.DueAt = model.MsgQueued, m.Attempts-1, &r.ended
		if o.Attempts > 0 {
			o.To = model.MsgRetrying
		}
		return o
	}
	dc := r.decision
	sending := model.MessageEvent{At: r.started, Status: model.MsgSending, Attempt: m.Attempts}
	switch dc.Verdict {
	case Sent:
		o.To, o.Delivered, o.LastReply, o.SentAt = model.MsgSent, true, dc.Reply, &r.ended
		if d.cfg.Capture && m.Channel != model.ChannelInApp {
			o.CapturedSize = r.size
		}
		o.Entries = []model.MessageEvent{sending, {At: r.ended, Status: model.MsgSent, Attempt: m.Attempts, Detail: dc.Reply}}
	case Retry:
		next := dc.Next
		o.To, o.Reason, o.LastReply, o.DueAt = model.MsgRetrying, dc.Reason, dc.Reply, &next
		o.Entries = []model.MessageEvent{sending, {At: r.ended, Status: model.MsgRetrying, Attempt: m.Attempts,
			Detail: dc.Reason, NextAttemptAt: &next}}
	case Fail:
		o.To, o.Reason, o.LastReply = model.MsgFailed, dc.Reason, dc.Reply
		o.Entries = []model.MessageEvent{sending, {At: r.ended, Status: model.MsgFailed, Attempt: m.Attempts, Detail: dc.Reason}}
	}
	return o
}

// zones returns the time zone of each workspace among outcomes (looked up
// before the transaction, which does nothing but write).
func (d *Dispatcher) zones(ctx context.Context, outcomes []*store.MessageOutcome) (map[int64]*time.Location, error) {
	out := map[int64]*time.Location{}
	for _, o := range outcomes {
		if _, ok := out[o.WorkspaceID]; ok {
			continue
		}
		ws, err := d.workspace(ctx, o.WorkspaceID)
		if err != nil {
			return nil, err
		}
		out[o.WorkspaceID] = ws.Location()
	}
	return out, nil
}

// dailyCounts are the dashboard's counts of the sent and failed messages
// among the applied outcomes, by workspace and its local day.
func dailyCounts(outcomes []*store.MessageOutcome, applied []bool, zones map[int64]*time.Location) []store.StatsDelta {
	type key struct {
		ws     int64
		day    string
		status model.MessageStatus
	}
	counts := map[key]int{}
	for i, o := range outcomes {
		if !applied[i] || (o.To != model.MsgSent && o.To != model.MsgFailed) {
			continue
		}
		counts[key{o.WorkspaceID, o.At.In(zones[o.WorkspaceID]).Format("2006-01-02"), o.To}]++
	}
	deltas := make([]store.StatsDelta, 0, len(counts))
	for k, n := range counts {
		deltas = append(deltas, store.StatsDelta{WorkspaceID: k.ws, Day: k.day, Status: k.status, N: n})
	}
	sort.Slice(deltas, func(i, j int) bool { // a stable order: no deadlocks between replicas
		a, b := deltas[i], deltas[j]
		if a.WorkspaceID != b.WorkspaceID {
			return a.WorkspaceID < b.WorkspaceID
		}
		if a.Day != b.Day {
			return a.Day < b.Day
		}
		return a.Status < b.Status
	})
	return deltas
}

// count records an applied outcome in the metrics, once per message and
// status.
func (d *Dispatcher) count(o *store.MessageOutcome, r *result) {
	if r.release || r.decision.Verdict == Abandon {
		return
	}
	d.cfg.Metrics.Messages.WithLabelValues(string(o.To)).Inc()
	d.cfg.Metrics.DeliveryAttempts.WithLabelValues(r.decision.Verdict.String()).Inc()
}

// forget drops recorded messages from the held set and makes room.
func (d *Dispatcher) forget(batch []*result) {
	d.mu.Lock()
	for _, r := range batch {
		delete(d.held, r.job.msg.ID)
		if r.counted {
			d.unrecorded--
		}
	}
	d.inFlight -= len(batch)
	d.changed.Broadcast()
	d.mu.Unlock()
	select {
	case d.room <- struct{}{}:
	default:
	}
}

// renewLoop renews the leases of the held messages every third of the
// lease, until the recorder is done.
func (d *Dispatcher) renewLoop() {
	defer close(d.renewed)
	tick := time.NewTicker(d.cfg.Lease / 3)
	defer tick.Stop()
	for {
		select {
		case <-d.recorded:
			return
		case <-tick.C:
			d.renew()
		}
	}
}

func (d *Dispatcher) renew() {
	d.mu.Lock()
	ids := make([]string, 0, len(d.held))
	for id := range d.held {
		ids = append(ids, id)
	}
	d.mu.Unlock()
	if len(ids) == 0 || d.killed.Load() {
		return
	}
	until := d.cfg.Clock.Now().Add(d.cfg.Lease)
	ctx, cancel := context.WithTimeout(context.Background(), d.cfg.Lease/3)
	defer cancel()
	if _, err := d.cfg.Store.MessageLeaseRenew(ctx, d.cfg.Owner, ids, until); err != nil {
		d.log.Warn("renewing leases failed", "owner", d.cfg.Owner, "messages", len(ids), "error", err)
		return
	}
	d.mu.Lock()
	for _, id := range ids {
		if j, ok := d.held[id]; ok {
			j.until = until
		}
	}
	d.mu.Unlock()
}

// idList names up to n messages of rs, for logs.
func idList(rs []*result, n int) string {
	ids := make([]string, 0, min(n, len(rs)))
	for _, r := range rs[:min(n, len(rs))] {
		ids = append(ids, r.job.msg.ID)
	}
	s := strings.Join(ids, ",")
	if len(rs) > n {
		s += fmt.Sprintf(",… (%d more)", len(rs)-n)
	}
	return s
}
