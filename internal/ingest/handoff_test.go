package ingest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/alloctest"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// recordingDelivery grants up to room places (a handed message keeps its
// place, as it would while being sent) and records what it is handed and
// given back.
type recordingDelivery struct {
	mu         sync.Mutex
	room       int
	used       int
	reserved   int // granted, not yet handed or given back
	handed     []store.ClaimedMessage
	unreserved int
	lost       bool
}

const leaseOwner = "this-process"

var leaseUntil = start.Add(30 * time.Second)

func (d *recordingDelivery) Reserve(n int) (int, string, time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	g := min(n, d.room-d.used)
	d.used += g
	d.reserved += g
	return g, leaseOwner, leaseUntil
}

func (d *recordingDelivery) Hand(msgs []store.ClaimedMessage, until time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !until.Equal(leaseUntil) {
		panic("handed under another lease")
	}
	d.handed = append(d.handed, msgs...)
	d.reserved -= len(msgs)
}

func (d *recordingDelivery) WaitRoom(context.Context, int) {}

func (d *recordingDelivery) Unreserve(n int, lost bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.unreserved += n
	d.reserved -= n
	d.used -= n
	d.lost = d.lost || lost
}

// Queued messages the dispatcher has room for are stored already claimed
// by it and handed over after the commit; the rest are queued, and only
// then is delivery told to claim.
func TestQueuedMessagesAreHandedToDelivery(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	d := &recordingDelivery{room: 3}
	f.g.cfg.Delivery = d
	f.contacts(contact("anna"), contact("ben"))
	res, err := f.g.Accept(f.ctx, f.ws, ping("anna", "ben"))
	require.NoError(t, err)
	require.Len(t, d.handed, 2)
	require.Zero(t, f.notices.Load(), "nothing left for a claim")
	for i, c := range d.handed {
		require.Equal(t, res.Messages[i].ID, c.ID)
		require.Equal(t, f.ws.ID, c.WorkspaceID)
		m, err := f.st.MessageGet(f.ctx, f.ws.ID, c.ID)
		require.NoError(t, err)
		require.Equal(t, model.MsgSending, m.Status, "stored as a claim leaves it")
		require.Equal(t, 1, m.Attempts)
		require.Equal(t, []model.MessageStatus{model.MsgPlanned, model.MsgQueued}, statusesOf(m.Timeline))
	}
	require.Equal(t, model.MsgQueued, res.Messages[0].Status, "the event's result says what was decided")
	claimed, err := f.st.MessageClaim(f.ctx, &store.MessageClaimParams{Owner: "other", Now: start,
		LeaseUntil: start.Add(time.Minute), Limit: 10})
	require.NoError(t, err)
	require.Empty(t, claimed, "another process cannot claim them while the lease holds")
	claimed, err = f.st.MessageClaim(f.ctx, &store.MessageClaimParams{Owner: "other", Now: leaseUntil,
		LeaseUntil: leaseUntil.Add(time.Minute), Limit: 10})
	require.NoError(t, err)
	require.Len(t, claimed, 2, "but once it ran out")

	// One place left: one message is handed, the other queued for a claim.
	f.contacts(contact("carl"))
	_, err = f.g.Accept(f.ctx, f.ws, ping("carl", "anna"))
	require.NoError(t, err)
	require.Len(t, d.handed, 3)
	require.Equal(t, int32(1), f.notices.Load(), "delivery is told to claim the other")
}

// When the transaction fails, nothing is handed over and the places are
// given back as possibly committed.
func TestFailedTransactionGivesReservationsBack(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	d := &recordingDelivery{room: 10}
	f.g.cfg.Delivery = d
	f.contacts(contact("anna"), contact("ben"))
	boom := errors.New("boom")
	_, err := f.g.AcceptMany(f.ctx, f.ws, []*Input{ping("anna", "ben")}, func(store.Tx, []*Result) error { return boom })
	require.ErrorIs(t, err, boom)
	require.Empty(t, d.handed)
	require.Equal(t, 2, d.unreserved)
	require.True(t, d.lost)
	require.Zero(t, d.reserved)
	require.Zero(t, f.notices.Load())
}

func statusesOf(tl []model.MessageEvent) []model.MessageStatus {
	out := make([]model.MessageStatus, len(tl))
	for i, e := range tl {
		out[i] = e.Status
	}
	return out
}

// TestTakeAllocatesItsListsOnce pins what splitting a group of 100
// queued messages costs: the claimed rows and the messages to hand over
// are each allocated once at their size (7,200 and 1,600 bytes, 8,192
// and 1,792 with the allocator's size classes), not grown row by row
// (25,840 bytes before).
func TestTakeAllocatesItsListsOnce(t *testing.T) { // not parallel: it counts bytes
	rows := make([]store.MessageRow, 100)
	for i := range rows {
		rows[i].Message = &model.Message{ID: fmt.Sprint(i), Status: model.MsgQueued}
	}
	d := &recordingDelivery{room: 1 << 30}
	var claimed, rest []store.MessageRow
	var handed int
	got := alloctest.BytesPerRun(t, 50, func() {
		h := newHandoff(d)
		claimed, rest = h.take(1, rows)
		handed = len(h.msgs)
	})
	require.Len(t, claimed, 100)
	require.Empty(t, rest)
	require.Equal(t, 100, handed)
	require.LessOrEqual(t, got, 10100.0, "bytes per take of 100 messages")
}
