package main

import (
	"context"
	"fmt"
	"os"
	"strings"
)

// env is what every workload needs: the flags, the herold binary and
// where to put databases and logs.
type env struct {
	cfg    *config
	bin    string
	tmp    string
	logDir string
	dbs    *databases
}

// workload is one named measurement.
type workload struct {
	name  string
	title string
	run   func(ctx context.Context, e *env) (*Result, error)
	// hook marks a workload that is only a placeholder so far.
	hook bool
}

// workloads lists every workload in the order "all" runs them: the
// ceiling first, so later figures can be read against it. W3 runs once per
// size of -w3-sizes, sigterm once per -sigterm-runs.
func workloads(cfg *config) []workload {
	ws := []workload{
		{"ceiling", "SMTP ceiling: trivial client → sink, pre-rendered messages", runCeiling, false},
		{"w1-max", "W1 ingest: closed loop, as fast as the clients can post", runW1Max, false},
		{"w1-paced", "W1 ingest: open loop at a fixed rate, accept latency", runW1Paced, false},
		{"d1", "D1 delivery: a pre-queued backlog to the SMTP sink", runD1, false},
		{"w4", "W4 end to end: accept → DATA at the sink at a fixed rate", runW4, false},
		{"w2", fmt.Sprintf("W2 mass mailing: a schedule run over %s contacts", thousands(float64(cfg.w2Contacts))), runW2, false},
		{"w2-broadcast", w2BroadcastTitle(cfg), runW2Broadcast, false},
	}
	for _, n := range cfg.w3Sizes {
		ws = append(ws, workload{"w3-" + sizeName(n), fmt.Sprintf("W3 birthday scan: a schedule over %s contacts", thousands(float64(n))),
			func(ctx context.Context, e *env) (*Result, error) { return runW3(ctx, e, n) }, false})
	}
	ws = append(ws,
		workload{"mixed", mixedTitle(cfg), runMixed, false},
		workload{"inbox", inboxTitle(cfg), runInbox, false},
		workload{"crash", crashTitle(cfg), runCrash, false},
		workload{"load", fmt.Sprintf("Load: %d clients post events for %s: no 5xx, no lost event", cfg.loadClients, cfg.loadDuration), runLoad, false},
	)
	for r := 1; r <= cfg.sigtermRuns; r++ {
		name, seed := sigtermName(cfg, r), cfg.sigtermSeed+uint64(r-1)
		ws = append(ws, workload{name, sigtermTitle(cfg),
			func(ctx context.Context, e *env) (*Result, error) { return runSigterm(ctx, e, name, seed) }, false})
	}
	return ws
}

// isFault reports whether a workload is a fault test, which "all" leaves
// out and "faults" selects.
func isFault(name string) bool {
	return name == "crash" || name == "load" || isSigterm(name)
}

// isSigterm matches "sigterm" and "sigterm-2" (one per -sigterm-runs).
func isSigterm(name string) bool { return name == "sigterm" || strings.HasPrefix(name, "sigterm-") }

// sizeName is 100000 → "100k", 1000000 → "1m", else the number.
func sizeName(n int) string {
	switch {
	case n%1_000_000 == 0:
		return fmt.Sprintf("%dm", n/1_000_000)
	case n%1000 == 0:
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprint(n)
}

// runWorkload waits for a quiet machine (see waitQuiet), then runs w. A
// failed workload returns a Result with Error set; the error return is for
// what ends the whole run (cancellation).
func runWorkload(ctx context.Context, e *env, w workload) (*Result, error) {
	var quietNote string
	if e.cfg.quietBelow > 0 && !w.hook {
		pct, quiet, err := waitQuiet(ctx, e.cfg.quietBelow, e.cfg.quietWait)
		if err != nil {
			return nil, err
		}
		if !quiet {
			quietNote = fmt.Sprintf("started on a busy machine: other processes used %.0f %% of a core just before", pct)
		}
	}
	fmt.Fprintf(os.Stderr, "bench: %s: %s\n", w.name, w.title)
	res, err := w.run(ctx, e)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: %s failed: %v\n", w.name, err)
		if res == nil {
			res = &Result{Workload: w.name, Title: w.title}
		}
		res.Error = err.Error()
	}
	if quietNote != "" {
		res.Notes = append(res.Notes, quietNote)
	}
	return res, nil
}

// selectWorkloads resolves the -workloads flag: names, "w1" for both W1
// runs, "w3" for every size, "sigterm" for every SIGTERM run, "faults" for
// crash, load and sigterm, or "all" (which leaves out the fault tests).
func selectWorkloads(spec string, cfg *config) ([]workload, error) {
	all := workloads(cfg)
	byName := map[string]workload{}
	for _, w := range all {
		byName[w.name] = w
	}
	var out []workload
	seen := map[string]bool{}
	add := func(w workload) {
		if !seen[w.name] {
			seen[w.name] = true
			out = append(out, w)
		}
	}
	for _, name := range strings.Split(spec, ",") {
		name = strings.ToLower(strings.TrimSpace(name))
		switch {
		case name == "":
		case name == "w1":
			add(byName["w1-max"])
			add(byName["w1-paced"])
		case name == "w3":
			for _, w := range all {
				if strings.HasPrefix(w.name, "w3-") {
					add(w)
				}
			}
		case name == "sigterm":
			for _, w := range all {
				if isSigterm(w.name) {
					add(w)
				}
			}
		case name == "faults":
			for _, w := range all {
				if isFault(w.name) {
					add(w)
				}
			}
		case name == "all":
			for _, w := range all {
				if !isFault(w.name) {
					add(w)
				}
			}
		case byName[name].run != nil:
			add(byName[name])
		default:
			return nil, fmt.Errorf("-workloads: unknown workload %q (known: ceiling, w1, w1-max, w1-paced, d1, w4, w2, w2-broadcast, w3, w3-SIZE, mixed, crash, load, sigterm, faults, all)", name)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("-workloads: none selected")
	}
	return out, nil
}
