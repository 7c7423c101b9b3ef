package inbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/herold-dev/herold/internal/model"
)

// Live streams. Once open, a browser's Server-Sent Events stream is a
// connection taken over from net/http and owned here: a hub entry per
// stream, one loop that sends the heartbeats (and, with several
// replicas, looks for changes) for all of them, and a few writers that
// send what changed. An idle stream costs no goroutine, only its socket
// and a small struct: a goroutine per stream kept a stack of 6–8 KiB
// for every open tab (bench inbox, docs/benchmarks.md).

// Stream limits.
const (
	// changesBatch bounds the items one read of a stream's changes takes.
	changesBatch = 100
	// streamWriters send the changes of woken streams, one stream at a
	// time each; a writer waits for a slow browser at most
	// streamWriteTimeout.
	streamWriters = 8
	// streamWriteTimeout bounds one write of changes: a browser that
	// stops reading is let go.
	streamWriteTimeout = 10 * time.Second
	// pingTimeout bounds one heartbeat write. A heartbeat is a few bytes
	// into the socket's send buffer; one that cannot be written at once
	// belongs to a browser that has not read for a long while.
	pingTimeout = time.Second
)

var ping = []byte(": ping\n\n")

// Stream is one live stream of a contact's feed.
type Stream struct {
	x  *Inbox
	k  hubKey
	ws *model.Workspace
	// seq orders a contact's streams, oldest first.
	seq uint64

	// Guarded by the hub's mutex. conn is set once, by Start, before
	// any writer sees the stream.
	queued  bool // waiting for a writer
	started bool // has its connection
	ended   bool
	conn    net.Conn

	// mu lets one writer at a time at the connection and guards the
	// fields below it.
	mu    sync.Mutex
	head  []byte // sent before the first events
	last  int64  // id of the last event sent
	fresh bool   // nothing sent yet: start with the counts
}

// Open registers a live stream of the contact's feed that resumes after
// the event id last, or, when fresh, starts with the counts. The caller
// either starts it with its connection (Start) or closes it.
func (x *Inbox) Open(ws *model.Workspace, contact string, last int64, fresh bool) (*Stream, error) {
	x.startOnce.Do(x.startStreams)
	s := &Stream{x: x, k: hubKey{ws.ID, contact}, ws: ws, last: last, fresh: fresh}
	if err := x.hub.add(s); err != nil {
		return nil, err
	}
	return s, nil
}

// Start hands the stream its connection, taken over from net/http, and
// the response head to send first. From then on the inbox owns conn and
// closes it when the stream ends.
func (s *Stream) Start(conn net.Conn, head []byte) {
	_ = conn.SetReadDeadline(time.Time{})
	h := s.x.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	if s.ended {
		_ = conn.Close()
		return
	}
	s.conn, s.head, s.started = conn, head, true
	h.wakeLocked(s) // the head and the first events
}

// Close ends the stream and closes its connection; safe to call more
// than once.
func (s *Stream) Close() {
	h := s.x.hub
	h.mu.Lock()
	h.removeLocked(s)
	h.mu.Unlock()
	s.closeConn()
}

// closeConn closes the stream's connection, which also ends a write in
// progress.
func (s *Stream) closeConn() {
	h := s.x.hub
	h.mu.Lock()
	c := s.conn
	h.mu.Unlock()
	if c != nil {
		_ = c.Close()
	}
}

// startStreams starts the writers and the heartbeat loop.
func (x *Inbox) startStreams() {
	x.streamCtx, x.streamCancel = context.WithCancel(context.Background())
	for range streamWriters {
		x.loops.Add(1)
		go x.writer()
	}
	x.loops.Add(1)
	go x.heartbeats()
}

// stopStreams ends every stream and stops the loops.
func (x *Inbox) stopStreams() {
	for _, s := range x.hub.close() {
		s.closeConn()
	}
	x.startOnce.Do(func() {}) // no loops start after this
	if x.streamCancel != nil {
		x.streamCancel()
	}
	x.loops.Wait()
}

// writer sends the changes of woken streams until the inbox closes.
func (x *Inbox) writer() {
	defer x.loops.Done()
	for {
		s := x.hub.next()
		if s == nil {
			return
		}
		x.flush(s)
	}
}

// flush sends what changed in s's feed since its last event.
func (x *Inbox) flush(s *Stream) {
	s.mu.Lock()
	defer s.mu.Unlock()
	buf, last, err := x.events(x.streamCtx, s.ws, s.k.contact, s.last, s.fresh)
	if err != nil {
		if x.streamCtx.Err() == nil {
			x.log.Warn("feed stream failed", "workspace", s.ws.Key, "contact", s.k.contact, "error", err)
		}
		s.endLocked()
		return
	}
	if s.head != nil {
		buf = append(s.head, buf...)
		s.head = nil
	}
	if write(s.conn, buf, streamWriteTimeout) != nil {
		s.endLocked()
		return
	}
	s.last, s.fresh = last, false
}

// endLocked ends s from its writer (s.mu held): the browser went away or
// its feed could not be read; it reconnects and resumes.
func (s *Stream) endLocked() {
	h := s.x.hub
	h.mu.Lock()
	h.removeLocked(s)
	h.mu.Unlock()
	_ = s.conn.Close()
}

// heartbeats writes a comment to every idle stream each heartbeat, so
// that proxies and browsers keep it open and a closed tab is noticed;
// with several replicas it also wakes every stream each poll, since
// another replica's changes wake none here.
func (x *Inbox) heartbeats() {
	defer x.loops.Done()
	beat := time.NewTicker(x.cfg.Heartbeat)
	defer beat.Stop()
	var poll <-chan time.Time // nil: never
	if x.cfg.Poll > 0 {
		t := time.NewTicker(x.cfg.Poll)
		defer t.Stop()
		poll = t.C
	}
	for {
		select {
		case <-x.streamCtx.Done():
			return
		case <-poll:
			x.hub.wakeAll()
		case <-beat.C:
			for _, s := range x.hub.started() {
				if !s.mu.TryLock() {
					continue // a writer is sending it events right now
				}
				if write(s.conn, ping, pingTimeout) != nil {
					s.endLocked()
				}
				s.mu.Unlock()
			}
		}
	}
}

func write(c net.Conn, b []byte, timeout time.Duration) error {
	if err := c.SetWriteDeadline(time.Now().Add(timeout)); err != nil {
		return err
	}
	_, err := c.Write(b)
	return err
}

// events encodes what a stream sends next: for a fresh stream the
// counts, with the feed's version as id; otherwise every item changed
// after last (ids their versions) and then the counts. It returns the
// new last id.
func (x *Inbox) events(ctx context.Context, ws *model.Workspace, contact string, last int64, fresh bool) ([]byte, int64, error) {
	var buf bytes.Buffer
	if fresh {
		_, c, err := x.Changes(ctx, ws, contact, 0, 0)
		if err != nil {
			return nil, 0, err
		}
		err = writeEvent(&buf, "counts", fmt.Sprint(c.Version), c)
		return buf.Bytes(), c.Version, err
	}
	for {
		items, c, err := x.Changes(ctx, ws, contact, last, changesBatch)
		if err != nil {
			return nil, 0, err
		}
		for _, it := range items {
			last = it.Version
			if err := writeEvent(&buf, "item", fmt.Sprint(it.Version), it); err != nil {
				return nil, 0, err
			}
		}
		if len(items) < changesBatch {
			err = writeEvent(&buf, "counts", "", c)
			return buf.Bytes(), last, err
		}
	}
}

func writeEvent(w io.Writer, event, id string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if id != "" {
		_, err = fmt.Fprintf(w, "event: %s\nid: %s\ndata: %s\n\n", event, id, data)
	} else {
		_, err = fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, data)
	}
	return err
}
