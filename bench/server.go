package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// benchKey is the admin API key every benchmark server starts with
// (--bootstrap-key); the servers listen on 127.0.0.1 only.
const benchKey = "herold-bench-key-0123456789abcdef"

// stopTimeout is how long a server may take to stop after SIGTERM before it
// is killed; herold's own shutdown timeout is 30 s.
const stopTimeout = 45 * time.Second

// heroldBinary returns the -herold binary, or builds one from the source
// tree into dir.
func heroldBinary(ctx context.Context, cfg *config, dir string) (string, error) {
	if cfg.bin != "" {
		return filepath.Abs(cfg.bin)
	}
	src := cfg.src
	if src == "" {
		var err error
		if src, err = moduleRoot(); err != nil {
			return "", err
		}
	}
	bin := filepath.Join(dir, "herold")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/herold")
	cmd.Dir = src
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	fmt.Fprintf(os.Stderr, "bench: building herold in %s\n", src)
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("build herold: %w", err)
	}
	return bin, nil
}

// revision describes what is measured: -revision, or the git revision of
// the source tree ("-dirty" with uncommitted changes), or the binary.
func revision(ctx context.Context, cfg *config) string {
	if cfg.revision != "" {
		return cfg.revision
	}
	if cfg.bin != "" {
		return "binary " + cfg.bin
	}
	src := cfg.src
	if src == "" {
		src, _ = moduleRoot()
	}
	out, err := exec.CommandContext(ctx, "git", "-C", src, "log", "-1", "--format=%h %s").Output()
	if err != nil {
		return "source tree " + src + " (no git revision)"
	}
	rev := strings.TrimSpace(string(out))
	if st, err := exec.CommandContext(ctx, "git", "-C", src, "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(st) > 0 {
		rev += " (with uncommitted changes)"
	}
	return "commit " + rev
}

// moduleRoot finds the directory of Herold's go.mod at or above the
// working directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.Contains(string(b), "module github.com/herold-dev/herold\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no Herold source tree above the working directory; run from the repository or pass -src or -herold")
		}
		dir = parent
	}
}

// serverOptions configure the herold serve processes of a workload.
type serverOptions struct {
	// name names the database and the log files (the workload).
	name string
	// smtpAddr is the sink's host:port; empty uses the capture mailbox.
	smtpAddr string
	// extra are more flags for herold serve.
	extra []string
	// replicas overrides -replicas (0: the flag).
	replicas int
}

// proc is one running herold serve process.
type proc struct {
	args   []string
	cmd    *exec.Cmd
	url    string
	log    *os.File
	logPth string
	exited chan struct{}
	err    error // the process's exit, valid once exited is closed
	meter  *meter
}

// server is the herold serve processes of one workload, all on one
// database: one with SQLite, -replicas with PostgreSQL. url is the first
// one's, where the harness sends configuration; urls are all of them, for
// load spread round-robin.
type server struct {
	e     *env
	procs []*proc
	url   string
	urls  []string
	db    *database

	self     *meter        // harness usage over the measurement
	machine  *machineMeter // everything else on the machine
	dbMeter  *treeMeter    // the PostgreSQL server, when it can be measured
	measured bool
	// final is the measurement when endMeasure ended it before the
	// workload's checks.
	final *measurement
}

// measurement is what withServer attaches to a result.
type measurement struct {
	server, harness, db *Usage
	replicas            []*Usage
	others              *OtherCPU
}

// startServer creates a fresh database and starts the workload's herold
// serve processes on free ports, one after the other (the first migrates
// the database), waiting until each answers /readyz.
func startServer(ctx context.Context, e *env, o serverOptions) (*server, error) {
	n := cmp.Or(o.replicas, e.cfg.replicas, 1)
	db, err := e.dbs.create(ctx, o.name)
	if err != nil {
		return nil, err
	}
	s := &server{e: e, db: db}
	for i := range n {
		name := o.name
		if n > 1 {
			name = fmt.Sprintf("%s.r%d", o.name, i+1)
		}
		p, err := startProc(ctx, e, o, db, name)
		if err != nil {
			_ = s.stop(ctx)
			return nil, err
		}
		s.procs = append(s.procs, p)
		s.urls = append(s.urls, p.url)
	}
	s.url = s.urls[0]
	return s, nil
}

// startProc starts one herold serve process on a free port.
func startProc(ctx context.Context, e *env, o serverOptions, db *database, name string) (*proc, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	args := []string{"serve", "--addr", addr, "--database", db.arg,
		"--bootstrap-key", benchKey, "--log-level", "warn"}
	if o.smtpAddr != "" {
		host, sport, err := net.SplitHostPort(o.smtpAddr)
		if err != nil {
			return nil, err
		}
		args = append(args, "--smtp-host", host, "--smtp-port", sport, "--smtp-tls", "none", "--smtp-helo", "bench.localhost")
	}
	if e.cfg.cpuProfile {
		args = append(args, "--cpu-profile", filepath.Join(e.logDir, name+".cpu.prof"))
	}
	if e.cfg.memProfile {
		args = append(args, "--mem-profile", filepath.Join(e.logDir, name+".mem.prof"))
	}
	if e.cfg.serverSMTPConns > 0 {
		args = append(args, "--smtp-max-conns", strconv.Itoa(e.cfg.serverSMTPConns))
	}
	args = append(args, o.extra...)
	p := &proc{args: args, url: "http://" + addr, logPth: filepath.Join(e.logDir, name+".server.log")}
	logf, err := os.Create(p.logPth)
	if err != nil {
		return nil, err
	}
	p.log = logf
	if err := p.start(ctx, e.bin); err != nil {
		logf.Close()
		return nil, err
	}
	return p, nil
}

// start runs the process (again, after a kill: same port, same database,
// same log file) and waits until it is ready.
func (p *proc) start(ctx context.Context, bin string) error {
	fmt.Fprintf(p.log, "# %s %s\n", bin, strings.Join(p.args, " "))
	cmd := exec.Command(bin, p.args...)
	cmd.Stdout, cmd.Stderr = p.log, p.log
	// Own process group: a Ctrl-C in the terminal reaches only the harness,
	// which then stops the server in order. Pdeathsig kills the server if
	// the harness dies without stopping it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start herold: %w", err)
	}
	p.cmd, p.exited, p.err = cmd, make(chan struct{}), nil
	exited := p.exited
	go func() {
		p.err = cmd.Wait()
		close(exited)
	}()
	if err := p.waitReady(ctx, 60*time.Second); err != nil {
		_ = p.stop()
		return err
	}
	return nil
}

// freePort asks the kernel for a free port on 127.0.0.1.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// waitReady polls /readyz until it answers 200, the process exits or the
// timeout passes.
func (p *proc) waitReady(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	hc := &http.Client{Timeout: 2 * time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, "GET", p.url+"/readyz", nil)
		if resp, err := hc.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-p.exited:
			return fmt.Errorf("herold exited before it was ready (%v); see %s", p.err, p.logPth)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond): // the fault tests time restarts by it
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("herold not ready after %s; see %s", timeout, p.logPth)
		}
	}
}

// pid returns the process id.
func (p *proc) pid() int { return p.cmd.Process.Pid }

// kill ends the process with SIGKILL and waits for it (crash tests).
func (p *proc) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

// stop sends SIGTERM and waits for a graceful exit; after stopTimeout it
// kills the process. It returns an error when the exit was not clean.
// Stopping a stopped process returns its result again.
func (p *proc) stop() error {
	select {
	case <-p.exited:
		return p.exitError()
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
		return p.exitError()
	case <-time.After(stopTimeout):
		_ = p.cmd.Process.Kill()
		<-p.exited
		return fmt.Errorf("herold did not stop within %s after SIGTERM and was killed; see %s", stopTimeout, p.logPth)
	}
}

func (p *proc) exitError() error {
	if p.err != nil {
		return fmt.Errorf("herold exited with %v; see %s", p.err, p.logPth)
	}
	return nil
}

// measure starts measuring the servers', the harness's, the database's
// and the machine's CPU time and the servers' peak memory; withServer
// reads them when the workload ends.
func (s *server) measure() error {
	for _, p := range s.procs {
		m, err := startMeter(p.pid())
		if err != nil {
			return err
		}
		p.meter = m
	}
	var err error
	if s.self, err = startMeter(os.Getpid()); err != nil {
		return err
	}
	if pm := s.e.dbs.pm; pm > 0 {
		s.dbMeter, _ = startTreeMeter(pm)
	}
	s.machine, err = startMachineMeter()
	s.measured = err == nil
	return err
}

// usage returns the servers' usage since measure: summed over replicas
// (CPU seconds and percent add up; the peak RSS is the sum of each
// replica's peak, an upper bound of the peaks' coincidence) and per
// replica.
func (s *server) usage() (*Usage, []*Usage, error) {
	sum := &Usage{PeakSince: "measurement"}
	per := make([]*Usage, 0, len(s.procs))
	for _, p := range s.procs {
		if p.meter == nil {
			return nil, nil, fmt.Errorf("usage read before measure")
		}
		u, err := p.meter.read()
		if err != nil {
			return nil, nil, err
		}
		per = append(per, u)
		sum.CPUSeconds = round(sum.CPUSeconds+u.CPUSeconds, 2)
		sum.CPUPercent = round(sum.CPUPercent+u.CPUPercent, 1)
		sum.PeakRSSMiB = round(sum.PeakRSSMiB+u.PeakRSSMiB, 1)
		sum.StartRSSMiB = round(sum.StartRSSMiB+u.StartRSSMiB, 1)
		sum.WallSeconds = max(sum.WallSeconds, u.WallSeconds)
		if u.PeakSince != "measurement" {
			sum.PeakSince = u.PeakSince
		}
		if u.IO != nil {
			io := *u.IO
			if sum.IO != nil {
				io = io.add(*sum.IO)
			}
			sum.IO = &io
		}
	}
	return sum, per, nil
}

// stop stops every process (in parallel) and drops the database. It
// returns the first unclean exit.
func (s *server) stop(ctx context.Context) error {
	errs := make([]error, len(s.procs))
	var wg sync.WaitGroup
	for i, p := range s.procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = p.stop()
			p.log.Close()
		}()
	}
	wg.Wait()
	if err := s.db.drop(context.WithoutCancel(ctx)); err != nil {
		errs = append(errs, fmt.Errorf("drop database: %w", err))
	}
	return errors.Join(errs...)
}

// logs lists the processes' log files.
func (s *server) logs() string {
	var l []string
	for _, p := range s.procs {
		l = append(l, p.logPth)
	}
	return strings.Join(l, ", ")
}

// withServer starts the servers, runs fn, attaches the usage measured
// since fn called measure, and always stops the servers and drops the
// database.
func withServer(ctx context.Context, e *env, o serverOptions, fn func(s *server) (*Result, error)) (*Result, error) {
	s, err := startServer(ctx, e, o)
	if err != nil {
		return nil, err
	}
	stopped := false
	defer func() {
		if !stopped {
			_ = s.stop(ctx)
		}
	}()
	res, err := fn(s)
	if res != nil {
		s.annotate(res)
	}
	stopped = true
	t0 := time.Now()
	stopErr := s.stop(ctx)
	if res != nil {
		res.StopSeconds = round(time.Since(t0).Seconds(), 2)
		res.ServerLog = s.logs()
		if stopErr != nil {
			res.Notes = append(res.Notes, "server stop: "+stopErr.Error())
		}
	}
	return res, err
}

// annotate adds the database, the replicas and the measured usage.
func (s *server) annotate(res *Result) {
	res.Database = s.e.dbs.kind()
	res.ReplicaCount = len(s.procs)
	m := s.final
	if m == nil && s.measured {
		m = s.read()
	}
	if m == nil {
		return
	}
	res.Server, res.Harness, res.DatabaseCPU, res.Others = m.server, m.harness, m.db, m.others
	if len(m.replicas) > 1 {
		res.Replicas = m.replicas
	}
}

// endMeasure ends the measurement before the workload's own checks (which
// would otherwise count as the server's work).
func (s *server) endMeasure() {
	if s.measured {
		s.final = s.read()
	}
}

func (s *server) read() *measurement {
	m := &measurement{}
	m.server, m.replicas, _ = s.usage()
	m.harness, _ = s.self.read()
	if s.dbMeter != nil {
		m.db, _ = s.dbMeter.read()
	}
	m.others, _ = s.machine.others(m.server, m.harness, m.db)
	return m
}
