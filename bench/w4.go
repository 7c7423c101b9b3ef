package main

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/herold-dev/herold/client"
)

// W4's event has one recipient.
var w4Roles = []string{"promoter"}

// acceptance is when the API answered for a message.
type acceptance struct {
	id        string // the message's id in Herold
	messageID string // the Message-ID header's value
	at        time.Time
}

// runW4 sends events at a fixed rate to a server delivering to the sink
// and measures, per message, the time from the API's answer (as the client
// saw it) to the sink accepting its DATA, matched by Message-ID.
func runW4(ctx context.Context, e *env) (*Result, error) {
	cfg := e.cfg
	snk, err := startSink(cfg.faults)
	if err != nil {
		return nil, err
	}
	defer snk.close()
	return withServer(ctx, e, serverOptions{name: "w4", smtpAddr: snk.Addr()}, func(s *server) (*Result, error) {
		if err := prepare(ctx, client.MustNew(s.url, benchKey), scenario{notifications: 1, roles: w4Roles, contacts: cfg.contacts}); err != nil {
			return nil, err
		}
		p := newPoster(s.urls, cfg.maxConns, cfg.reqTimeout)
		defer p.close()
		accepted := make([]acceptance, requestsFor(cfg.w4Rate, cfg.w4Duration))
		do := func(ctx context.Context, seq int) error {
			a, err := p.postEvent(ctx, newEvent(seq, w4Roles, cfg.audience()))
			if err != nil {
				return err
			}
			at := time.Now()
			if len(a.Messages) != 1 || a.Messages[0].Status != "queued" {
				return fmt.Errorf("event %s: want one queued message, got %+v", a.ID, a.Messages)
			}
			accepted[seq] = acceptance{id: a.Messages[0].ID, messageID: a.Messages[0].ID + "@" + benchSenderDomain, at: at}
			return nil
		}
		if err := s.measure(); err != nil {
			return nil, err
		}
		st := openLoop(ctx, cfg.w4Rate, cfg.w4Duration, do)
		waitErr := waitAccepted(ctx, snk, accepted, 30*time.Second, time.Now().Add(cfg.drainTimeout))
		lat, missing := endToEnd(snk, accepted)
		sinkSt := snk.Stats() // after endToEnd: it counts every matched message
		res := &Result{Workload: "w4", Title: "W4 end to end: accept → DATA at the sink at a fixed rate",
			Rate: round(float64(st.OK)/st.Elapsed.Seconds(), 0), Unit: "events/s", Count: int64(st.OK),
			Seconds: round(st.Elapsed.Seconds(), 2), Latency: summarize(lat), LatencyOf: "accept→DATA",
			AcceptLatency: summarize(st.Latencies), Sink: &sinkSt,
			Params: map[string]any{"rate": cfg.w4Rate, "duration_s": cfg.w4Duration.Seconds()}}
		res.setErrors(st)
		lagNote(res, st)
		if missing > 0 {
			res.Failed += missing
			if res.Errors == nil {
				res.Errors = map[string]int{}
			}
			res.Errors["not delivered by the end"] = missing
			res.Notes = append(res.Notes, fmt.Sprintf("%d accepted messages never reached the sink", missing))
		}
		if a := res.AcceptLatency; a != nil {
			res.Notes = append(res.Notes, fmt.Sprintf("accept latency p50 / p99 / max %.1f / %.1f / %.1f ms", a.P50MS, a.P99MS, a.MaxMS))
		}
		res.Notes = append(res.Notes, fmt.Sprintf("sink rate %.0f messages/s", sinkSt.Rate()))
		if waitErr == nil {
			queued, sending, err := stages(ctx, client.MustNew(s.url, benchKey), accepted, stageSamples)
			if err != nil {
				return res, fmt.Errorf("read message timelines: %w", err)
			}
			res.Params["queued_to_sending"], res.Params["sending_to_sent"] = queued, sending
			res.Notes = append(res.Notes, fmt.Sprintf("from the timelines of %d messages: queued → sending p50 / p99 %.1f / %.1f ms, sending → sent %.1f / %.1f ms",
				queued.N, queued.P50MS, queued.P99MS, sending.P50MS, sending.P99MS))
		}
		if cfg.faults.enabled() {
			res.Params["faults"] = cfg.faults
		}
		return res, waitErr
	})
}

// requestsFor is how many requests openLoop sends at rate for d.
func requestsFor(rate int, d time.Duration) int { return int(float64(rate) * d.Seconds()) }

// waitAccepted waits until the sink got every accepted message. It fails
// when the sink got nothing new for idle, or at the deadline.
func waitAccepted(ctx context.Context, snk *sink, accepted []acceptance, idle time.Duration, deadline time.Time) error {
	var pending []string
	for _, a := range accepted {
		if a.messageID != "" {
			pending = append(pending, a.messageID)
		}
	}
	last, lastChange := int64(-1), time.Now()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		pending = slices.DeleteFunc(pending, func(id string) bool { _, ok := snk.Delivered(id); return ok })
		if len(pending) == 0 {
			return nil
		}
		now := time.Now()
		if n := snk.Stats().Messages; n != last {
			last, lastChange = n, now
		}
		switch {
		case now.Sub(lastChange) > idle:
			return fmt.Errorf("sink: %d accepted messages missing, none new for %s", len(pending), idle)
		case now.After(deadline):
			return fmt.Errorf("sink: %d accepted messages missing at the drain deadline", len(pending))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// endToEnd returns accept→DATA latencies of the accepted messages and how
// many of them the sink never got.
func endToEnd(snk *sink, accepted []acceptance) ([]time.Duration, int) {
	lat := make([]time.Duration, 0, len(accepted))
	missing := 0
	for _, a := range accepted {
		if a.messageID == "" {
			continue // the request failed; counted as an error already
		}
		t, ok := snk.Delivered(a.messageID)
		if !ok {
			missing++
			continue
		}
		lat = append(lat, t.Sub(a.at))
	}
	return lat, missing
}

// stageSamples is how many messages' timelines W4 reads.
const stageSamples = 1000

// stages splits the server's part of W4's latency using the timelines of
// up to n accepted messages spread over the run: from queued (the event's
// commit) to the delivery job marking the message sending, and from there
// to sent.
func stages(ctx context.Context, c *client.Client, accepted []acceptance, n int) (queued, sending *Latency, err error) {
	step := max(1, len(accepted)/n)
	var qs, ss []time.Duration
	for i := 0; i < len(accepted); i += step {
		if accepted[i].id == "" {
			continue
		}
		m, err := c.Message(ctx, accepted[i].id)
		if err != nil {
			return nil, nil, err
		}
		at := map[client.MessageStatus]time.Time{}
		for _, e := range m.Timeline {
			if _, seen := at[e.Status]; !seen {
				at[e.Status] = e.At
			}
		}
		q, okQ := at["queued"]
		snd, okS := at["sending"]
		sent, okD := at["sent"]
		if !okQ || !okS || !okD {
			return nil, nil, fmt.Errorf("message %s: timeline without queued, sending and sent: %+v", m.ID, m.Timeline)
		}
		qs, ss = append(qs, snd.Sub(q)), append(ss, sent.Sub(snd))
	}
	return summarize(qs), summarize(ss), nil
}
