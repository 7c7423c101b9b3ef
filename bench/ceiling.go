package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/herold-dev/herold/client"
)

// runCeiling measures the machine's mail throughput without Herold: a
// trivial client sends pre-rendered messages over many reused connections
// to the same sink the other workloads use. Herold's delivery rate is read
// against it. The messages have W2's size (see ceilingSize), measured
// before the ceiling with one message through Herold.
func runCeiling(ctx context.Context, e *env) (*Result, error) {
	cfg := e.cfg
	snk, err := startSink(faults{}) // the ceiling is measured without faults
	if err != nil {
		return nil, err
	}
	defer snk.close()
	self, err := startMeter(os.Getpid())
	if err != nil {
		return nil, err
	}
	machine, err := startMachineMeter()
	if err != nil {
		return nil, err
	}
	size, sizeNote := ceilingSize(ctx, e)
	msg := newCeilingMessage(size)
	c := newCollector(1 << 16)
	deadline := time.Now().Add(cfg.ceilingDuration)
	var wg sync.WaitGroup
	for conn := range cfg.ceilingConns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ceilingClient(ctx, snk.Addr(), conn, deadline, msg, c)
		}()
	}
	wg.Wait()
	st := snk.Stats()
	res := &Result{
		Workload: "ceiling", Title: "SMTP ceiling: trivial client → sink, pre-rendered messages",
		Rate: round(st.Rate(), 0), Unit: "messages/s", Seconds: round(st.Window().Seconds(), 2), Count: st.Messages,
		Latency: summarize(c.out.Latencies), LatencyOf: "SMTP transaction", Sink: &st,
		Params: map[string]any{"connections": cfg.ceilingConns, "message_bytes": msg.size(),
			"duration_s": cfg.ceilingDuration.Seconds()},
	}
	res.setErrors(&c.out)
	if res.Harness, err = self.read(); err != nil {
		return res, err
	}
	res.Others, _ = machine.others(res.Harness)
	res.Params["size_from"], res.Params["size_wanted"] = sizeNote, size
	res.Notes = append(res.Notes, fmt.Sprintf("messages of %s bytes at the sink (%s)", thousands(perMessage(&st)), sizeNote),
		"no herold process: the harness CPU is client and sink together")
	if st.Duplicates > 0 || st.Distinct != st.Messages {
		return res, fmt.Errorf("sink saw %d messages but %d distinct Message-IDs", st.Messages, st.Distinct)
	}
	return res, nil
}

// ceilingFallbackSize is W2's message size on the wire as measured before
// the ceiling sampled it (2,508–2,514 bytes at the sink): the size used
// when the sample fails.
const ceilingFallbackSize = 2500

// ceilingSize is -ceiling-size, or else the size of one of W2's messages
// as Herold sends it, so that "W2 as a share of the ceiling" compares
// messages of the same size. It also says where the size came from.
func ceilingSize(ctx context.Context, e *env) (int, string) {
	if e.cfg.ceilingSize > 0 {
		return e.cfg.ceilingSize, "-ceiling-size"
	}
	size, err := w2MessageSize(ctx, e)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: ceiling: sampling W2's message size failed: %v\n", err)
		return ceilingFallbackSize, fmt.Sprintf("W2's size as measured earlier; sampling it failed: %v", excerpt(err.Error(), 200))
	}
	return size, "W2's size: one W2 message sent through herold"
}

// w2MessageSize sends W2's newsletter to one contact (one with a typical
// number, so its name and address have W2's average length) through a
// herold server to a sink and returns the message's size there.
func w2MessageSize(ctx context.Context, e *env) (int, error) {
	snk, err := startSink(faults{})
	if err != nil {
		return 0, err
	}
	defer snk.close()
	s, err := startServer(ctx, e, serverOptions{name: "ceiling-sample", smtpAddr: snk.Addr(), replicas: 1})
	if err != nil {
		return 0, err
	}
	defer s.stop(ctx) //nolint:errcheck // the sample is taken; a slow stop does not change it
	typical := e.cfg.w2Contacts / 2
	contact := func(int) client.Contact { return mailingContact(typical) }
	if _, err := prepareMailingOf(ctx, s.url, 1, contact); err != nil {
		return 0, err
	}
	if _, _, err := runSchedule(ctx, client.MustNew(s.url, benchKey), mailingSchedule, time.Minute); err != nil {
		return 0, err
	}
	st, err := snk.waitDistinct(ctx, 1, time.Minute, time.Now().Add(time.Minute))
	if err != nil {
		return 0, err
	}
	return int(st.Bytes / st.Messages), nil
}

// ceilingClient sends messages over one connection until the deadline,
// reconnecting after an error.
func ceilingClient(ctx context.Context, addr string, conn int, deadline time.Time, msg *ceilingMessage, c *collector) {
	var cl *smtp.Client
	defer func() {
		if cl != nil {
			_ = cl.Quit()
		}
	}()
	buf := new(bytes.Buffer)
	for n := 0; ctx.Err() == nil && time.Now().Before(deadline); n++ {
		t0 := time.Now()
		if cl == nil {
			var err error
			if cl, err = dialSMTP(addr); err != nil {
				c.done(0, err)
				time.Sleep(10 * time.Millisecond)
				continue
			}
		}
		msg.render(buf, conn, n)
		err := cl.SendMail("ceiling@bench.localhost", []string{"rcpt@example.org"}, bytes.NewReader(buf.Bytes()))
		c.done(time.Since(t0), err)
		if err != nil {
			_ = cl.Close()
			cl = nil
		}
	}
}

func dialSMTP(addr string) (*smtp.Client, error) {
	cl, err := smtp.Dial(addr)
	if err != nil {
		return nil, err
	}
	if err := cl.Hello("bench.localhost"); err != nil {
		_ = cl.Close()
		return nil, err
	}
	return cl, nil
}

// ceilingMessage is a pre-rendered plain-text message; only its
// Message-ID changes from one message to the next.
type ceilingMessage struct {
	head, tail []byte
}

// newCeilingMessage pads the body so a message has about size bytes.
func newCeilingMessage(size int) *ceilingMessage {
	head := "From: Agentur Nord <dispo@agentur-nord.example>\r\nTo: Person <rcpt@example.org>\r\n" +
		"Subject: Neue Jobanfrage: Standbetreuung am 15. April 2026\r\nDate: Wed, 01 Apr 2026 10:00:00 +0200\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nMessage-ID: <"
	tail := "@bench.localhost>\r\n\r\nHallo,\r\n\r\nfür Messe Köln 2026 suchen wir Unterstützung.\r\n"
	line := "Bitte sag uns bis zum 10. April, ob du dabei bist. Viele Grüße, deine Agentur Nord.\r\n"
	var b strings.Builder
	b.WriteString(tail)
	for len(head)+b.Len()+20 < size {
		b.WriteString(line[:min(len(line), size-len(head)-b.Len()-20)])
		if !strings.HasSuffix(b.String(), "\r\n") {
			b.WriteString("\r\n")
		}
	}
	return &ceilingMessage{head: []byte(head), tail: []byte(b.String())}
}

// render writes the n-th message of connection conn into buf.
func (m *ceilingMessage) render(buf *bytes.Buffer, conn, n int) {
	buf.Reset()
	buf.Write(m.head)
	buf.WriteString("c")
	buf.WriteString(strconv.Itoa(conn))
	buf.WriteByte('.')
	buf.WriteString(strconv.Itoa(n))
	buf.Write(m.tail)
}

// size is the length of a typical message.
func (m *ceilingMessage) size() int { return len(m.head) + len(m.tail) + 10 }
