package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"time"
)

// The crash test runs Herold at its defaults: no job timeouts are tuned for
// it, so it measures how fast Herold recovers on its own.

// crashBatch is how many events one batch request of the crash test
// carries (Herold's maximum).
const crashBatch = 1000

// Kill moments: after each restart the sink must accept this share of the
// mailing (in per cent, drawn at random between the two) in messages it
// had not seen before the next SIGKILL. Counting messages, not seconds,
// interrupts a mailing at the same points however fast it goes.
const (
	killMinPct = 3
	killMaxPct = 15
)

// kill is one SIGKILL of the crash test.
type kill struct {
	// AtMessages is the sink's distinct Message-IDs that triggered the
	// kill; AfterS the seconds since the sink let mail through.
	AtMessages int64   `json:"at_messages"`
	AfterS     float64 `json:"after_s"`
	stopCheck
	// RestartS is how long the restart took until /readyz.
	RestartS float64 `json:"restart_s"`
	resumption

	killed, ready time.Time
}

// runCrash queues a mailing of one message per contact (batched events,
// while the sink holds MAIL), lets it go and kills the server with SIGKILL
// at moments measured in messages, restarting it on the same database each
// time. Between a kill and the restart it compares the sink with the
// database: messages delivered but not recorded are in flight, and a
// correct engine sends each of them once more at most. At the end nothing
// may be lost.
func runCrash(ctx context.Context, e *env) (*Result, error) {
	cfg := e.cfg
	n := cfg.crashMessages
	snk, err := startSink(faults{})
	if err != nil {
		return nil, err
	}
	defer snk.close()
	snk.hold()
	opts := serverOptions{name: "crash", smtpAddr: snk.Addr(), replicas: 1}
	return withServer(ctx, e, opts, func(s *server) (*Result, error) {
		queued, released, err := startMailing(ctx, s, snk, n)
		if err != nil {
			return nil, err
		}
		res := &Result{Workload: "crash", Title: crashTitle(cfg), Unit: "messages/s",
			Params: map[string]any{"messages": n, "kills": cfg.crashKills, "seed": cfg.crashSeed,
				"kill_after_pct": fmt.Sprintf("%d–%d", killMinPct, killMaxPct), "herold_flags": "defaults"}}
		res.Notes = append(res.Notes, fmt.Sprintf("queued %d events (one message each) through /v1/events/batch in %.1f s while the sink held MAIL",
			n, queued.Seconds()))
		kills, killErr := killRepeatedly(ctx, s, snk, cfg, released)
		var last time.Time
		if len(kills) > 0 {
			last = kills[len(kills)-1].ready
		}
		// After a stall before a kill, waiting as long again tells nothing.
		st, waitErr := snk.Stats(), error(nil)
		if killErr == nil {
			st, waitErr = snk.waitDistinct(ctx, int64(n), cfg.crashTimeout, time.Now().Add(cfg.crashTimeout))
		}
		for i := range kills {
			kills[i].resumption = resumeAfter(snk, kills[i].SinkHad, kills[i].killed, kills[i].ready)
		}
		res.Params["kill_log"] = kills
		res.Sink = &st
		el := time.Since(released)
		res.Rate, res.Seconds, res.Count = round(float64(st.Distinct)/el.Seconds(), 0), round(el.Seconds(), 1), st.Distinct
		if done, ok := snk.distinctAt(int64(n) - 1); ok && !last.IsZero() {
			res.Params["complete_after_last_restart_s"] = round(done.Sub(last).Seconds(), 2)
			res.Notes = append(res.Notes, fmt.Sprintf("the mailing was complete %.1f s after the release, %.1f s after the last restart",
				done.Sub(released).Seconds(), done.Sub(last).Seconds()))
		}
		err = crashVerdict(ctx, s, snk, res, n, kills, cmpErr(killErr, waitErr))
		return res, err
	})
}

func crashTitle(cfg *config) string {
	return fmt.Sprintf("Crash: a %s-message mailing, the server SIGKILLed %d times while it sends",
		thousands(float64(cfg.crashMessages)), cfg.crashKills)
}

// crashVerdict adds the kill log and the totals to res and decides: nothing
// lost, duplicates within what was in flight, nothing recorded as sent that
// the sink did not get, history complete.
func crashVerdict(ctx context.Context, s *server, snk *sink, res *Result, n int, kills []kill, err error) error {
	st := res.Sink
	inFlight, notDelivered := 0, 0
	var resumes []string
	maxResume, maxReady := 0.0, 0.0
	for i, k := range kills {
		inFlight += k.InFlight
		notDelivered += k.RecordedNotDelivered
		res.Notes = append(res.Notes, fmt.Sprintf("kill %d at %d messages (%.1f s): sink had %d, recorded sent %d, in flight (delivered, not recorded) %d, %s",
			i+1, k.AtMessages, k.AfterS, k.SinkHad, k.RecordedSent, k.InFlight, k.describe("kill")))
		if k.FromStopS != nil {
			resumes = append(resumes, fmt.Sprintf("%.2f", *k.FromStopS))
			maxResume, maxReady = max(maxResume, *k.FromStopS), max(maxReady, *k.FromReadyS)
		}
	}
	lost := lostRecipients(snk, n)
	res.Failed = lost
	res.Params["lost"], res.Params["in_flight"], res.Params["recorded_not_delivered"] = lost, inFlight, notDelivered
	res.Params["recipient_duplicates"], res.Params["message_id_duplicates"] = st.RecipientDups, st.Duplicates
	res.Params["resume_max_s"], res.Params["resume_from_ready_max_s"] = maxResume, maxReady
	res.Notes = append(res.Notes, fmt.Sprintf("%d kills; %d recipients without a message at the end of the wait (lost); duplicates: %d by recipient, %d repeated Message-IDs; in flight at the kills: %d",
		len(kills), lost, st.RecipientDups, st.Duplicates, inFlight))
	if len(resumes) > 0 {
		res.Notes = append(res.Notes, fmt.Sprintf("delivery resumed after each kill in %s s (max %.3f s after the kill, %.3f s after /readyz)",
			strings.Join(resumes, ", "), maxResume, maxReady))
	}
	if err == nil {
		err = crashHistory(ctx, s, res, n)
	}
	switch {
	case err != nil:
		return err
	case lost > 0:
		return fmt.Errorf("%d recipients got no message", lost)
	case notDelivered > 0:
		return fmt.Errorf("%d messages recorded as sent that the sink never accepted", notDelivered)
	case st.RecipientDups > int64(inFlight) || st.Duplicates > int64(inFlight):
		return fmt.Errorf("%d duplicates by recipient, %d by Message-ID, more than the %d in flight", st.RecipientDups, st.Duplicates, inFlight)
	}
	res.Notes = append(res.Notes, "nothing lost; duplicates within what was in flight")
	return nil
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

// killRepeatedly kills the server each time the sink has accepted a random
// share of the mailing more, inspects the database and restarts the
// server. It returns the kills done; an error when the sink stopped
// progressing (for -crash-timeout) or a restart failed.
func killRepeatedly(ctx context.Context, s *server, snk *sink, cfg *config, released time.Time) ([]kill, error) {
	rng := rand.New(rand.NewPCG(cfg.crashSeed, 0x6b696c6c))
	n := cfg.crashMessages
	accounted := map[string]int32{}
	var kills []kill
	for i := range cfg.crashKills {
		further := int64(n*killMinPct/100) + rng.Int64N(int64(n*(killMaxPct-killMinPct)/100)+1)
		at := snk.Stats().Distinct + max(further, 1)
		if at > int64(n) {
			fmt.Fprintf(os.Stderr, "bench: crash: %d kills; the mailing ends before kill %d\n", i, i+1)
			return kills, nil
		}
		if err := waitMessages(ctx, snk, at, cfg.crashTimeout); err != nil {
			return kills, fmt.Errorf("before kill %d: %w", i+1, err)
		}
		k := kill{AtMessages: at, killed: time.Now()}
		k.AfterS = round(k.killed.Sub(released).Seconds(), 2)
		s.procs[0].kill()
		var err error
		if k.stopCheck, err = inspectStopped(ctx, s, snk, k.killed, accounted); err != nil {
			return kills, fmt.Errorf("after kill %d: %w", i+1, err)
		}
		t0 := time.Now()
		if k.ready, err = restart(ctx, s); err != nil {
			return kills, fmt.Errorf("restart after kill %d: %w", i+1, err)
		}
		k.RestartS = round(k.ready.Sub(t0).Seconds(), 2)
		kills = append(kills, k)
		fmt.Fprintf(os.Stderr, "bench: crash: kill %d at %d messages (%.1f s): sink had %d, recorded sent %d, in flight %d, recorded not delivered %d; ready %.2f s after the restart\n",
			i+1, k.AtMessages, k.AfterS, k.SinkHad, k.RecordedSent, k.InFlight, k.RecordedNotDelivered, k.RestartS)
	}
	return kills, nil
}

// waitMessages waits until the sink holds at distinct Message-IDs; it
// fails when none new arrived for idle.
func waitMessages(ctx context.Context, snk *sink, at int64, idle time.Duration) error {
	reached := snk.whenDistinct(at)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	last, since := snk.Stats().Distinct, time.Now()
	for {
		select {
		case <-reached:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
		if d := snk.Stats().Distinct; d != last {
			last, since = d, time.Now()
		} else if time.Since(since) > idle {
			return fmt.Errorf("sink: %d of the %d messages awaited, none new for %s", d, at, idle)
		}
	}
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
