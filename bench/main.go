// Command bench is Herold's benchmark harness. It builds the herold binary,
// runs it as a real process on 127.0.0.1 (a fresh SQLite database and a
// fresh process per workload, so CPU time and peak memory are per workload),
// prepares data through the public API only, drives load, and measures.
//
//	go run ./bench -workloads all -out bench/results
//
// Workloads (see docs/benchmarks.md for what each one measures):
//
//	ceiling   a trivial SMTP client → the bench's SMTP sink: the machine's mail limit
//	w1-max    50 clients posting events as fast as they can (capture mailbox)
//	w1-paced  events at a fixed rate, open loop: accept latency
//	d1        delivery of a pre-queued backlog to the SMTP sink
//	w4        events at a fixed rate to the sink: accept → DATA latency
//	w2        mass mailing: a schedule run over 100,000 contacts to the sink
//	w2-broadcast  the same mailing sent as one broadcast
//	w3        birthday schedule scan over 100,000 and 1,000,000 contacts (-w3-sizes)
//	mixed     64 clients mix contact writes, events, batches and schedule runs
//	inbox     1,000 live feed streams, one in-app item each: post → arrival, memory per stream
//	          for 60 s while a 20,000-message mailing is delivered: no lost write
//	crash     a 20,000-message mailing while the server is SIGKILLed 5 times
//	load      200 clients posting events for 60 s: no 5xx, no lost event
//	sigterm   a 20,000-message mailing, the server stopped with SIGTERM and
//	          restarted: a clean exit, every message exactly once
//
// -postgres URL (or auto) runs the workloads on PostgreSQL, a fresh
// database each, and -replicas N starts N servers on it.
//
// Each workload prints one JSON line; a Markdown table follows at the end.
// Both are written to the -out directory (results.jsonl, results.md) with
// each server's log.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func main() { os.Exit(run()) }

// config holds every flag of the harness.
type config struct {
	workloads string
	out       string
	src       string
	bin       string
	revision  string
	keep      bool

	contacts     int
	spread       bool // see audience
	clients      int
	maxConns     int
	reqTimeout   time.Duration
	drainTimeout time.Duration
	quietBelow   float64
	quietWait    time.Duration

	w1Duration time.Duration
	w1Rate     int
	w1PacedFor time.Duration

	d1Messages int
	d1Timeout  time.Duration

	w4Rate     int
	w4Duration time.Duration

	ceilingConns    int
	ceilingDuration time.Duration
	ceilingSize     int

	cpuProfile      bool
	memProfile      bool
	serverSMTPConns int

	postgres string
	replicas int

	w2Contacts int
	w2Timeout  time.Duration
	w3Sizes    []int
	w3Timeout  time.Duration

	crashMessages int
	crashKills    int
	crashSeed     uint64
	crashTimeout  time.Duration
	loadClients   int
	loadDuration  time.Duration

	sigtermMessages int
	sigtermRuns     int
	sigtermSeed     uint64
	sigtermTimeout  time.Duration

	mixedDuration time.Duration
	mixedClients  int
	mixedMailing  int
	mixedRunEvery time.Duration
	mixedSeed     uint64

	inboxClients int
	inboxRate    int

	faults faults
}

func parseFlags(args []string) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.StringVar(&c.workloads, "workloads", "all", "comma-separated workloads (ceiling, w1-max, w1-paced, w1, d1, w4, w2, w2-broadcast, w3 (every -w3-sizes), w3-100k, mixed, inbox, crash, load, sigterm, faults (= crash,load,sigterm)) or all (without the fault tests)")
	fs.StringVar(&c.out, "out", "bench/results", "directory for results.jsonl, results.md and server logs")
	fs.StringVar(&c.src, "src", "", "Herold source tree to build (default: the module root above the working directory)")
	fs.StringVar(&c.bin, "herold", "", "use this herold binary instead of building one")
	fs.StringVar(&c.revision, "revision", "", "what is measured, for the report (default: git describe of -src)")
	fs.BoolVar(&c.keep, "keep", false, "keep the temporary directory (databases, binary)")

	fs.IntVar(&c.contacts, "contacts", 1000, "contacts created before each event workload")
	fs.BoolVar(&c.spread, "spread", false, "events name contacts scattered over all -contacts instead of in turn (w1, w4, d1, mixed, load), as an installation's recipients are")
	fs.IntVar(&c.clients, "clients", 50, "concurrent API clients of w1-max")
	fs.IntVar(&c.maxConns, "max-conns", 512, "HTTP connections to the server at most (open-loop runs queue beyond)")
	fs.DurationVar(&c.reqTimeout, "request-timeout", 60*time.Second, "give up on an API request after this long (counted as a timeout error)")
	fs.DurationVar(&c.drainTimeout, "drain-timeout", 60*time.Second, "how long to wait after the load for queued messages to be delivered")

	fs.Float64Var(&c.quietBelow, "quiet-below", 25, "before each workload, wait until other processes use less than this % of a core (0: don't wait)")
	fs.DurationVar(&c.quietWait, "quiet-wait", 3*time.Minute, "wait at most this long for a quiet machine, then run anyway (and say so)")

	fs.DurationVar(&c.w1Duration, "duration", 20*time.Second, "w1-max: how long the clients post")
	fs.IntVar(&c.w1Rate, "w1-rate", 1000, "w1-paced: events per second")
	fs.DurationVar(&c.w1PacedFor, "w1-paced-duration", 20*time.Second, "w1-paced: how long")

	fs.IntVar(&c.d1Messages, "d1-messages", 10000, "d1: messages queued before delivery starts (2 per event)")
	fs.DurationVar(&c.d1Timeout, "d1-timeout", 5*time.Minute, "d1: give up when the sink has not got every message by then")

	fs.IntVar(&c.inboxClients, "inbox-clients", 1000, "inbox: live feed streams, one contact each")
	fs.IntVar(&c.inboxRate, "inbox-rate", 200, "inbox: events (one in-app item each) per second")
	fs.IntVar(&c.w4Rate, "w4-rate", 500, "w4: events (one message each) per second")
	fs.DurationVar(&c.w4Duration, "w4-duration", 60*time.Second, "w4: how long")

	fs.IntVar(&c.ceilingConns, "ceiling-conns", 50, "ceiling: concurrent SMTP connections")
	fs.DurationVar(&c.ceilingDuration, "ceiling-duration", 20*time.Second, "ceiling: how long")
	fs.IntVar(&c.ceilingSize, "ceiling-size", 0, "ceiling: bytes per message (0: W2's size, measured on one W2 message sent through herold)")

	fs.BoolVar(&c.cpuProfile, "cpu-profile", false, "write each server's CPU profile (herold serve --cpu-profile) into -out as NAME.cpu.prof")
	fs.BoolVar(&c.memProfile, "mem-profile", false, "write each server's allocation profile (herold serve --mem-profile) into -out as NAME.mem.prof")
	fs.IntVar(&c.serverSMTPConns, "server-smtp-conns", 0, "herold serve --smtp-max-conns (0: herold's default)")

	fs.StringVar(&c.postgres, "postgres", "", "run on PostgreSQL: a server URL (a fresh database per workload is created on it and dropped after), "+
		"or \"auto\" for a private server started with initdb/pg_ctl (default: SQLite)")
	fs.IntVar(&c.replicas, "replicas", 1, "herold serve processes per workload on the same database (more than 1 needs -postgres)")

	fs.IntVar(&c.w2Contacts, "w2-contacts", 100_000, "w2: contacts the mailing goes to")
	fs.DurationVar(&c.w2Timeout, "w2-timeout", 10*time.Minute, "w2: give up when the mailing has not arrived by then")
	fs.Func("w3-sizes", "w3: comma-separated contact counts, one run each (default 100000,1000000)", func(v string) error {
		sizes, err := parseSizes(v)
		c.w3Sizes = sizes
		return err
	})
	fs.DurationVar(&c.w3Timeout, "w3-timeout", 10*time.Minute, "w3: give up on a run after this long")

	fs.IntVar(&c.crashMessages, "crash-messages", 20_000, "crash: messages of the mailing (one per contact)")
	fs.IntVar(&c.crashKills, "crash-kills", 5, "crash: how often the server is killed while it sends")
	fs.Uint64Var(&c.crashSeed, "crash-seed", 1, "crash: seed of the kill moments (each after 3–15 % of the mailing more)")
	fs.DurationVar(&c.crashTimeout, "crash-timeout", 5*time.Minute, "crash: give up on a kill's moment when no new message arrived for this long, and on the mailing this long after the last kill")
	fs.IntVar(&c.loadClients, "load-clients", 200, "load: concurrent clients")
	fs.DurationVar(&c.loadDuration, "load-duration", 60*time.Second, "load: how long the clients post")

	fs.IntVar(&c.sigtermMessages, "sigterm-messages", 20_000, "sigterm: messages of the mailing (one per contact)")
	fs.IntVar(&c.sigtermRuns, "sigterm-runs", 1, "sigterm: how many runs, each with its own server and seed (-sigterm-seed, +1, …)")
	fs.Uint64Var(&c.sigtermSeed, "sigterm-seed", 1, "sigterm: seed of the SIGTERM moment (after 20–60 % of the mailing)")
	fs.DurationVar(&c.sigtermTimeout, "sigterm-timeout", 5*time.Minute, "sigterm: give up on the SIGTERM's moment when no new message arrived for this long, and on the mailing this long after the restart")

	fs.DurationVar(&c.mixedDuration, "mixed-duration", 60*time.Second, "mixed: how long the clients run")
	fs.IntVar(&c.mixedClients, "mixed-clients", 64, "mixed: concurrent clients")
	fs.IntVar(&c.mixedMailing, "mixed-mailing", 20_000, "mixed: messages of the mailing delivered meanwhile")
	fs.DurationVar(&c.mixedRunEvery, "mixed-run-every", 10*time.Second, "mixed: how often a small schedule is run now")
	fs.Uint64Var(&c.mixedSeed, "mixed-seed", 1, "mixed: seed of the clients' choices")

	c.faults.register(fs)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if c.w3Sizes == nil {
		c.w3Sizes = []int{100_000, 1_000_000}
	}
	switch {
	case c.replicas < 1:
		return nil, fmt.Errorf("-replicas %d: give at least 1", c.replicas)
	case c.replicas > 1 && c.postgres == "":
		return nil, fmt.Errorf("-replicas %d needs -postgres: replicas share one PostgreSQL database", c.replicas)
	case c.contacts < 1 || c.contacts >= spreadStride:
		return nil, fmt.Errorf("-contacts %d: give at least 1 and fewer than %d", c.contacts, spreadStride)
	case c.crashKills < 0 || c.crashMessages < 1 || c.w2Contacts < 1 || c.loadClients < 1:
		return nil, fmt.Errorf("-crash-kills, -crash-messages, -w2-contacts and -load-clients must be positive")
	case c.sigtermMessages < 1 || c.sigtermRuns < 1 || c.mixedClients < 1 || c.mixedMailing < 1 || c.mixedRunEvery <= 0 || c.ceilingSize < 0:
		return nil, fmt.Errorf("-sigterm-messages, -sigterm-runs, -mixed-clients, -mixed-mailing and -mixed-run-every must be positive, -ceiling-size 0 or more")
	}
	return c, c.faults.validate()
}

// audience is the contacts the event workloads name as actors.
func (c *config) audience() audience { return audience{n: c.contacts, spread: c.spread} }

// parseSizes parses "100000,1000000" (underscores allowed).
func parseSizes(v string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(v, ",") {
		f = strings.ReplaceAll(strings.TrimSpace(f), "_", "")
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("%q is not a positive number", f)
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no size given")
	}
	return out, nil
}

func run() int {
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := runBench(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 1
	}
	return 0
}

// runBench selects the workloads, prepares the environment, runs each
// workload and writes the report.
func runBench(ctx context.Context, cfg *config) error {
	selected, err := selectWorkloads(cfg.workloads, cfg)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(cfg.out, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "herold-bench-")
	if err != nil {
		return err
	}
	if cfg.keep {
		fmt.Fprintln(os.Stderr, "bench: keeping", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	e := &env{cfg: cfg, tmp: tmp, logDir: cfg.out}
	if e.bin, err = heroldBinary(ctx, cfg, tmp); err != nil {
		return err
	}
	if e.dbs, err = openDatabases(ctx, cfg, tmp); err != nil {
		return err
	}
	defer e.dbs.close()
	rep := newReport(cfg, time.Now(), revision(ctx, cfg))
	jsonl, err := os.Create(filepath.Join(cfg.out, "results.jsonl"))
	if err != nil {
		return err
	}
	defer jsonl.Close()
	var failed []string
	for _, w := range selected {
		if ctx.Err() != nil {
			break
		}
		res, err := runWorkload(ctx, e, w)
		if err != nil {
			return err
		}
		if res.Error != "" {
			failed = append(failed, w.name)
		}
		line := res.jsonLine()
		fmt.Println(string(line))
		if _, err := jsonl.Write(append(line, '\n')); err != nil {
			return err
		}
		rep.add(res)
	}
	md := rep.markdown()
	fmt.Println()
	fmt.Print(md)
	if err := os.WriteFile(filepath.Join(cfg.out, "results.md"), []byte(md), 0o644); err != nil {
		return err
	}
	if len(failed) > 0 {
		return fmt.Errorf("workloads failed: %s", strings.Join(failed, ", "))
	}
	return ctx.Err()
}
