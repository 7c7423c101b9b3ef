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

// hub wakes the live streams of a feed when it changes. It keeps only
// a small struct per stream: the stream reads what changed from the
// store, so a wake-up carries no data and a slow reader costs nothing.
type hub struct {
	mu       sync.Mutex
	subs     map[hubKey]map[*Subscription]struct{}
	total    int
	seq      uint64 // orders subscriptions, oldest first
	closed   bool
	maxPer   int
	maxTotal int
}

// Subscription is one live stream's wake-up signal.
type Subscription struct {
	// C receives a value when the feed changed (coalesced: one pending
	// value stands for any number of changes).
	C chan struct{}
	// Done is closed when the stream must end: the server stops, or the
	// contact opened more streams than allowed and this is the oldest.
	Done chan struct{}
	h    *hub
	k    hubKey
	seq  uint64
	once sync.Once
}

func newHub(maxPer, maxTotal int) *hub {
	return &hub{subs: map[hubKey]map[*Subscription]struct{}{}, maxPer: maxPer, maxTotal: maxTotal}
}

func (h *hub) subscribe(k hubKey) (*Subscription, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, ErrStopped
	}
	if len(h.subs[k]) >= h.maxPer {
		// A contact's oldest stream gives way: a closed tab's stream is
		// noticed only at its next write, and reloading a page must not
		// lock the person out.
		h.evictOldest(k)
	}
	if h.total >= h.maxTotal {
		return nil, ErrTooManyStreams
	}
	h.seq++
	s := &Subscription{C: make(chan struct{}, 1), Done: make(chan struct{}), h: h, k: k, seq: h.seq}
	if h.subs[k] == nil {
		h.subs[k] = map[*Subscription]struct{}{}
	}
	h.subs[k][s] = struct{}{}
	h.total++
	return s, nil
}

// Close ends the subscription; safe to call more than once.
func (s *Subscription) Close() {
	s.once.Do(func() {
		h := s.h
		h.mu.Lock()
		defer h.mu.Unlock()
		if _, ok := h.subs[s.k][s]; !ok {
			return
		}
		delete(h.subs[s.k], s)
		if len(h.subs[s.k]) == 0 {
			delete(h.subs, s.k)
		}
		h.total--
	})
}

// evictOldest ends k's oldest subscription; h.mu is held.
func (h *hub) evictOldest(k hubKey) {
	var oldest *Subscription
	for s := range h.subs[k] {
		if oldest == nil || s.seq < oldest.seq {
			oldest = s
		}
	}
	if oldest == nil {
		return
	}
	delete(h.subs[k], oldest)
	h.total--
	close(oldest.Done)
}

func (h *hub) notify(k hubKey) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs[k] {
		select {
		case s.C <- struct{}{}:
		default: // a wake-up is pending already
		}
	}
}

// count returns the live streams.
func (h *hub) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.total
}

// close ends every stream and refuses new ones.
func (h *hub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.closed = true
	for _, set := range h.subs {
		for s := range set {
			close(s.Done)
		}
	}
}
