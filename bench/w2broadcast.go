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
	cfg := e.cfg
	n := cfg.w2Contacts
	snk, err := startSink(cfg.faults)
	if err != nil {
		return nil, err
	}
	defer snk.close()
	return withServer(ctx, e, serverOptions{name: "w2-broadcast", smtpAddr: snk.Addr()}, func(s *server) (*Result, error) {
		setup, err := prepareMailing(ctx, s.url, n)
		if err != nil {
			return nil, err
		}
		res := &Result{Workload: "w2-broadcast", Title: w2BroadcastTitle(cfg), Unit: "messages/s",
			Params: map[string]any{"contacts": n, "template_html_bytes": len(mailingHTML), "category": mailingCategory,
				"smtp_conns": smtpConns(cfg), "setup_s": round(setup.Seconds(), 1)}}
		if err := s.measure(); err != nil {
			return nil, err
		}
		c := client.New(s.url, benchKey)
		t0 := time.Now()
		if err := startBroadcast(ctx, c); err != nil {
			s.endMeasure()
			return res, err
		}
		st, waitErr := snk.waitDistinct(ctx, int64(n), time.Minute, t0.Add(cfg.w2Timeout))
		report, repErr := waitBroadcast(ctx, c, t0.Add(cfg.w2Timeout))
		s.endMeasure()
		res.Rate, res.Seconds, res.Count = round(st.Rate(), 0), round(st.Window().Seconds(), 2), st.Distinct
		res.Sink = &st
		res.Failed = n - int(st.Distinct)
		cpuPerMessage(s, res, st.Distinct)
		if !st.FirstMail.IsZero() {
			res.Notes = append(res.Notes, fmt.Sprintf("first MAIL %.2f s after the start request", st.FirstMail.Sub(t0).Seconds()))
		}
		if report != nil {
			res.Params["report"] = report
			res.Notes = append(res.Notes, fmt.Sprintf("report: %s, %d scanned, %d in the audience, %d sent, %d failed, %d queued",
				report.Status, report.Scanned, report.Audience, report.Sent, report.Failed, report.Queued))
		}
		err = cmpErr(waitErr, repErr)
		if herr := checkHistory(ctx, s, res, n); herr != nil && err == nil {
			err = herr
		}
		if err == nil && (st.Duplicates > 0 || st.Distinct != int64(n)) {
			err = fmt.Errorf("sink: %d distinct Message-IDs for %d contacts, %d duplicates", st.Distinct, n, st.Duplicates)
		}
		if err == nil && (report.Sent != n || int(st.Distinct) != report.Sent) {
			err = fmt.Errorf("the report counts %d sent, the sink %d, for %d contacts", report.Sent, st.Distinct, n)
		}
		if err == nil {
			res.Notes = append(res.Notes, "every message arrived exactly once, is recorded as sent, and the report's figure is the sink's")
		}
		return res, err
	})
}

func w2BroadcastTitle(cfg *config) string {
	return fmt.Sprintf("W2 mass mailing: a broadcast to %s contacts", thousands(float64(cfg.w2Contacts)))
}
