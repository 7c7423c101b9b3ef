package main

import (
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

// serverOptions configure one herold serve process.
type serverOptions struct {
	// name names the database directory and the log file (the workload).
	name string
	// smtpAddr is the sink's host:port; empty uses the capture mailbox.
	smtpAddr string
	// extra are more flags for herold serve.
	extra []string
}

// server is a running herold serve process.
type server struct {
	cmd    *exec.Cmd
	url    string
	log    *os.File
	logPth string
	exited chan struct{}
	err    error // the process's exit, valid once exited is closed

	meter   *meter        // server usage, from measure()
	self    *meter        // harness usage over the same window
	machine *machineMeter // everything else on the machine
}

// startServer starts herold serve on a free port with a fresh database
// and waits until /readyz answers.
func startServer(ctx context.Context, e *env, o serverOptions) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	dbDir := filepath.Join(e.tmp, o.name)
	if err := os.MkdirAll(dbDir, 0o755); err != nil {
		return nil, err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	args := []string{"serve", "--addr", addr, "--database", filepath.Join(dbDir, "herold.db"),
		"--bootstrap-key", benchKey, "--log-level", "warn"}
	if o.smtpAddr != "" {
		host, sport, err := net.SplitHostPort(o.smtpAddr)
		if err != nil {
			return nil, err
		}
		args = append(args, "--smtp-host", host, "--smtp-port", sport, "--smtp-tls", "none", "--smtp-helo", "bench.localhost")
	}
	if e.cfg.serverWorkers > 0 {
		args = append(args, "--workers", strconv.Itoa(e.cfg.serverWorkers))
	}
	if e.cfg.serverSMTPConns > 0 {
		args = append(args, "--smtp-max-conns", strconv.Itoa(e.cfg.serverSMTPConns))
	}
	args = append(args, o.extra...)

	logPath := filepath.Join(e.logDir, o.name+".server.log")
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(logf, "# %s %s\n", e.bin, strings.Join(args, " "))
	cmd := exec.Command(e.bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	// Own process group: a Ctrl-C in the terminal reaches only the harness,
	// which then stops the server in order. Pdeathsig kills the server if
	// the harness dies without stopping it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start herold: %w", err)
	}
	s := &server{cmd: cmd, url: "http://" + addr, log: logf, logPth: logPath, exited: make(chan struct{})}
	go func() {
		s.err = cmd.Wait()
		close(s.exited)
	}()
	if err := s.waitReady(ctx, 60*time.Second); err != nil {
		_ = s.stop()
		return nil, err
	}
	return s, nil
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
func (s *server) waitReady(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	hc := &http.Client{Timeout: 2 * time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, "GET", s.url+"/readyz", nil)
		if resp, err := hc.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-s.exited:
			return fmt.Errorf("herold exited before it was ready (%v); see %s", s.err, s.logPth)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("herold not ready after %s; see %s", timeout, s.logPth)
		}
	}
}

// pid returns the server's process id.
func (s *server) pid() int { return s.cmd.Process.Pid }

// measure starts measuring the server's and the harness's CPU time and
// peak memory; withServer reads them when the workload ends.
func (s *server) measure() error {
	var err error
	if s.meter, err = startMeter(s.pid()); err != nil {
		return err
	}
	if s.self, err = startMeter(os.Getpid()); err != nil {
		return err
	}
	s.machine, err = startMachineMeter()
	return err
}

// stop sends SIGTERM and waits for a graceful exit; after stopTimeout it
// kills the process. It returns an error when the exit was not clean.
// Stopping a stopped server returns its first result again.
func (s *server) stop() error {
	defer s.log.Close()
	select {
	case <-s.exited:
		return s.exitError()
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
		return s.exitError()
	case <-time.After(stopTimeout):
		_ = s.cmd.Process.Kill()
		<-s.exited
		return fmt.Errorf("herold did not stop within %s after SIGTERM and was killed; see %s", stopTimeout, s.logPth)
	}
}

func (s *server) exitError() error {
	if s.err != nil {
		return fmt.Errorf("herold exited with %v; see %s", s.err, s.logPth)
	}
	return nil
}

// withServer starts a server, runs fn, attaches the usage measured since
// fn called measure, and always stops the server.
func withServer(ctx context.Context, e *env, o serverOptions, fn func(s *server) (*Result, error)) (*Result, error) {
	s, err := startServer(ctx, e, o)
	if err != nil {
		return nil, err
	}
	stopped := false
	defer func() {
		if !stopped {
			_ = s.stop()
		}
	}()
	res, err := fn(s)
	if res != nil && s.meter != nil {
		if u, uerr := s.meter.read(); uerr == nil {
			res.Server = u
		}
		if u, uerr := s.self.read(); uerr == nil {
			res.Harness = u
		}
		res.Others, _ = s.machine.others(res.Server, res.Harness)
	}
	stopped = true
	t0 := time.Now()
	stopErr := s.stop()
	if res != nil {
		res.StopSeconds = round(time.Since(t0).Seconds(), 2)
		res.ServerLog = s.logPth
		if stopErr != nil {
			res.Notes = append(res.Notes, "server stop: "+stopErr.Error())
		}
	}
	return res, err
}
