package ingest

import (
	"context"
	"slices"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// Delivery is this process's dispatcher (delivery.Dispatcher), which
// takes messages queued for now straight from the ingester: they are
// inserted already claimed by it and handed over after the commit, so
// they cost no claim.
type Delivery interface {
	// Reserve promises room for up to n messages and returns how many it
	// granted, and the lease to insert them under.
	Reserve(n int) (granted int, owner string, until time.Time)
	// Hand passes the messages inserted under the lease once committed.
	Hand(msgs []store.ClaimedMessage, until time.Time)
	// Unreserve gives back places not handed over; lost says the insert
	// may have committed anyway.
	Unreserve(n int, lost bool)
	// WaitRoom waits until the dispatcher could take n messages (or may
	// return at once: with replicas, others share the queue).
	WaitRoom(ctx context.Context, n int)
}

// WaitRoom waits, before a large batch of events (a schedule run's), until
// delivery could take n messages straight away; without a Delivery it
// returns at once.
func (g *Ingester) WaitRoom(ctx context.Context, n int) {
	if g.cfg.Delivery != nil {
		g.cfg.Delivery.WaitRoom(ctx, n)
	}
}

// handoff collects the messages one transaction inserts claimed.
type handoff struct {
	d       Delivery
	owner   string
	until   time.Time
	granted int
	msgs    []store.ClaimedMessage
	// queued is set when queued messages were inserted unclaimed: the
	// dispatcher must be told to claim them.
	queued bool
}

// newHandoff returns a handoff to d (nil: every message is queued for
// delivery to claim).
func newHandoff(d Delivery) *handoff { return &handoff{d: d} }

// take splits msgs into those the dispatcher takes (inserted claimed) and
// the rest, reserving room for the queued ones.
func (h *handoff) take(ws int64, msgs []store.MessageRow) (claimed, rest []store.MessageRow) {
	queued := 0
	for _, r := range msgs {
		if forNow(r.Message) {
			queued++
		}
	}
	if queued == 0 {
		return nil, msgs
	}
	n := 0
	var owner string
	var until time.Time
	if h.d != nil {
		n, owner, until = h.d.Reserve(queued)
	}
	h.queued = h.queued || n < queued
	if n == 0 {
		return nil, msgs
	}
	if h.granted == 0 {
		h.owner, h.until = owner, until
	}
	h.granted += n
	rest = make([]store.MessageRow, 0, len(msgs)-n)
	claimed = make([]store.MessageRow, 0, n)
	h.msgs = slices.Grow(h.msgs, n)
	for _, r := range msgs {
		if n > 0 && forNow(r.Message) {
			claimed = append(claimed, r)
			h.msgs = append(h.msgs, store.ClaimedMessage{WorkspaceID: ws, Message: r.Message})
			n--
			continue
		}
		rest = append(rest, r)
	}
	return claimed, rest
}

// forNow reports whether m is queued for now, not for later (see
// Input.NotBefore): only those are handed to the dispatcher.
func forNow(m *model.Message) bool { return m.Status == model.MsgQueued && m.NextAttemptAt == nil }

// reset gives back what an attempt of the transaction reserved, before
// it runs again (it rolled back).
func (h *handoff) reset() {
	if h.granted > 0 {
		h.d.Unreserve(h.granted, false)
	}
	h.granted, h.msgs, h.queued = 0, nil, false
}

// done hands the messages over after the transaction committed (err nil),
// or gives their room back; it reports whether messages were queued for
// delivery to claim.
func (h *handoff) done(err error) (queued bool) {
	switch {
	case h.granted == 0:
	case err != nil:
		h.d.Unreserve(h.granted, true)
	default:
		h.d.Hand(h.msgs, h.until)
	}
	queued = err == nil && h.queued
	h.granted, h.msgs, h.queued = 0, nil, false
	return queued
}
