package delivery

import (
	"context"
	"time"

	"github.com/herold-dev/herold/internal/store"
)

// A message queued for now by this process need not be claimed: Reserve
// promises room for it, the ingester inserts it already claimed under the
// returned lease (store.MessageInsertClaimed), and hands it over with
// Hand once that committed — or gives the room back with Unreserve when
// the commit failed. A busy mailing then costs no claim per message. Due
// messages of the queue (retries, messages queued while there was no
// room, other processes' backlog) are not starved: while the last claim
// found more than it could take, reservations leave a claim's worth of
// room free.

// Reserve promises room for up to n messages inserted already claimed by
// this process, and returns how many it granted (0 while stopping), the
// owner to lease them to and until when. Every granted place must be
// ended by Hand or Unreserve.
func (d *Dispatcher) Reserve(n int) (granted int, owner string, until time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if n <= 0 || !d.started.Load() || d.stopping.Load() || d.reconciling || d.unsure {
		return 0, "", time.Time{}
	}
	room := d.cfg.MaxInFlight - d.inFlight
	if d.backlog {
		room -= d.claimBatch()
	}
	granted = min(n, room)
	if granted <= 0 {
		return 0, "", time.Time{}
	}
	d.inFlight += granted
	d.reserved += granted
	return granted, d.cfg.Owner, d.cfg.Clock.Now().Add(d.cfg.Lease)
}

// Hand gives the dispatcher messages inserted claimed under a lease
// Reserve returned (until), once the insert committed; they take the
// room reserved for them. Should the dispatcher have been killed or its
// stop's deadline passed meanwhile, they stay leased until the lease
// runs out, as after a crash.
func (d *Dispatcher) Hand(msgs []store.ClaimedMessage, until time.Time) {
	if len(msgs) == 0 {
		return
	}
	jobs := make([]*job, 0, len(msgs))
	d.mu.Lock()
	d.reserved -= len(msgs)
	if d.workClosed {
		d.inFlight -= len(msgs)
		d.changed.Broadcast()
		d.mu.Unlock()
		d.log.Warn("messages inserted for sending arrived after delivery stopped; they are sent again when their lease ends",
			"owner", d.cfg.Owner, "messages", len(msgs), "lease_until", until)
		return
	}
	for _, c := range msgs {
		m := *c.Message
		m.Status, m.Attempts, _ = store.InsertRow(c.Message, d.cfg.Owner, until) // as inserted
		j := &job{ws: c.WorkspaceID, msg: &m, until: until}
		d.held[m.ID] = j
		jobs = append(jobs, j)
	}
	for _, j := range jobs {
		d.work <- j // never blocks: work holds MaxInFlight, and the room was reserved
	}
	d.changed.Broadcast()
	d.mu.Unlock()
}

// WaitRoom waits until there is room for n messages (at most half of
// MaxInFlight), ctx ends, or the dispatcher is stopping or not running. A
// schedule run on a single server waits so before it emits: its messages
// are then handed over instead of queued for a claim, and the run goes at
// the pace of sending.
func (d *Dispatcher) WaitRoom(ctx context.Context, n int) {
	want := min(n, d.cfg.MaxInFlight/2)
	stop := context.AfterFunc(ctx, d.signal)
	defer stop()
	d.mu.Lock()
	defer d.mu.Unlock()
	for d.started.Load() && !d.stopping.Load() && ctx.Err() == nil && d.cfg.MaxInFlight-d.inFlight < want {
		d.changed.Wait()
	}
}

// Unreserve gives back n places Reserve granted whose messages will not
// be handed over. lost says the insert failed in a way that may have
// committed (its answer lost): the leases are then reconciled before the
// next claim.
func (d *Dispatcher) Unreserve(n int, lost bool) {
	if n <= 0 {
		return
	}
	d.mu.Lock()
	d.reserved -= n
	d.inFlight -= n
	d.unsure = d.unsure || lost
	d.changed.Broadcast()
	d.mu.Unlock()
	select {
	case d.room <- struct{}{}:
	default:
	}
}

// closeWork closes the senders' queue; for a stop it first waits until no
// reserved message is still on its way (or the stop's deadline passed).
func (d *Dispatcher) closeWork(wait bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for wait && d.reserved > 0 && !d.deadlinePassed() {
		d.changed.Wait()
	}
	d.workClosed = true
	close(d.work)
}

// deadlinePassed reports whether a stop's deadline passed.
func (d *Dispatcher) deadlinePassed() bool {
	select {
	case <-d.deadline:
		return true
	default:
		return false
	}
}
