package ingest

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/herold-dev/herold/internal/model"
)

// loadGroup reads the snapshots of concurrent Accept calls together: while
// one read runs, the events that arrive meanwhile wait, and the first of
// them then reads for all of them with the few queries loadSnapshots
// makes for a group (the configuration version, the contacts, the
// suppression list). One event alone reads at once, as before; under load
// the queries' fixed cost is paid once per group instead of once per
// event.
//
// Each event still sees what was committed before it arrived: a group is
// read after every event in it joined the group, so an event never sees
// an older version than reading for itself would have shown.
type loadGroup struct {
	g       *Ingester
	mu      sync.Mutex
	busy    bool
	waiting []*loadRequest
	// hook, when set (tests), runs before a group is read with its size.
	hook func(events int)
}

// maxLoadGroup is the most events one group read takes; the rest wait for
// the next.
const maxLoadGroup = 256

// loadRequest is one event waiting for its snapshot.
type loadRequest struct {
	ctx  context.Context
	ws   *model.Workspace
	it   item
	snap *snapshot
	err  error
	// lead is set when this request is to read for the group it holds.
	lead []*loadRequest
	done chan struct{}
}

// load returns it's snapshot, read alone or with the events that wait
// with it.
func (l *loadGroup) load(ctx context.Context, ws *model.Workspace, it item) (*snapshot, error) {
	r := &loadRequest{ctx: ctx, ws: ws, it: it, done: make(chan struct{}, 1)}
	l.mu.Lock()
	batch := []*loadRequest{r}
	if l.busy {
		l.waiting = append(l.waiting, r)
		l.mu.Unlock()
		// No escape on ctx: this request may be chosen to read for the
		// next group, and its read is bounded (see read).
		<-r.done
		if r.lead == nil {
			return r.snap, r.err
		}
		batch = r.lead
	} else {
		l.busy = true
		l.mu.Unlock()
	}
	defer l.handOff() // also after a panic, so that no event waits for ever
	l.read(batch)
	return r.snap, r.err
}

// handOff passes the reading on to the first of the events waiting, with
// as many of them as a group takes, or ends the reading.
func (l *loadGroup) handOff() {
	l.mu.Lock()
	if len(l.waiting) == 0 {
		l.busy = false
		l.mu.Unlock()
		return
	}
	n := min(len(l.waiting), maxLoadGroup)
	next := l.waiting[:n:n]
	l.waiting = append([]*loadRequest(nil), l.waiting[n:]...)
	l.mu.Unlock()
	next[0].lead = next
	next[0].done <- struct{}{}
}

// read reads the snapshots of batch, one group per workspace, and
// answers every request but the first, which reads (and returns its
// own).
func (l *loadGroup) read(batch []*loadRequest) {
	defer func() {
		if p := recover(); p != nil {
			l.g.cfg.Logger.Error("reading the snapshots of a group of events failed", "events", len(batch),
				"workspace_id", batch[0].ws.ID, "panic", p, "stack", string(debug.Stack()))
			for _, r := range batch {
				if r.snap == nil && r.err == nil {
					r.err = fmt.Errorf("read contacts: %v", p)
				}
			}
		}
		for _, r := range batch[1:] {
			r.done <- struct{}{}
		}
	}()
	if l.hook != nil {
		l.hook(len(batch))
	}
	// The group's read belongs to all its events, not to the one that
	// happens to run it: it is not cancelled with that one's request.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(batch[0].ctx), time.Minute)
	defer cancel()
	byWS := map[int64][]*loadRequest{}
	var order []*model.Workspace
	for _, r := range batch {
		if _, ok := byWS[r.ws.ID]; !ok {
			order = append(order, r.ws)
		}
		byWS[r.ws.ID] = append(byWS[r.ws.ID], r)
	}
	for _, ws := range order {
		rs := byWS[ws.ID]
		items := make([]item, len(rs))
		for i, r := range rs {
			items[i] = r.it
		}
		snaps, err := l.g.loadSnapshots(ctx, l.g.cfg.Store, ws, items)
		for _, r := range rs {
			r.snap, r.err = snaps[r.it.ev], err
		}
	}
}
