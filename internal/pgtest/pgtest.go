// Package pgtest gives tests a fresh PostgreSQL database on the server named
// by HEROLD_TEST_POSTGRES (make test starts a private one). Without it the
// tests skip with one line saying how to run them, unless
// HEROLD_REQUIRE_POSTGRES=1 makes that a failure (as in CI).
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL is the variable naming the test server.
const EnvURL = "HEROLD_TEST_POSTGRES"

// ServerURL returns the test server's URL or skips the test.
func ServerURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvURL)
	if u == "" {
		if os.Getenv("HEROLD_REQUIRE_POSTGRES") == "1" {
			t.Fatalf("%s is not set but HEROLD_REQUIRE_POSTGRES=1", EnvURL)
		}
		t.Skipf("PostgreSQL tests skipped: set %s=postgres://... or run `make test`, which starts a private server", EnvURL)
	}
	return u
}

// NewDatabase creates an empty database for one test and drops it when the
// test ends; it returns the database's URL.
func NewDatabase(t testing.TB) string {
	t.Helper()
	server := ServerURL(t)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "herold_test_" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		t.Fatalf("connect to %s: %v", EnvURL, err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, server)
		if err != nil {
			return
		}
		defer conn.Close(context.Background())
		_, _ = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvURL, err)
	}
	u.Path = "/" + name
	return u.String()
}

// Server is a private PostgreSQL server in its own temporary directory:
// initdb with trust authentication for the user herold, loopback only, on a
// free port, fsync and synchronous commit off (test and benchmark data, not
// durable). As root its programs run as the user postgres. It needs
// PostgreSQL's server programs, which make test installs.
type Server struct {
	bin  string
	dir  string
	port int
	root bool
}

// NewServer initialises a server in a new temporary directory named after
// prefix; Start runs it, Remove stops it and deletes its files.
func NewServer(prefix string) (*Server, error) {
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		return nil, fmt.Errorf("PostgreSQL server programs not found under /usr/lib/postgresql; install postgresql (make test does)")
	}
	sort.Strings(bins)
	s := &Server{bin: filepath.Dir(bins[len(bins)-1]), root: os.Geteuid() == 0}
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		return nil, err
	}
	s.dir = dir
	if s.root {
		if out, err := exec.Command("chown", "postgres", dir).CombinedOutput(); err != nil {
			s.Remove()
			return nil, fmt.Errorf("chown %s: %w: %s", dir, err, out)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		s.Remove()
		return nil, err
	}
	s.port = ln.Addr().(*net.TCPAddr).Port
	_ = ln.Close()
	if err := s.pg("initdb", "-D", s.DataDir(), "-U", "herold", "--auth=trust", "-E", "UTF8", "--no-locale"); err != nil {
		s.Remove()
		return nil, fmt.Errorf("initdb: %w", err)
	}
	return s, nil
}

// DataDir is the server's data directory.
func (s *Server) DataDir() string { return filepath.Join(s.dir, "data") }

// URL is the server's URL (database postgres).
func (s *Server) URL() string {
	return fmt.Sprintf("postgres://herold@127.0.0.1:%d/postgres?sslmode=disable", s.port)
}

// Start starts the server and waits until it accepts connections.
func (s *Server) Start() error {
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off", s.port, s.dir)
	if err := s.pg("pg_ctl", "-D", s.DataDir(), "-l", filepath.Join(s.dir, "log"), "-w", "-o", opts, "start"); err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	return nil
}

// Stop stops the server, cutting every connection (fast shutdown).
func (s *Server) Stop() error {
	if err := s.pg("pg_ctl", "-D", s.DataDir(), "-m", "fast", "-w", "stop"); err != nil {
		return fmt.Errorf("stop postgres: %w", err)
	}
	return nil
}

// Remove stops the server at once, if it runs, and deletes its files.
func (s *Server) Remove() {
	_ = s.pg("pg_ctl", "-D", s.DataDir(), "-m", "immediate", "-w", "stop")
	_ = os.RemoveAll(s.dir)
}

func (s *Server) pg(prog string, args ...string) error {
	name := filepath.Join(s.bin, prog)
	var cmd *exec.Cmd
	if s.root {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", name}, args...)...)
	} else {
		cmd = exec.Command(name, args...)
	}
	cmd.Dir = "/" // postgres may not read the caller's working directory
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w: %s", prog, err, out)
	}
	return nil
}

// Cluster is a private PostgreSQL server a test may stop and start.
type Cluster struct {
	t   testing.TB
	srv *Server
}

// StartCluster initialises and starts a private server in a temporary
// directory (for tests that restart the database); it is removed when the
// test ends.
func StartCluster(t testing.TB) *Cluster {
	t.Helper()
	ServerURL(t) // skip when PostgreSQL tests are off
	srv, err := NewServer("herold-pgcluster-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Remove)
	c := &Cluster{t: t, srv: srv}
	c.Start()
	return c
}

// URL is the server's URL (database postgres).
func (c *Cluster) URL() string { return c.srv.URL() }

// Start starts the server and waits until it accepts connections.
func (c *Cluster) Start() {
	c.t.Helper()
	if err := c.srv.Start(); err != nil {
		c.t.Fatal(err)
	}
}

// Stop stops the server, cutting every connection (fast shutdown).
func (c *Cluster) Stop() {
	c.t.Helper()
	if err := c.srv.Stop(); err != nil {
		c.t.Fatal(err)
	}
}
