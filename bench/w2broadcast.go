package main

import (
	"context"
	"fmt"
	"time"

	"github.com/herold-dev/herold/client"
)

// mailingBroadcast is the broadcast of W2's broadcast variant: the same
// newsletter (template, category, contacts) as W2's schedule run, sent
// as one broadcast.
const mailingBroadcast = "w2-newsletter"

// broadcastReport is the part of GET /v1/broadcasts/{key}/report W2 reads.
type broadcastReport struct {
	Status   string `json:"status"`
	Scanned  int    `json:"scanned"`
	Audience int    `json:"audience"`
	Messages int    `json:"messages"`
	Sent     int    `json:"sent"`
	Failed   int    `json:"failed"`
	Queued   int    `json:"queued"`
}

// startBroadcast saves and starts W2's newsletter as a broadcast
// (unpaced: as fast as delivery takes it).
func startBroadcast(ctx context.Context, c *client.Client) error {
	b := map[string]any{"name": "Newsletter", "category": mailingCategory, "template": mailingTemplate,
		"data": map[string]any{"title": "Saisonstart"}}
	if err := c.Put(ctx, "/v1/broadcasts/"+mailingBroadcast, b); err != nil {
		return fmt.Errorf("put broadcast: %w", err)
	}
	if err := c.Do(ctx, "POST", "/v1/broadcasts/"+mailingBroadcast+"/start", nil, nil); err != nil {
		return fmt.Errorf("start broadcast: %w", err)
	}
	return nil
}

// waitBroadcast polls the broadcast's report until it is done and none
// of its messages waits, or until deadline.
func waitBroadcast(ctx context.Context, c *client.Client, deadline time.Time) (*broadcastReport, error) {
	var r broadcastReport
	for {
		if err := c.Do(ctx, "GET", "/v1/broadcasts/"+mailingBroadcast+"/report", nil, &r); err != nil {
			return nil, fmt.Errorf("poll broadcast report: %w", err)
		}
		if r.Status == "done" && r.Queued == 0 {
			return &r, nil
		}
		if time.Now().After(deadline) {
			return &r, fmt.Errorf("broadcast %s is %s with %d messages queued at the deadline", mailingBroadcast, r.Status, r.Queued)
		}
		select {
		case <-ctx.Done():
			return &r, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// runW2Broadcast sends W2's mailing to every contact as one broadcast
// (instead of a schedule run) and measures delivery into the sink.
func runW2Broadcast(ctx context.Context, e *env) (*Result, error) {
	n := e.cfg.w2Contacts
	return withMailing(ctx, e, "w2-broadcast", w2BroadcastTitle(e.cfg), func(s *server, snk *sink, res *Result) error {
		c := client.MustNew(s.url, benchKey)
		t0 := time.Now()
		if err := startBroadcast(ctx, c); err != nil {
			s.endMeasure()
			return err
		}
		st, waitErr := snk.waitDistinct(ctx, int64(n), time.Minute, t0.Add(e.cfg.w2Timeout))
		report, repErr := waitBroadcast(ctx, c, t0.Add(e.cfg.w2Timeout))
		s.endMeasure()
		mailingStats(s, res, st, t0, "start request")
		if report != nil {
			res.Params["report"] = report
			res.Notes = append(res.Notes, fmt.Sprintf("report: %s, %d scanned, %d in the audience, %d sent, %d failed, %d queued",
				report.Status, report.Scanned, report.Audience, report.Sent, report.Failed, report.Queued))
		}
		err := mailingChecked(ctx, s, res, st, n, cmpErr(waitErr, repErr))
		if err == nil && (report.Sent != n || int(st.Distinct) != report.Sent) {
			err = fmt.Errorf("the report counts %d sent, the sink %d, for %d contacts", report.Sent, st.Distinct, n)
		}
		if err == nil {
			res.Notes = append(res.Notes, "every message arrived exactly once, is recorded as sent, and the report's figure is the sink's")
		}
		return err
	})
}

func w2BroadcastTitle(cfg *config) string {
	return fmt.Sprintf("W2 mass mailing: a broadcast to %s contacts", thousands(float64(cfg.w2Contacts)))
}
