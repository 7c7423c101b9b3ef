package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/herold-dev/herold/internal/pgtest"
)

// databases hands out one fresh database per workload: a SQLite file in
// the run's temporary directory, or a new database on the PostgreSQL
// server of -postgres (created with CREATE DATABASE and dropped after the
// workload).
type databases struct {
	tmp  string
	keep bool
	// admin is the PostgreSQL server's URL; empty for SQLite.
	admin string
	// pm is the server's postmaster pid when it runs on this machine and
	// the harness may read its data directory (0: unknown); its process
	// tree's CPU is measured as "database CPU".
	pm  int
	seq atomic.Int64
	// cluster is the private server of -postgres auto (the one tests
	// restart, see internal/pgtest).
	cluster *pgtest.Server
}

// database is one workload's database.
type database struct {
	dbs *databases
	// arg is what herold serve gets as --database.
	arg string
	// name is the PostgreSQL database's name ("" for SQLite).
	name string
}

// postgres reports whether the workloads run on PostgreSQL.
func (d *databases) postgres() bool { return d.admin != "" }

// kind describes the database for the report.
func (d *databases) kind() string {
	if d.postgres() {
		return "postgres"
	}
	return "sqlite"
}

// create makes the database of the workload called name.
func (d *databases) create(ctx context.Context, name string) (*database, error) {
	if !d.postgres() {
		dir := filepath.Join(d.tmp, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		return &database{dbs: d, arg: filepath.Join(dir, "herold.db")}, nil
	}
	db := fmt.Sprintf("herold_bench_%d_%d_%s", os.Getpid(), d.seq.Add(1), sanitize(name))
	if err := d.exec(ctx, "CREATE DATABASE "+db); err != nil {
		return nil, fmt.Errorf("create database %s: %w", db, err)
	}
	u, err := url.Parse(d.admin)
	if err != nil {
		return nil, err
	}
	u.Path = "/" + db
	return &database{dbs: d, arg: u.String(), name: db}, nil
}

// drop removes a PostgreSQL database (SQLite files go with the temporary
// directory); -keep keeps it.
func (db *database) drop(ctx context.Context) error {
	if db.name == "" || db.dbs.keep {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	return db.dbs.exec(ctx, "DROP DATABASE IF EXISTS "+db.name+" WITH (FORCE)")
}

func (d *databases) exec(ctx context.Context, sql string) error {
	conn, err := pgx.Connect(ctx, d.admin)
	if err != nil {
		return fmt.Errorf("connect to -postgres: %w", err)
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql)
	return err
}

// findPostmaster asks the server for its data directory and reads the
// postmaster's pid from it, so that the server's CPU can be measured. It
// works only for a server on this machine that lets the harness read
// data_directory (a superuser or pg_read_all_settings) and its files.
func (d *databases) findPostmaster(ctx context.Context) int {
	conn, err := pgx.Connect(ctx, d.admin)
	if err != nil {
		return 0
	}
	defer conn.Close(context.Background())
	var dir string
	if err := conn.QueryRow(ctx, "SHOW data_directory").Scan(&dir); err != nil {
		return 0
	}
	return postmasterPID(dir)
}

// postmasterPID reads the first line of DIR/postmaster.pid.
func postmasterPID(dataDir string) int {
	b, err := os.ReadFile(filepath.Join(dataDir, "postmaster.pid"))
	if err != nil {
		return 0
	}
	first, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil {
		return 0
	}
	return pid
}

var notIdent = regexp.MustCompile(`[^a-z0-9_]+`)

// sanitize turns a workload name into a part of an SQL identifier.
func sanitize(s string) string { return notIdent.ReplaceAllString(strings.ToLower(s), "_") }

// openDatabases resolves -postgres: nothing (SQLite), a URL, or "auto"
// (a private server, stopped by close).
func openDatabases(ctx context.Context, cfg *config, tmp string) (*databases, error) {
	d := &databases{tmp: tmp, keep: cfg.keep}
	switch cfg.postgres {
	case "":
		return d, nil
	case "auto":
		c, err := pgtest.NewServer("herold-bench-pg-")
		if err != nil {
			return nil, fmt.Errorf("-postgres auto: %w (or pass a URL)", err)
		}
		if err := c.Start(); err != nil {
			c.Remove()
			return nil, fmt.Errorf("-postgres auto: %w", err)
		}
		fmt.Fprintf(os.Stderr, "bench: started PostgreSQL at %s (data in %s)\n", c.URL(), c.DataDir())
		d.admin, d.pm, d.cluster = c.URL(), postmasterPID(c.DataDir()), c
	default:
		d.admin = cfg.postgres
		d.pm = d.findPostmaster(ctx)
	}
	if err := d.exec(ctx, "SELECT 1"); err != nil {
		d.close()
		return nil, err
	}
	return d, nil
}

// close stops a private server.
func (d *databases) close() {
	if d.cluster != nil && !d.keep {
		d.cluster.Remove()
	}
}
