package inbox

import (
	"bufio"
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// tcpPair returns both ends of a real loopback connection: the server's
// (for the stream) and the browser's.
func tcpPair(t *testing.T) (server, browser net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	browser, err = net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	server = <-accepted
	require.NotNil(t, server)
	t.Cleanup(func() { _ = browser.Close(); _ = server.Close() })
	return server, browser
}

// browserEnd reads a stream as a browser does, one event at a time.
type browserEnd struct {
	c net.Conn
	r *bufio.Reader
}

// next returns the next event (the lines up to a blank one), or the
// read's error; it waits at most 5 s.
func (b *browserEnd) next() (string, error) {
	_ = b.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	var lines []string
	for {
		line, err := b.r.ReadString('\n')
		if err != nil {
			return strings.Join(lines, "\n"), err
		}
		line = strings.TrimSuffix(line, "\n")
		if line == "" {
			return strings.Join(lines, "\n"), nil
		}
		lines = append(lines, line)
	}
}

func (b *browserEnd) mustNext(t *testing.T) string {
	t.Helper()
	ev, err := b.next()
	require.NoError(t, err)
	return ev
}

// requireEnded: the server closed the stream's connection.
func (b *browserEnd) requireEnded(t *testing.T, why string) {
	t.Helper()
	for {
		_, err := b.next()
		if err == nil {
			continue // what was sent before the end
		}
		require.ErrorIs(t, err, io.EOF, why)
		return
	}
}

func startStream(t *testing.T, f fixture, contact string) (*Stream, *browserEnd, error) {
	t.Helper()
	s, err := f.x.Open(f.ws, contact, 0, true)
	if err != nil {
		return nil, nil, err
	}
	srv, cli := tcpPair(t)
	s.Start(srv, []byte("head\n\n"))
	b := &browserEnd{c: cli, r: bufio.NewReader(cli)}
	require.Equal(t, "head", b.mustNext(t), "the head comes first")
	require.True(t, strings.HasPrefix(b.mustNext(t), "event: counts\nid: "), "then the counts")
	return s, b, nil
}

func deliver(t *testing.T, f fixture, id, contact string) {
	t.Helper()
	_, err := f.x.Deliver(context.Background(), f.ws, &model.Message{ID: id, Channel: model.ChannelInApp,
		To: model.Address{ContactID: contact}, Subject: "Hi " + id, Text: "Body"})
	require.NoError(t, err)
}

// TestStreamBounds: a contact's streams are bounded by ending the
// oldest, the server's by refusing; a closed stream frees its place; a
// delivery reaches the contact's streams only; Close ends every stream
// and refuses new ones.
func TestStreamBounds(t *testing.T) {
	t.Parallel()
	f := setup(t, Config{MaxStreamsPerContact: 2, MaxStreams: 3, Heartbeat: time.Hour})
	t.Cleanup(f.x.Close)
	a1, a1b, err := startStream(t, f, "anna")
	require.NoError(t, err)
	a2, _, err := startStream(t, f, "anna")
	require.NoError(t, err)
	_, a3b, err := startStream(t, f, "anna")
	require.NoError(t, err, "a third tab of one contact")
	a1b.requireEnded(t, "the contact's oldest stream gave way")
	a1.Close() // harmless after the eviction
	require.Equal(t, 2, f.x.Streams())
	_, bb, err := startStream(t, f, "ben")
	require.NoError(t, err)
	_, err = f.x.Open(f.ws, "clara", 0, true)
	require.ErrorIs(t, err, ErrTooManyStreams, "the server's bound")
	a2.Close()
	a2.Close() // twice is harmless
	require.Equal(t, 2, f.x.Streams())
	_, cb, err := startStream(t, f, "clara")
	require.NoError(t, err)

	// A delivery wakes the contact's streams only: clara's next event
	// is her own item, not the counts a spurious wake-up would send.
	deliver(t, f, "m1", "ben")
	require.Contains(t, bb.mustNext(t), `"title":"Hi m1"`)
	require.Contains(t, bb.mustNext(t), `"unread":1`)
	deliver(t, f, "m2", "clara")
	require.Contains(t, cb.mustNext(t), `"title":"Hi m2"`)
	deliver(t, f, "m3", "anna")
	ev := a3b.mustNext(t)
	require.Contains(t, ev, `"title":"Hi m3"`, "the newest tab lives on")
	require.Contains(t, ev, "event: item\nid: ")

	f.x.Close()
	for _, b := range []*browserEnd{a3b, bb, cb} {
		b.requireEnded(t, "a stream survived Close")
	}
	require.Equal(t, 0, f.x.Streams())
	_, err = f.x.Open(f.ws, "dora", 0, true)
	require.ErrorIs(t, err, ErrStopped)
	f.x.Close() // twice is harmless
}

// TestStreamHeartbeat: an idle stream gets heartbeats, and a browser
// that went away is noticed at a heartbeat and its stream ended.
func TestStreamHeartbeat(t *testing.T) {
	t.Parallel()
	f := setup(t, Config{Heartbeat: 20 * time.Millisecond})
	t.Cleanup(f.x.Close)
	_, b, err := startStream(t, f, "anna")
	require.NoError(t, err)
	require.Equal(t, ": ping", b.mustNext(t))
	require.Equal(t, ": ping", b.mustNext(t))
	require.NoError(t, b.c.Close())
	require.Eventually(t, func() bool { return f.x.Streams() == 0 }, 5*time.Second, 10*time.Millisecond,
		"the closed tab's stream was not ended")
}

// TestStreamResume: a stream opened with the id of the last event it
// saw first sends every item after it, then the counts; a change while
// the stream is being sent is sent after it.
func TestStreamResume(t *testing.T) {
	t.Parallel()
	f := setup(t, Config{Heartbeat: time.Hour})
	t.Cleanup(f.x.Close)
	deliver(t, f, "m1", "anna")
	deliver(t, f, "m2", "anna")
	s, err := f.x.Open(f.ws, "anna", 1, false)
	require.NoError(t, err)
	srv, cli := tcpPair(t)
	s.Start(srv, nil)
	b := &browserEnd{c: cli, r: bufio.NewReader(cli)}
	ev := b.mustNext(t)
	require.Contains(t, ev, `"title":"Hi m2"`, "only what came after id 1")
	require.NotContains(t, ev, "Hi m1")
	require.Contains(t, b.mustNext(t), "event: counts")
	for i := range 20 {
		deliver(t, f, "n"+string(rune('a'+i)), "anna")
	}
	seen := map[string]bool{}
	for len(seen) < 20 {
		ev, err := b.next()
		require.NoError(t, err, "items missing: %d of 20 arrived", len(seen))
		if i := strings.Index(ev, `"title":"Hi n`); i >= 0 {
			title := ev[i : i+len(`"title":"Hi n`)+1]
			require.False(t, seen[title], "an item sent twice: %s", title)
			seen[title] = true
		}
	}
}

// TestStreamPoll: with several replicas a change made elsewhere wakes no
// stream here; the poll finds it.
func TestStreamPoll(t *testing.T) {
	t.Parallel()
	f := setup(t, Config{Heartbeat: time.Hour, Poll: 20 * time.Millisecond})
	t.Cleanup(f.x.Close)
	_, b, err := startStream(t, f, "anna")
	require.NoError(t, err)
	// Another replica's delivery: straight into the store, no wake-up.
	_, _, err = f.x.cfg.Store.FeedAppend(context.Background(), &store.FeedAppendParams{WorkspaceID: f.ws.ID,
		ContactID: "anna", MessageID: "m1", Item: model.InAppContent{Title: "From elsewhere"}, At: t0})
	require.NoError(t, err)
	for {
		ev := b.mustNext(t)
		if strings.Contains(ev, "event: item") {
			require.Contains(t, ev, "From elsewhere")
			return
		}
	}
}
