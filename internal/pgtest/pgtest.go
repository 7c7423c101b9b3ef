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

// Cluster is a private PostgreSQL server a test may stop and start.
type Cluster struct {
	t    testing.TB
	bin  string
	dir  string
	port int
	root bool
}

// StartCluster initialises and starts a private server in a temporary
// directory (for tests that restart the database). It needs PostgreSQL's
// server programs, which make test installs.
func StartCluster(t testing.TB) *Cluster {
	t.Helper()
	ServerURL(t) // skip when PostgreSQL tests are off
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		t.Fatalf("PostgreSQL server programs not found under /usr/lib/postgresql; run make test")
	}
	sort.Strings(bins)
	c := &Cluster{t: t, bin: filepath.Dir(bins[len(bins)-1]), root: os.Geteuid() == 0}
	dir, err := os.MkdirTemp("", "herold-pgcluster-")
	if err != nil {
		t.Fatal(err)
	}
	c.dir = dir
	if c.root {
		if out, err := exec.Command("chown", "postgres", dir).CombinedOutput(); err != nil {
			t.Fatalf("chown %s: %v: %s", dir, err, out)
		}
	}
	t.Cleanup(func() {
		_ = c.pg("pg_ctl", "-D", c.data(), "-m", "immediate", "stop")
		_ = os.RemoveAll(dir)
	})
	c.port = freePort(t)
	if err := c.pg("initdb", "-D", c.data(), "-U", "herold", "--auth=trust", "-E", "UTF8", "--no-locale"); err != nil {
		t.Fatalf("initdb: %v", err)
	}
	c.Start()
	return c
}

func (c *Cluster) data() string { return filepath.Join(c.dir, "data") }

func (c *Cluster) pg(prog string, args ...string) error {
	name := filepath.Join(c.bin, prog)
	var cmd *exec.Cmd
	if c.root {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", name}, args...)...)
	} else {
		cmd = exec.Command(name, args...)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w: %s", prog, err, out)
	}
	return nil
}

// URL is the server's URL (database postgres).
func (c *Cluster) URL() string {
	return fmt.Sprintf("postgres://herold@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

// Start starts the server and waits until it accepts connections.
func (c *Cluster) Start() {
	c.t.Helper()
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off -c synchronous_commit=off", c.port, c.dir)
	if err := c.pg("pg_ctl", "-D", c.data(), "-l", filepath.Join(c.dir, "log"), "-w", "-o", opts, "start"); err != nil {
		c.t.Fatalf("start postgres: %v", err)
	}
}

// Stop stops the server, cutting every connection (fast shutdown).
func (c *Cluster) Stop() {
	c.t.Helper()
	if err := c.pg("pg_ctl", "-D", c.data(), "-m", "fast", "-w", "stop"); err != nil {
		c.t.Fatalf("stop postgres: %v", err)
	}
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
