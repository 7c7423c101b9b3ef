package inbox

import (
	"errors"
	"sync"
)

// ErrTooManyStreams is returned when the server already has as many
// live streams as allowed.
var ErrTooManyStreams = errors.New("too many live feed connections on this server; try again later")

// hubKey names one contact's feed.
type hubKey struct {
	ws      int64
	contact string
}

// hub knows the live streams of every feed and which of them have
// changes to send. A wake-up carries no data: the stream's writer reads
// what changed from the store, so any number of changes before it runs
// cost one read, and a slow browser holds nothing but its own stream.
type hub struct {
	mu   sync.Mutex
	cond *sync.Cond // signalled when ready grows or the hub closes
	subs map[hubKey]map[*Stream]struct{}
	// ready are the started streams woken since their last flush, each
	// once, oldest wake-up first.
	ready    []*Stream
	total    int
	seq      uint64 // orders streams, oldest first
	closed   bool
	maxPer   int
	maxTotal int
}

func newHub(maxPer, maxTotal int) *hub {
	h := &hub{subs: map[hubKey]map[*Stream]struct{}{}, maxPer: maxPer, maxTotal: maxTotal}
	h.cond = sync.NewCond(&h.mu)
	return h
}

// add registers s. A contact beyond its bound gives way with its oldest
// stream: a closed tab's stream is noticed only at its next write, and
// reloading a page must not lock the person out.
func (h *hub) add(s *Stream) error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return ErrStopped
	}
	var evicted *Stream
	if len(h.subs[s.k]) >= h.maxPer {
		evicted = h.oldestLocked(s.k)
		h.removeLocked(evicted)
	}
	if h.total >= h.maxTotal {
		h.mu.Unlock()
		return ErrTooManyStreams
	}
	h.seq++
	s.seq = h.seq
	if h.subs[s.k] == nil {
		h.subs[s.k] = map[*Stream]struct{}{}
	}
	h.subs[s.k][s] = struct{}{}
	h.total++
	h.mu.Unlock()
	if evicted != nil {
		evicted.closeConn()
	}
	return nil
}

// oldestLocked returns k's oldest stream; h.mu is held.
func (h *hub) oldestLocked(k hubKey) *Stream {
	var oldest *Stream
	for s := range h.subs[k] {
		if oldest == nil || s.seq < oldest.seq {
			oldest = s
		}
	}
	return oldest
}

// removeLocked ends s's registration; h.mu is held. Harmless for a
// stream already removed.
func (h *hub) removeLocked(s *Stream) {
	if s == nil || s.ended {
		return
	}
	s.ended = true
	delete(h.subs[s.k], s)
	if len(h.subs[s.k]) == 0 {
		delete(h.subs, s.k)
	}
	h.total--
}

// wakeLocked queues s for a writer unless it is queued already (one
// pending wake-up stands for any number of changes); h.mu is held.
func (h *hub) wakeLocked(s *Stream) {
	if s.queued || !s.started || s.ended {
		return
	}
	s.queued = true
	h.ready = append(h.ready, s)
	h.cond.Signal()
}

// notify wakes the streams of k's feed.
func (h *hub) notify(k hubKey) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs[k] {
		h.wakeLocked(s)
	}
}

// wakeAll wakes every stream.
func (h *hub) wakeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, set := range h.subs {
		for s := range set {
			h.wakeLocked(s)
		}
	}
}

// next waits for a woken stream and takes it off the queue; nil when the
// hub closed. A wake-up after this is queued anew, so a change made
// while the stream is being sent is sent after it.
func (h *hub) next() *Stream {
	h.mu.Lock()
	defer h.mu.Unlock()
	for {
		for len(h.ready) == 0 && !h.closed {
			h.cond.Wait()
		}
		if h.closed {
			return nil
		}
		s := h.ready[0]
		h.ready[0] = nil
		h.ready = h.ready[1:]
		if len(h.ready) == 0 {
			h.ready = nil // let the array go: a burst must not stay allocated
		}
		s.queued = false
		if !s.ended {
			return s
		}
	}
}

// started returns the started streams.
func (h *hub) started() []*Stream {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]*Stream, 0, h.total)
	for _, set := range h.subs {
		for s := range set {
			if s.started {
				out = append(out, s)
			}
		}
	}
	return out
}

// count returns the live streams.
func (h *hub) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.total
}

// close refuses new streams and returns every live one (for its caller
// to close their connections), once; the writers waiting in next return.
func (h *hub) close() []*Stream {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil
	}
	h.closed = true
	var out []*Stream
	for _, set := range h.subs {
		for s := range set {
			out = append(out, s)
		}
	}
	for _, s := range out {
		h.removeLocked(s)
	}
	h.ready = nil
	h.cond.Broadcast()
	return out
}
