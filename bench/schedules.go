package main

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/herold-dev/herold/client"
	"github.com/herold-dev/herold/internal/model"
)

// bulkChunk is how many contacts one bulk request carries in the schedule
// workloads: Herold's maximum.
const bulkChunk = 50_000

// runSeconds is a run's own duration, from its start to its end as the
// server recorded them.
func runSeconds(r *model.ScheduleRun) float64 {
	if r.FinishedAt == nil {
		return 0
	}
	return r.FinishedAt.Sub(r.StartedAt).Seconds()
}

// runSchedule starts a run now and polls it until it has finished. It
// returns the run and the time from the request to the poll that saw it
// finished.
func runSchedule(ctx context.Context, c *client.Client, key string, timeout time.Duration) (*model.ScheduleRun, time.Duration, error) {
	t0 := time.Now()
	var run model.ScheduleRun
	if err := c.Do(ctx, "POST", "/v1/schedules/"+key+"/run", nil, &run); err != nil {
		return nil, 0, fmt.Errorf("run schedule %s: %w", key, err)
	}
	deadline := t0.Add(timeout)
	for run.Status != "finished" && run.Status != "failed" {
		if time.Now().After(deadline) {
			return &run, time.Since(t0), fmt.Errorf("schedule run %s still running after %s", run.ID, timeout)
		}
		select {
		case <-ctx.Done():
			return &run, time.Since(t0), ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if err := c.Do(ctx, "GET", "/v1/schedules/"+key+"/runs/"+run.ID, nil, &run); err != nil {
			return &run, time.Since(t0), fmt.Errorf("poll schedule run: %w", err)
		}
	}
	el := time.Since(t0)
	if run.Status != "finished" {
		return &run, el, fmt.Errorf("schedule run %s ended %s: %s", run.ID, run.Status, run.Failure)
	}
	return &run, el, nil
}

// bulkContacts uploads contacts in chunks of bulkChunk and returns how long
// it took.
func bulkContacts(ctx context.Context, c *client.Client, n int, contact func(i int) client.Contact) (time.Duration, error) {
	t0 := time.Now()
	for start := 0; start < n; start += bulkChunk {
		end := min(start+bulkChunk, n)
		batch := make([]client.Contact, 0, end-start)
		for i := start; i < end; i++ {
			batch = append(batch, contact(i))
		}
		var res struct {
			Upserted int   `json:"upserted"`
			Errors   []any `json:"errors"`
		}
		if err := c.Do(ctx, "POST", "/v1/contacts/bulk", map[string]any{"contacts": batch}, &res); err != nil {
			return time.Since(t0), fmt.Errorf("bulk contacts %d–%d: %w", start, end, err)
		}
		if len(res.Errors) > 0 || res.Upserted != len(batch) {
			return time.Since(t0), fmt.Errorf("bulk contacts: %d of %d saved, errors: %v", res.Upserted, len(batch), excerpt(fmt.Sprint(res.Errors), 300))
		}
	}
	return time.Since(t0), nil
}

// bulkClient is a client for large uploads: a 50,000-contact request may
// take longer than the default 30 s on a busy machine.
func bulkClient(url string) *client.Client {
	return client.MustNew(url, benchKey, client.WithTimeout(5*time.Minute))
}

// messageCount counts messages with the given statuses through GET
// /v1/messages (1,000 per page), and calls each with every message id when
// it is not nil.
func messageCount(ctx context.Context, c *client.Client, statuses string, each func(id string)) (int, error) {
	n, cursor := 0, ""
	for {
		q := url.Values{"limit": {"1000"}, "status": {statuses}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var page struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		if err := c.Do(ctx, "GET", "/v1/messages?"+q.Encode(), nil, &page); err != nil {
			return n, fmt.Errorf("list messages: %w", err)
		}
		n += len(page.Items)
		if each != nil {
			for _, m := range page.Items {
				each(m.ID)
			}
		}
		if page.NextCursor == "" {
			return n, nil
		}
		cursor = page.NextCursor
	}
}

// notSent are the statuses of messages that are not (yet) sent.
const notSent = "awaiting_confirmation,declined,expired,queued,sending,retrying,failed,suppressed"
