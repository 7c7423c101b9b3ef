package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
)

// pgCluster is a private PostgreSQL server for -postgres auto, set up like
// internal/pgtest's StartCluster (which needs a testing.TB): initdb into a
// temporary directory, trust authentication for the user herold, loopback
// only, fsync and synchronous commit off (a benchmark database, not a
// durable one). As root the programs run as the user postgres.
type pgCluster struct {
	bin  string
	dir  string
	port int
	root bool
	// pid is the postmaster's process id.
	pid int
}

// startPGCluster initialises and starts a server on a free port.
func startPGCluster() (*pgCluster, error) {
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		return nil, fmt.Errorf("-postgres auto: no PostgreSQL server programs under /usr/lib/postgresql (install postgresql, or pass a URL)")
	}
	sort.Strings(bins)
	c := &pgCluster{bin: filepath.Dir(bins[len(bins)-1]), root: os.Geteuid() == 0}
	dir, err := os.MkdirTemp("", "herold-bench-pg-")
	if err != nil {
		return nil, err
	}
	c.dir = dir
	if c.root {
		if out, err := exec.Command("chown", "postgres", dir).CombinedOutput(); err != nil {
			_ = os.RemoveAll(dir)
			return nil, fmt.Errorf("chown %s: %w: %s", dir, err, out)
		}
	}
	if c.port, err = freePort(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	data := filepath.Join(dir, "data")
	if err := c.pg("initdb", "-D", data, "-U", "herold", "--auth=trust", "-E", "UTF8", "--no-locale"); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off",
		c.port, dir)
	if err := c.pg("pg_ctl", "-D", data, "-l", filepath.Join(dir, "log"), "-w", "-o", opts, "start"); err != nil {
		c.stop()
		return nil, err
	}
	c.pid = postmasterPID(data)
	return c, nil
}

// URL is the server's URL (database postgres).
func (c *pgCluster) URL() string {
	return fmt.Sprintf("postgres://herold@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

// stop stops the server at once and removes its files.
func (c *pgCluster) stop() {
	_ = c.pg("pg_ctl", "-D", filepath.Join(c.dir, "data"), "-m", "immediate", "-w", "stop")
	_ = os.RemoveAll(c.dir)
}

func (c *pgCluster) pg(prog string, args ...string) error {
	name := filepath.Join(c.bin, prog)
	var cmd *exec.Cmd
	if c.root {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", name}, args...)...)
	} else {
		cmd = exec.Command(name, args...)
	}
	cmd.Dir = "/" // postgres may not read the harness's working directory
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w: %s", prog, err, out)
	}
	return nil
}
