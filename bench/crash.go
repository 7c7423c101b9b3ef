package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"time"

	"github.com/herold-dev/herold/client"
)

// The crash test runs Herold with short job timeouts, so that the jobs a
// kill leaves marked running are rescued within a minute instead of
// Herold's default 10 (see docs/operations.md, "After a crash").
const (
	crashSMTPTimeout = "20s"
	crashJobTimeout  = "30s"
	crashRescueAfter = 45 * time.Second
)

// crashProgressWait is how long the crash test waits for sending to resume
// before the next kill: up to the rescue of the killed jobs, and more.
const crashProgressWait = 2 * crashRescueAfter

// crashBatch is how many events one batch request of the crash test
// carries (Herold's maximum).
const crashBatch = 1000

// kill is one SIGKILL of the crash test.
type kill struct {
	// AfterS is seconds since the sink let mail through.
	AfterS float64 `json:"after_s"`
	// SinkHad is how many messages the sink had accepted at the kill.
	SinkHad int64 `json:"sink_had"`
	// InFlight counts messages Herold had marked "sending" whose DATA
	// the sink had accepted, as listed right after the restart: sent but
	// not recorded, so they will be sent again. Pending counts "sending"
	// messages the sink had not got (they will arrive once, later).
	InFlight int `json:"in_flight_delivered"`
	Pending  int `json:"in_flight_not_delivered"`
	// RestartS is how long the restart took until /readyz.
	RestartS float64 `json:"restart_s"`
}

// runCrash queues a mailing of one message per contact (batched events,
// while the sink holds MAIL), lets it go and kills the server with SIGKILL
// at random moments while it sends, restarting it on the same database
// each time. Then it waits for every message and counts the lost and the
// doubled ones against what was in flight at the kills.
func runCrash(ctx context.Context, e *env) (*Result, error) {
	cfg := e.cfg
	n := cfg.crashMessages
	snk, err := startSink(faults{})
	if err != nil {
		return nil, err
	}
	defer snk.close()
	snk.hold()
	opts := serverOptions{name: "crash", smtpAddr: snk.Addr(), replicas: 1, extra: []string{
		"--smtp-timeout", crashSMTPTimeout, "--job-timeout", crashJobTimeout, "--job-rescue-after", crashRescueAfter.String()}}
	return withServer(ctx, e, opts, func(s *server) (*Result, error) {
		if _, err := prepareMailing(ctx, s.url, n); err != nil {
			return nil, err
		}
		t0 := time.Now()
		if err := queueMailing(ctx, s.url, n); err != nil {
			return nil, err
		}
		res := &Result{Workload: "crash", Title: fmt.Sprintf("Crash: a %s-message mailing, the server SIGKILLed %d times while it sends",
			thousands(float64(n)), cfg.crashKills), Unit: "messages/s",
			Params: map[string]any{"messages": n, "kills": cfg.crashKills, "seed": cfg.crashSeed}}
		res.Notes = append(res.Notes, fmt.Sprintf("queued %d events (one message each) through /v1/events/batch in %.1f s while the sink held MAIL",
			n, time.Since(t0).Seconds()))
		released := time.Now()
		snk.release()
		kills, inFlight, err := killRepeatedly(ctx, s, snk, cfg, released)
		res.Params["kill_log"] = kills
		if err != nil {
			return res, err
		}
		// The jobs of the last kill resume when they are rescued, so the
		// sink may see nothing for that long.
		st, waitErr := snk.waitDistinct(ctx, int64(n), crashProgressWait, time.Now().Add(cfg.crashTimeout))
		res.Sink = &st
		res.Rate, res.Seconds, res.Count = round(float64(st.Distinct)/time.Since(released).Seconds(), 0), round(time.Since(released).Seconds(), 1), st.Distinct
		lost := 0
		for i := range n {
			if !snk.gotRecipient(contactEmail(i)) {
				lost++
			}
		}
		res.Failed = lost
		res.Params["lost"], res.Params["in_flight"] = lost, len(inFlight)
		res.Params["recipient_duplicates"], res.Params["message_id_duplicates"] = st.RecipientDups, st.Duplicates
		res.Notes = append(res.Notes, fmt.Sprintf("%d kills; %d lost recipients; duplicates: %d by recipient, %d repeated Message-IDs; in flight at the kills (sent, not recorded): %d",
			len(kills), lost, st.RecipientDups, st.Duplicates, len(inFlight)))
		var herr error
		if waitErr == nil {
			herr = crashHistory(ctx, s, res, n)
		}
		switch err := cmpErr(waitErr, herr); {
		case err != nil:
			return res, err
		case lost > 0:
			return res, fmt.Errorf("%d recipients got no message", lost)
		case st.RecipientDups > int64(len(inFlight)) || st.Duplicates > int64(len(inFlight)):
			return res, fmt.Errorf("%d duplicates by recipient, %d by Message-ID, more than the %d in flight", st.RecipientDups, st.Duplicates, len(inFlight))
		}
		res.Notes = append(res.Notes, "nothing lost; duplicates within what was in flight")
		return res, nil
	})
}

// queueMailing posts one mailing event per contact in batches, each with
// an idempotency key.
func queueMailing(ctx context.Context, url string, n int) error {
	p := newPoster([]string{url}, 2, 5*time.Minute)
	defer p.close()
	err := postBatches(ctx, p, n, crashBatch, func(i int) any {
		return map[string]any{"type": mailingEventType, "project": mailingProject,
			"actors": map[string]any{"contact": []string{contactID(i)}}, "idempotency_key": fmt.Sprintf("crash-%d", i)}
	}, func(i int, r batchResult) error {
		if len(r.Errors) > 0 || r.queued() != 1 {
			return fmt.Errorf("event %d: %v %+v", i, r.Errors, r.Messages)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("queue mailing: %w", err)
	}
	return nil
}

// killRepeatedly kills the server at random moments while the sink is
// receiving, and restarts it. After each restart it lists the messages
// still marked "sending": those the sink had already accepted were in
// flight (sent, not recorded). It returns the kills and the set of
// in-flight Message-IDs.
func killRepeatedly(ctx context.Context, s *server, snk *sink, cfg *config, released time.Time) ([]kill, map[string]bool, error) {
	rng := rand.New(rand.NewPCG(cfg.crashSeed, 0x6b696c6c))
	p := s.procs[0]
	c := client.New(s.url, benchKey)
	c.HTTP.Timeout = 2 * time.Minute
	inFlight := map[string]bool{}
	var kills []kill
	for range cfg.crashKills {
		// Wait for sending to be under way (after an earlier kill that may
		// take until River rescues the killed jobs), then a random moment
		// more.
		before := snk.Stats().Messages
		deadline := time.Now().Add(crashProgressWait)
		for snk.Stats().Messages == before && snk.Stats().Distinct < int64(cfg.crashMessages) && time.Now().Before(deadline) {
			select {
			case <-ctx.Done():
				return kills, inFlight, ctx.Err()
			case <-time.After(10 * time.Millisecond):
			}
		}
		if snk.Stats().Distinct >= int64(cfg.crashMessages) {
			break // everything arrived; nothing left to interrupt
		}
		if snk.Stats().Messages == before {
			return kills, inFlight, fmt.Errorf("no message arrived for %s before kill %d", crashProgressWait, len(kills)+1)
		}
		time.Sleep(time.Duration(rng.Int64N(int64(1500 * time.Millisecond))))
		p.kill()
		k := kill{AfterS: round(time.Since(released).Seconds(), 2)}
		got := snk.received()
		k.SinkHad = int64(len(got))
		t0 := time.Now()
		if err := p.start(ctx, s.e.bin); err != nil {
			return kills, inFlight, fmt.Errorf("restart after kill %d: %w", len(kills)+1, err)
		}
		k.RestartS = round(time.Since(t0).Seconds(), 2)
		if _, err := messageCount(ctx, c, "sending", func(id string) {
			mid := id + "@" + benchSenderDomain
			switch {
			case got[mid]:
				if !inFlight[mid] {
					k.InFlight++
				}
				inFlight[mid] = true
			default:
				k.Pending++
			}
		}); err != nil {
			return kills, inFlight, err
		}
		kills = append(kills, k)
		fmt.Fprintf(os.Stderr, "bench: crash: kill %d at %.1f s: sink had %d, %d in flight delivered, %d sending not delivered\n",
			len(kills), k.AfterS, k.SinkHad, k.InFlight, k.Pending)
	}
	return kills, inFlight, nil
}

// crashHistory checks that every message ended up recorded as sent.
func crashHistory(ctx context.Context, s *server, res *Result, want int) error {
	deadline := time.Now().Add(time.Minute)
	for {
		nSent, nOther, err := historyCount(ctx, s)
		if err != nil {
			return err
		}
		if nSent == want || time.Now().After(deadline) {
			res.Notes = append(res.Notes, fmt.Sprintf("history: %d sent, %d in other statuses", nSent, nOther))
			if nSent != want || nOther != 0 {
				return fmt.Errorf("history: %d sent, %d in other statuses, want %d sent", nSent, nOther, want)
			}
			return nil
		}
		time.Sleep(time.Second)
	}
}
