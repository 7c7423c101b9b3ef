package main

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/herold-dev/herold/client"
)

// W1's event: three notifications, each to the promoter and the agency
// named in the event's actors: six messages per event, to the capture
// mailbox.
var w1Roles = []string{"promoter", "agency"}

const w1Notifications = 3

// runW1Max posts events from many clients as fast as they are answered.
func runW1Max(ctx context.Context, e *env) (*Result, error) {
	cfg := e.cfg
	return runW1(ctx, e, "w1-max", "W1 ingest: closed loop, as fast as the clients can post",
		map[string]any{"clients": cfg.clients, "duration_s": cfg.w1Duration.Seconds()},
		func(do request) *loadStats { return closedLoop(ctx, cfg.clients, cfg.w1Duration, do) })
}

// runW1Paced posts events at a fixed rate whatever the answers take.
func runW1Paced(ctx context.Context, e *env) (*Result, error) {
	cfg := e.cfg
	return runW1(ctx, e, "w1-paced", "W1 ingest: open loop at a fixed rate, accept latency",
		map[string]any{"rate": cfg.w1Rate, "duration_s": cfg.w1PacedFor.Seconds()},
		func(do request) *loadStats { return openLoop(ctx, cfg.w1Rate, cfg.w1PacedFor, do) })
}

// runW1 starts a server with the capture mailbox, prepares W1's flow and
// contacts, drives the load and follows the accepted messages until they
// are delivered or the drain timeout passes.
func runW1(ctx context.Context, e *env, name, title string, params map[string]any,
	drive func(request) *loadStats,
) (*Result, error) {
	cfg := e.cfg
	return withServer(ctx, e, serverOptions{name: name}, func(s *server) (*Result, error) {
		sc := scenario{notifications: w1Notifications, roles: w1Roles, contacts: cfg.contacts}
		if err := prepare(ctx, client.MustNew(s.url, benchKey), sc); err != nil {
			return nil, err
		}
		p := newPoster(s.urls, cfg.maxConns, cfg.reqTimeout)
		defer p.close()
		var queued atomic.Int64
		do := func(ctx context.Context, seq int) error {
			a, err := p.postEvent(ctx, newEvent(seq, w1Roles, cfg.audience()))
			if err == nil {
				queued.Add(int64(a.queued()))
			}
			return err
		}
		if err := s.measure(); err != nil {
			return nil, err
		}
		before, berr := readStages(ctx, s.urls)
		t0 := time.Now()
		st := drive(do)
		after, aerr := readStages(ctx, s.urls)
		params["messages_per_event"] = w1Notifications * len(w1Roles)
		params["contacts"] = cfg.contacts
		if cfg.spread {
			params["recipients"] = "spread"
		}
		res := &Result{Workload: name, Title: title, Unit: "events/s", Count: int64(st.OK),
			Rate: round(float64(st.OK)/st.Elapsed.Seconds(), 0), Seconds: round(st.Elapsed.Seconds(), 2),
			Latency: summarize(st.Latencies), LatencyOf: "accept", Params: params}
		res.setErrors(st)
		if cfg.spread {
			res.Notes = append(res.Notes, fmt.Sprintf("recipients spread over %d contacts (-spread)", cfg.contacts))
		}
		lagNote(res, st)
		stagesNote(res, before, after, errors.Join(berr, aerr))
		res.ServerLoad, _, _ = s.usage()
		var err error
		res.Delivery, err = waitDelivery(ctx, s.urls, queued.Load(), t0, cfg.drainTimeout)
		return res, err
	})
}

// lagNote warns when the open loop fell behind its own schedule.
func lagNote(res *Result, st *loadStats) {
	if st.MaxLag > 50*time.Millisecond {
		res.Notes = append(res.Notes, "the load generator fell behind its schedule by up to "+
			st.MaxLag.Round(time.Millisecond).String()+" (latencies still count from the schedule)")
	}
}

// waitDelivery reads how many of the queued messages were delivered when
// the load stopped, then waits up to timeout for the rest. A failed scrape
// of /metrics (an overloaded server may answer 500) is retried; the last
// good reading counts.
func waitDelivery(ctx context.Context, urls []string, queued int64, loadStart time.Time, timeout time.Duration) (*Delivery, error) {
	d := &Delivery{Queued: queued, AtEnd: -1}
	t0 := time.Now()
	deadline := t0.Add(timeout)
	var lastErr error
	for {
		sent, failed, retries, _, err := deliveryCounters(ctx, urls)
		if err == nil {
			if d.AtEnd < 0 {
				d.AtEnd = int64(sent)
			}
			d.Drained, d.Failed, d.Retries = int64(sent), int64(failed), int64(retries)
		} else {
			d.ScrapeErrors++
			lastErr = err
		}
		if (d.AtEnd >= 0 && d.Drained+d.Failed >= queued) || time.Now().After(deadline) {
			break
		}
		select {
		case <-ctx.Done():
			return d, ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
	d.DrainSeconds = round(time.Since(t0).Seconds(), 1)
	d.Rate = round(float64(d.Drained)/time.Since(loadStart).Seconds(), 0)
	if d.AtEnd < 0 {
		return d, fmt.Errorf("no good reading of /metrics in %s: %w", timeout, lastErr)
	}
	return d, nil
}
