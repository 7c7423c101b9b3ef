package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"
)

// sink is an SMTP server on 127.0.0.1 that accepts every message (unless
// faults say otherwise), counts it and keeps only its Message-ID and the
// time its DATA was accepted. Its methods are safe for concurrent use.
type sink struct {
	srv    *smtp.Server
	ln     net.Listener
	faults faults
	quit   chan struct{}

	// gate holds MAIL commands until it is closed (see hold and release).
	gate chan struct{}

	conns atomic.Int64
	// open counts connections not yet closed (see openConns).
	open  atomic.Int64
	dataN atomic.Int64
	bufs  sync.Pool

	mu        sync.Mutex
	rng       *rand.Rand
	firstMail time.Time
	lastData  time.Time
	messages  int64
	bytes     int64
	ids       map[string]seen // Message-ID → when and how often accepted
	order     []time.Time     // when the k-th distinct Message-ID was first accepted
	waiters   []distinctWaiter
	dups      int64
	noID      int64
	temp      int64 // 4xx replies
	perm      int64 // 5xx replies
	dropped   int64
	stalled   int64
	listUnsub int64          // accepted messages with a List-Unsubscribe header
	rcpts     map[string]int // envelope recipient → accepted messages
	rcptDups  int64          // accepted messages to a recipient that had one already
}

// seen is what the sink keeps of one Message-ID.
type seen struct {
	at time.Time // first accepted DATA
	n  int32     // accepted DATA commands
}

// distinctWaiter is closed once the sink holds want distinct Message-IDs.
type distinctWaiter struct {
	want int64
	ch   chan struct{}
}

// SinkStats are the sink's counters at one moment.
type SinkStats struct {
	Messages    int64 `json:"messages"`
	Bytes       int64 `json:"bytes"`
	Distinct    int64 `json:"distinct_message_ids"`
	Duplicates  int64 `json:"duplicates"`
	NoMessageID int64 `json:"without_message_id,omitempty"`
	Connections int64 `json:"connections"`
	Rejected4xx int64 `json:"rejected_4xx,omitempty"`
	Rejected5xx int64 `json:"rejected_5xx,omitempty"`
	Dropped     int64 `json:"dropped,omitempty"`
	Stalled     int64 `json:"stalled,omitempty"`
	// ListUnsubscribe counts accepted messages with a List-Unsubscribe
	// header.
	ListUnsubscribe int64 `json:"with_list_unsubscribe"`
	// Recipients counts distinct envelope recipients; RecipientDups the
	// accepted messages to a recipient who had got one before.
	Recipients    int64 `json:"distinct_recipients"`
	RecipientDups int64 `json:"recipient_duplicates"`
	// FirstMail is the first MAIL command let through; LastData the last
	// DATA accepted.
	FirstMail time.Time `json:"-"`
	LastData  time.Time `json:"-"`
}

// Window is the time from the first MAIL to the last accepted DATA.
func (st SinkStats) Window() time.Duration {
	if st.FirstMail.IsZero() || st.LastData.Before(st.FirstMail) {
		return 0
	}
	return st.LastData.Sub(st.FirstMail)
}

// Rate is accepted messages per second over Window.
func (st SinkStats) Rate() float64 {
	if w := st.Window(); w > 0 {
		return float64(st.Messages) / w.Seconds()
	}
	return 0
}

// startSink listens on a free port of 127.0.0.1 and serves until close.
func startSink(f faults) (*sink, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("sink: listen: %w", err)
	}
	s := &sink{
		ln: ln, faults: f, quit: make(chan struct{}), gate: make(chan struct{}),
		rng: rand.New(rand.NewPCG(f.Seed, 0x68657230)), ids: map[string]seen{}, rcpts: map[string]int{},
		bufs: sync.Pool{New: func() any { return new(bytes.Buffer) }},
	}
	close(s.gate)
	srv := smtp.NewServer(sinkBackend{s})
	srv.Domain = "sink.localhost"
	srv.ErrorLog = log.New(io.Discard, "", 0)
	srv.ReadTimeout = 10 * time.Minute // D1 holds connections while it queues
	srv.WriteTimeout = time.Minute
	s.srv = srv
	go func() { _ = srv.Serve(countingListener{ln, s}) }()
	return s, nil
}

// Addr returns "127.0.0.1:port".
func (s *sink) Addr() string { return s.ln.Addr().String() }

// hold makes MAIL commands wait until release; sessions and EHLO go on.
func (s *sink) hold() {
	s.mu.Lock()
	s.gate = make(chan struct{})
	s.mu.Unlock()
}

// release lets held and future MAIL commands through.
func (s *sink) release() {
	s.mu.Lock()
	select {
	case <-s.gate:
	default:
		close(s.gate)
	}
	s.mu.Unlock()
}

// close stops the sink and drops every connection; stalls end early.
func (s *sink) close() {
	select {
	case <-s.quit:
		return
	default:
	}
	close(s.quit)
	s.release()
	_ = s.srv.Close()
}

// Stats returns the counters.
func (s *sink) Stats() SinkStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return SinkStats{
		Messages: s.messages, Bytes: s.bytes, Distinct: int64(len(s.ids)), Duplicates: s.dups, NoMessageID: s.noID,
		Connections: s.conns.Load(), Rejected4xx: s.temp, Rejected5xx: s.perm, Dropped: s.dropped, Stalled: s.stalled,
		FirstMail: s.firstMail, LastData: s.lastData,
		ListUnsubscribe: s.listUnsub, Recipients: int64(len(s.rcpts)), RecipientDups: s.rcptDups,
	}
}

// counts returns how often each Message-ID was accepted so far.
func (s *sink) counts() map[string]int32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int32, len(s.ids))
	for id, v := range s.ids {
		out[id] = v.n
	}
	return out
}

// distinctAt returns when the sink first accepted its (k+1)-th distinct
// Message-ID, i.e. the first one it had not seen when it held k.
func (s *sink) distinctAt(k int64) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if k < 0 || k >= int64(len(s.order)) {
		return time.Time{}, false
	}
	return s.order[k], true
}

// whenDistinct returns a channel that is closed once the sink holds want
// distinct Message-IDs: the fault tests act at a moment measured in
// messages, exactly, however fast they arrive.
func (s *sink) whenDistinct(want int64) <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := make(chan struct{})
	if int64(len(s.ids)) >= want {
		close(ch)
		return ch
	}
	s.waiters = append(s.waiters, distinctWaiter{want, ch})
	return ch
}

// openConns is how many connections to the sink are open.
func (s *sink) openConns() int64 { return s.open.Load() }

// waitClosed waits until no connection to the sink is open, at most max.
// It reports whether they all closed.
func (s *sink) waitClosed(max time.Duration) bool {
	deadline := time.Now().Add(max)
	for s.openConns() > 0 {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(2 * time.Millisecond)
	}
	return true
}

// gotRecipient reports whether some message to this address arrived.
func (s *sink) gotRecipient(addr string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rcpts[addr] > 0
}

// Delivered returns when the message with this Message-ID (without angle
// brackets) was first accepted.
func (s *sink) Delivered(id string) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.ids[id]
	return v.at, ok
}

// waitDistinct waits until the sink holds want distinct Message-IDs. It
// fails when no new message arrived for idle, or at the deadline.
func (s *sink) waitDistinct(ctx context.Context, want int64, idle time.Duration, deadline time.Time) (SinkStats, error) {
	last, lastChange := int64(-1), time.Now()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		st := s.Stats()
		if st.Distinct >= want {
			return st, nil
		}
		now := time.Now()
		if st.Messages != last {
			last, lastChange = st.Messages, now
		}
		switch {
		case now.Sub(lastChange) > idle:
			return st, fmt.Errorf("sink: %d of %d messages, none new for %s", st.Distinct, want, idle)
		case now.After(deadline):
			return st, fmt.Errorf("sink: %d of %d messages at the deadline", st.Distinct, want)
		}
		select {
		case <-ctx.Done():
			return st, ctx.Err()
		case <-tick.C:
		}
	}
}

// mailAllowed waits for the gate and notes the first MAIL let through.
func (s *sink) mailAllowed() error {
	s.mu.Lock()
	gate := s.gate
	s.mu.Unlock()
	select {
	case <-gate:
	case <-s.quit:
		return &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 3, 2}, Message: "sink closing"}
	}
	now := time.Now()
	s.mu.Lock()
	if s.firstMail.IsZero() {
		s.firstMail = now
	}
	s.mu.Unlock()
	return nil
}

// accept records one accepted message.
func (s *sink) accept(id string, size int, rcpts []string, listUnsub bool) {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.messages++
	s.bytes += int64(size)
	s.lastData = now
	if listUnsub {
		s.listUnsub++
	}
	for _, r := range rcpts {
		if s.rcpts[r] > 0 {
			s.rcptDups++
		}
		s.rcpts[r]++
	}
	switch v, dup := s.ids[id]; {
	case id == "":
		s.noID++
	case dup:
		s.dups++
		v.n++
		s.ids[id] = v
	default:
		s.ids[id] = seen{at: now, n: 1}
		s.order = append(s.order, now)
		s.wake()
	}
}

// wake closes the channels of waiters whose count is reached; the caller
// holds s.mu.
func (s *sink) wake() {
	n := int64(len(s.ids))
	kept := s.waiters[:0]
	for _, w := range s.waiters {
		if n >= w.want {
			close(w.ch)
		} else {
			kept = append(kept, w)
		}
	}
	s.waiters = kept
}

// decide draws the fate of the next DATA command.
func (s *sink) decide() (fault, bool) {
	if !s.faults.enabled() {
		return faultNone, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults.decide(s.rng)
}

// count adds one to a counter under the lock.
func (s *sink) count(c *int64) {
	s.mu.Lock()
	*c++
	s.mu.Unlock()
}

// stall waits d or until the sink closes.
func (s *sink) stall(d time.Duration) {
	s.count(&s.stalled)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-s.quit:
	}
}

// countingListener counts accepted connections and those still open.
type countingListener struct {
	net.Listener
	s *sink
}

// Accept counts each connection.
func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return c, err
	}
	l.s.conns.Add(1)
	l.s.open.Add(1)
	return &countedConn{Conn: c, open: &l.s.open}, nil
}

// countedConn counts itself out of the open connections when it closes:
// go-smtp closes a connection once its client has gone (EOF), so the count
// tells when a killed process's connections are gone.
type countedConn struct {
	net.Conn
	open   *atomic.Int64
	closed sync.Once
}

// Close closes the connection and counts it out, once.
func (c *countedConn) Close() error {
	c.closed.Do(func() { c.open.Add(-1) })
	return c.Conn.Close()
}

// errDropped ends a DATA command whose connection the sink hung up.
var errDropped = errors.New("connection dropped by the sink")
