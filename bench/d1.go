package main

import (
	"context"
	"fmt"
	"time"

	"github.com/herold-dev/herold/client"
)

// d1Batch is how many events one POST /v1/events/batch carries (Herold
// takes up to 1,000).
const d1Batch = 500

// runD1 queues a backlog of messages while the sink holds every MAIL
// command, then lets go and measures how fast Herold empties the queue
// into the sink, and whether every message arrived exactly once.
func runD1(ctx context.Context, e *env) (*Result, error) {
	cfg := e.cfg
	snk, err := startSink(cfg.faults)
	if err != nil {
		return nil, err
	}
	defer snk.close()
	snk.hold()
	// The held MAIL commands must not time out while the backlog is queued
	// (seconds; 2 min stays below the 5 min job timeout).
	opts := serverOptions{name: "d1", smtpAddr: snk.Addr(), extra: []string{"--smtp-timeout", "2m"}}
	return withServer(ctx, e, opts, func(s *server) (*Result, error) {
		if err := prepare(ctx, client.MustNew(s.url, benchKey), scenario{notifications: 1, roles: w1Roles, contacts: cfg.contacts}); err != nil {
			return nil, err
		}
		t0 := time.Now()
		queued, err := queueBacklog(ctx, newPoster(s.urls, 4, cfg.reqTimeout), (cfg.d1Messages+1)/2, cfg.audience())
		if err != nil {
			return nil, err
		}
		ingest := time.Since(t0)
		if err := s.measure(); err != nil {
			return nil, err
		}
		snk.release()
		st, waitErr := snk.waitDistinct(ctx, int64(queued), time.Minute, time.Now().Add(cfg.d1Timeout))
		res := &Result{Workload: "d1", Title: "D1 delivery: a pre-queued backlog to the SMTP sink",
			Rate: round(st.Rate(), 0), Unit: "messages/s", Seconds: round(st.Window().Seconds(), 2), Count: st.Distinct,
			Failed: queued - int(st.Distinct), Sink: &st,
			Params: map[string]any{"messages": queued, "events": (cfg.d1Messages + 1) / 2, "batch_events": d1Batch}}
		res.Notes = append(res.Notes, fmt.Sprintf("queued through /v1/events/batch in %.1f s (%.0f messages/s) while the sink held MAIL",
			ingest.Seconds(), float64(queued)/ingest.Seconds()))
		if cfg.faults.enabled() {
			res.Params["faults"] = cfg.faults
		}
		if err := checkExactlyOnce(ctx, s, res, &st, queued); err != nil && waitErr == nil {
			waitErr = err
		}
		return res, waitErr
	})
}

// queueBacklog posts events (two messages each) in batches and returns how
// many messages they queued.
func queueBacklog(ctx context.Context, p *poster, events int, to audience) (int, error) {
	defer p.close()
	queued := 0
	err := postBatches(ctx, p, events, d1Batch, func(i int) any { return newEvent(i, w1Roles, to) },
		func(i int, r batchResult) error {
			if len(r.Errors) > 0 {
				return fmt.Errorf("event %d rejected: %v", i, r.Errors)
			}
			queued += r.queued()
			return nil
		})
	if err != nil {
		return queued, fmt.Errorf("queue backlog: %w", err)
	}
	return queued, nil
}

// batchResult is one event's answer to POST /v1/events/batch.
type batchResult struct {
	eventAnswer
	Errors []any `json:"errors"`
}

// postBatches posts events 0 … n-1, built by event, through POST
// /v1/events/batch, size per request, and hands each event's answer to
// check; it stops at the first error.
func postBatches(ctx context.Context, p *poster, n, size int, event func(i int) any, check func(i int, r batchResult) error) error {
	for start := 0; start < n; start += size {
		batch := make([]any, 0, size)
		for i := start; i < min(start+size, n); i++ {
			batch = append(batch, event(i))
		}
		var out struct {
			Results []batchResult `json:"results"`
		}
		if err := p.post(ctx, "/v1/events/batch", map[string]any{"events": batch}, &out); err != nil {
			return err
		}
		for i, r := range out.Results {
			if err := check(start+i, r); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkExactlyOnce compares the sink's counts with the number of queued
// messages, and notes the server's own counters.
func checkExactlyOnce(ctx context.Context, s *server, res *Result, st *SinkStats, queued int) error {
	if sent, failed, retries, depth, err := deliveryCounters(ctx, s.urls); err != nil {
		res.Notes = append(res.Notes, "server counters unavailable: "+err.Error())
	} else {
		res.Notes = append(res.Notes, fmt.Sprintf("server counted %.0f sent, %.0f failed, %.0f retries, queue depth %.0f",
			sent, failed, retries, depth))
	}
	switch {
	case st.Duplicates > 0:
		return fmt.Errorf("%d messages arrived more than once", st.Duplicates)
	case st.Distinct != int64(queued):
		return fmt.Errorf("%d distinct Message-IDs arrived for %d queued messages", st.Distinct, queued)
	}
	res.Notes = append(res.Notes, "every message arrived exactly once")
	return nil
}
