package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/herold-dev/herold/client"
)

// loadMaxRetry bounds how long one event is retried after 503s.
const loadMaxRetry = 2 * time.Minute

// runLoad lets many clients post events for a while (closed loop) and then
// checks that every accepted event can be read back: no 5xx, no lost
// event. A 503 (admission control) is counted on its own and retried after
// its Retry-After delay with the same idempotency key.
func runLoad(ctx context.Context, e *env) (*Result, error) {
	cfg := e.cfg
	return withServer(ctx, e, serverOptions{name: "load"}, func(s *server) (*Result, error) {
		if err := prepare(ctx, client.MustNew(s.url, benchKey), scenario{notifications: 1, roles: w4Roles, contacts: cfg.contacts}); err != nil {
			return nil, err
		}
		p := newPoster(s.urls, cfg.loadClients, cfg.reqTimeout)
		defer p.close()
		var (
			mu       sync.Mutex
			accepted []string
			got503   atomic.Int64
			retries  atomic.Int64
		)
		do := func(ctx context.Context, seq int) error {
			ev := newEvent(seq, w4Roles, cfg.audience())
			body := loadEvent{benchEvent: ev, IdempotencyKey: fmt.Sprintf("load-%d", seq)}
			first := time.Now()
			for attempt := 0; ; attempt++ {
				var a eventAnswer
				err := p.post(ctx, "/v1/events", body, &a)
				var se *statusError
				if err == nil {
					if attempt > 0 {
						retries.Add(int64(attempt))
					}
					mu.Lock()
					accepted = append(accepted, a.ID)
					mu.Unlock()
					return nil
				}
				if !errors.As(err, &se) || se.code != 503 || time.Since(first) > loadMaxRetry {
					return err
				}
				got503.Add(1)
				wait := se.retryAfter
				if wait <= 0 {
					wait = time.Second
				}
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(wait):
				}
			}
		}
		if err := s.measure(); err != nil {
			return nil, err
		}
		st := closedLoop(ctx, cfg.loadClients, cfg.loadDuration, do)
		s.endMeasure()
		res := &Result{Workload: "load", Title: fmt.Sprintf("Load: %d clients post events for %s: no 5xx, no lost event", cfg.loadClients, cfg.loadDuration),
			Unit: "events/s", Count: int64(st.OK), Rate: round(float64(st.OK)/st.Elapsed.Seconds(), 0), Seconds: round(st.Elapsed.Seconds(), 2),
			Latency: summarize(st.Latencies), LatencyOf: "accept (from the first attempt, 503 retries included)",
			Params: map[string]any{"clients": cfg.loadClients, "duration_s": cfg.loadDuration.Seconds()}}
		res.setErrors(st)
		res.Params["http_503"], res.Params["retried_after_503"] = got503.Load(), retries.Load()
		res.Notes = append(res.Notes, fmt.Sprintf("%d answers 503 (retried after Retry-After; %d of them led to acceptance)", got503.Load(), retries.Load()))
		t0 := time.Now()
		missing, readErrs := readBack(ctx, p, accepted)
		res.Params["lost"], res.Params["read_back_errors"] = missing, readErrs
		res.Notes = append(res.Notes, fmt.Sprintf("read back %d accepted events with GET /v1/events/{id} in %.1f s: %d missing, %d errors",
			len(accepted), time.Since(t0).Seconds(), missing, readErrs))
		var err error
		other5xx := 0
		for class, n := range st.Errors {
			if len(class) == 8 && class[:6] == "HTTP 5" && class != "HTTP 503" {
				other5xx += n
			}
		}
		switch {
		case other5xx > 0:
			err = fmt.Errorf("%d answers 5xx other than 503", other5xx)
		case missing > 0 || readErrs > 0:
			err = fmt.Errorf("%d accepted events not found, %d read errors", missing, readErrs)
		case st.OK != st.Sent:
			err = fmt.Errorf("%d of %d events not accepted", st.Sent-st.OK, st.Sent)
		}
		if err == nil {
			res.Notes = append(res.Notes, "no 5xx, no lost event")
		}
		return res, err
	})
}

// loadEvent is an event with an idempotency key, so a retry can never
// create a second one.
type loadEvent struct {
	*benchEvent
	IdempotencyKey string `json:"idempotency_key"`
}

// readBack fetches every event id with 32 clients and counts those not
// found (404) and the other failures.
func readBack(ctx context.Context, p *poster, ids []string) (missing, errs int) {
	var next atomic.Int64
	var nMissing, nErrs atomic.Int64
	var wg sync.WaitGroup
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(ids) || ctx.Err() != nil {
					return
				}
				var ev struct {
					ID string `json:"id"`
				}
				err := p.get(ctx, "/v1/events/"+ids[i], &ev)
				var se *statusError
				switch {
				case errors.As(err, &se) && se.code == 404:
					nMissing.Add(1)
				case err != nil || ev.ID != ids[i]:
					nErrs.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	return int(nMissing.Load()), int(nErrs.Load())
}
