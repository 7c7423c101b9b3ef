package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"syscall"
	"time"
)

// The SIGTERM moment: once the sink has accepted this share of the mailing
// (in per cent, drawn at random between the two).
const (
	termMinPct = 20
	termMaxPct = 60
)

// termExitGrace is what the process may take beyond --shutdown-timeout to
// end after its last delivery (closing the database, exiting).
const termExitGrace = time.Second

// sigtermRun is the outcome of one SIGTERM during a mailing.
type sigtermRun struct {
	Seed       uint64  `json:"seed"`
	AtMessages int64   `json:"at_messages"`
	AfterS     float64 `json:"after_s"`
	// ExitS is how long the process took to exit after SIGTERM, ExitCode
	// its status (-1: ended by a signal, e.g. the harness's SIGKILL after
	// stopTimeout).
	ExitS    float64 `json:"exit_s"`
	ExitCode int     `json:"exit_code"`
	// AcceptedAfter is the messages the sink accepted after the SIGTERM:
	// in-flight sends finishing.
	AcceptedAfter int64 `json:"accepted_after_sigterm"`
	stopCheck
	RestartS float64 `json:"restart_s"`
	resumption
	Lost          int   `json:"lost"`
	RecipientDups int64 `json:"recipient_duplicates"`
	MessageIDDups int64 `json:"message_id_duplicates"`

	exited, ready time.Time
}

// sigtermTitle describes the sigterm workload.
func sigtermTitle(cfg *config) string {
	return fmt.Sprintf("SIGTERM: a %s-message mailing, the server stopped gracefully while it sends and restarted",
		thousands(float64(cfg.sigtermMessages)))
}

// sigtermName is the workload name of run r (1-based).
func sigtermName(cfg *config, r int) string {
	if cfg.sigtermRuns == 1 {
		return "sigterm"
	}
	return fmt.Sprintf("sigterm-%d", r)
}

// runSigterm queues a mailing while the sink holds MAIL, lets it go, and
// sends the server SIGTERM once the sink has accepted a random share of
// it. A graceful stop finishes or hands back what it sends: the process
// must exit with 0 within --shutdown-timeout, and after a restart on the
// same database every message must arrive exactly once.
func runSigterm(ctx context.Context, e *env, name string, seed uint64) (*Result, error) {
	cfg := e.cfg
	n := cfg.sigtermMessages
	snk, err := startSink(faults{})
	if err != nil {
		return nil, err
	}
	defer snk.close()
	snk.hold()
	return withServer(ctx, e, serverOptions{name: name, smtpAddr: snk.Addr(), replicas: 1}, func(s *server) (*Result, error) {
		queued, released, err := startMailing(ctx, s, snk, n)
		if err != nil {
			return nil, err
		}
		res := &Result{Workload: name, Title: sigtermTitle(cfg), Unit: "messages/s",
			Params: map[string]any{"messages": n, "seed": seed, "sigterm_after_pct": fmt.Sprintf("%d–%d", termMinPct, termMaxPct),
				"shutdown_timeout_s": heroldShutdownTimeout.Seconds(), "herold_flags": "defaults"}}
		res.Notes = append(res.Notes, fmt.Sprintf("queued %d events (one message each) through /v1/events/batch in %.1f s while the sink held MAIL",
			n, queued.Seconds()))
		rng := rand.New(rand.NewPCG(seed, 0x7465726d))
		r := sigtermRun{Seed: seed, AtMessages: int64(n*termMinPct/100) + rng.Int64N(int64(n*(termMaxPct-termMinPct)/100)+1)}
		err = terminate(ctx, s, snk, cfg, name, &r, released)
		res.Params["sigterm"] = &r
		if err != nil {
			return res, err
		}
		st, err := snk.waitDistinct(ctx, int64(n), cfg.sigtermTimeout, time.Now().Add(cfg.sigtermTimeout))
		r.resumption = resumeAfter(snk, r.SinkHad, r.exited, r.ready)
		res.Sink = &st
		el := time.Since(released)
		res.Rate, res.Seconds, res.Count = round(float64(st.Distinct)/el.Seconds(), 0), round(el.Seconds(), 1), st.Distinct
		return res, sigtermVerdict(ctx, s, snk, res, n, &r, err)
	})
}

// terminate waits for the SIGTERM moment, stops the server with SIGTERM,
// inspects the database and restarts the server; it fills r.
func terminate(ctx context.Context, s *server, snk *sink, cfg *config, name string, r *sigtermRun, released time.Time) error {
	if err := waitMessages(ctx, snk, r.AtMessages, cfg.sigtermTimeout); err != nil {
		return fmt.Errorf("before SIGTERM: %w", err)
	}
	p := s.procs[0]
	before := snk.Stats().Messages
	t0 := time.Now()
	r.AfterS = round(t0.Sub(released).Seconds(), 2)
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(stopTimeout):
		p.kill()
	}
	r.exited = time.Now()
	r.ExitS, r.ExitCode = round(r.exited.Sub(t0).Seconds(), 3), exitCode(p.err)
	var err error
	if r.stopCheck, err = inspectStopped(ctx, s, snk, r.exited, map[string]int32{}); err != nil {
		return err
	}
	r.AcceptedAfter = r.SinkMessages - before
	fmt.Fprintf(os.Stderr, "bench: %s: SIGTERM at %d messages (%.1f s): exit %d after %.2f s, %d accepted after the SIGTERM, recorded sent %d, in flight %d\n",
		name, r.AtMessages, r.AfterS, r.ExitCode, r.ExitS, r.AcceptedAfter, r.RecordedSent, r.InFlight)
	t1 := time.Now()
	if r.ready, err = restart(ctx, s); err != nil {
		return fmt.Errorf("restart after SIGTERM: %w", err)
	}
	r.RestartS = round(r.ready.Sub(t1).Seconds(), 2)
	return nil
}

// sigtermVerdict adds the figures to res and decides: a clean exit within
// --shutdown-timeout, no message lost, none doubled, nothing recorded that
// the sink did not get, history complete.
func sigtermVerdict(ctx context.Context, s *server, snk *sink, res *Result, n int, r *sigtermRun, err error) error {
	st := res.Sink
	r.Lost, r.RecipientDups, r.MessageIDDups = lostRecipients(snk, n), st.RecipientDups, st.Duplicates
	res.Failed = r.Lost
	res.Notes = append(res.Notes, fmt.Sprintf("SIGTERM at %d messages (%.1f s after the release): exit code %d after %.2f s; messages the sink accepted after the SIGTERM: %d; then %d recorded sent, %d delivered but not recorded; restart ready in %.2f s, %s",
		r.AtMessages, r.AfterS, r.ExitCode, r.ExitS, r.AcceptedAfter, r.RecordedSent, r.InFlight, r.RestartS, r.describe("exit")))
	res.Notes = append(res.Notes, fmt.Sprintf("%d lost; duplicates: %d by recipient, %d by Message-ID", r.Lost, r.RecipientDups, r.MessageIDDups))
	if err == nil {
		err = crashHistory(ctx, s, res, n)
	}
	switch {
	case r.ExitCode != 0:
		return fmt.Errorf("herold exited with %d after SIGTERM (%.1f s)", r.ExitCode, r.ExitS)
	case r.ExitS > (heroldShutdownTimeout + termExitGrace).Seconds():
		return fmt.Errorf("herold took %.1f s to exit after SIGTERM, beyond its --shutdown-timeout of %s", r.ExitS, heroldShutdownTimeout)
	case err != nil:
		return err
	case r.Lost > 0:
		return fmt.Errorf("%d recipients got no message", r.Lost)
	case r.RecipientDups > 0 || r.MessageIDDups > 0:
		return fmt.Errorf("%d duplicates by recipient, %d by Message-ID after a graceful stop", r.RecipientDups, r.MessageIDDups)
	case r.RecordedNotDelivered > 0:
		return fmt.Errorf("%d messages recorded as sent that the sink never accepted", r.RecordedNotDelivered)
	}
	res.Notes = append(res.Notes, "clean exit in time; every message arrived exactly once")
	return nil
}
