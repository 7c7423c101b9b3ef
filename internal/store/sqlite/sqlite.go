// Package sqlite is the embedded SQLite driver of store.Store, Herold's
// zero-set-up default. It uses modernc.org/sqlite (no cgo) in WAL mode.
// Every write transaction begins IMMEDIATE so that concurrent writers queue on
// the busy timeout instead of failing on a lock upgrade.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
	sqlitedrv "modernc.org/sqlite"

	"github.com/herold-dev/herold/internal/store"
	"github.com/herold-dev/herold/internal/store/sqlfile"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

//go:embed queries/*.sql
var queryFS embed.FS

var queries = mustLoad()

func mustLoad() map[string]string {
	q, err := sqlfile.Load(queryFS, "queries")
	if err != nil {
		panic(err) // the embedded files are part of the binary; tests catch this
	}
	return q
}

// q returns the named statement; an unknown name is a programming error.
func query(name string) string {
	s, ok := queries[name]
	if !ok {
		panic("sqlite: unknown query " + name)
	}
	return s
}

// Options configure Open.
type Options struct {
	// MaxOpenConns bounds the connection pool. Default 8: writes wait for
	// the gate (one at a time) holding a connection, and reads, Herold's
	// and River's, need theirs meanwhile.
	MaxOpenConns int
	// BusyTimeoutMillis is how long a writer waits for the lock. Default 10000.
	BusyTimeoutMillis int
}

// Store is the SQLite implementation of store.Store.
type Store struct {
	db    *sql.DB
	stmts *stmtCache
	// gate lets one write of the process run at a time (see gate).
	gate *gate
	queriesImpl
}

var _ store.Store = (*Store)(nil)

// Open creates the database file (and its directory) if needed and opens
// it. It does not migrate; call Migrate.
func Open(path string, opts Options) (*Store, error) {
	path = strings.TrimPrefix(path, "sqlite://")
	if path == "" {
		return nil, errors.New("open sqlite: empty database path")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create database directory: %w", err)
		}
	}
	busy := opts.BusyTimeoutMillis
	if busy <= 0 {
		busy = 10000
	}
	v := url.Values{}
	v.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busy))
	v.Add("_pragma", "journal_mode(WAL)")
	v.Add("_pragma", "synchronous(NORMAL)")
	v.Add("_pragma", "foreign_keys(1)")
	v.Add("_pragma", "mmap_size(1073741824)")
	v.Set("_txlock", "immediate")
	connector, err := sqlitedrv.NewConnector("file:" + path + "?" + v.Encode())
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	g := newGate(time.Duration(busy) * time.Millisecond)
	db := sql.OpenDB(&gatedConnector{inner: connector, gate: g})
	conns := opts.MaxOpenConns
	if conns <= 0 {
		conns = 8
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	if err := db.Ping(); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	stmts := &stmtCache{db: db, m: map[string]*sql.Stmt{}}
	rows := newMultiRow()
	return &Store{db: db, gate: g, stmts: stmts, queriesImpl: queriesImpl{db: poolExec{stmts}, rows: rows}}, nil
}

// DB returns the connection pool, for River's riversqlite driver.
func (s *Store) DB() *sql.DB { return s.db }

// Dialect implements store.Store.
func (s *Store) Dialect() string { return "sqlite" }

// Ping implements store.Store.
func (s *Store) Ping(ctx context.Context) error { return s.db.PingContext(ctx) }

// Close implements store.Store.
func (s *Store) Close() error {
	s.stmts.close()
	return s.db.Close()
}

// Migrate applies the embedded migrations.
func (s *Store) Migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrationFS, "migrations")
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, s.db, sub, goose.WithTableName("herold_schema_version"))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate sqlite: %w", err)
	}
	return nil
}

// WithTx implements store.Store.
func (s *Store) WithTx(ctx context.Context, fn func(tx store.Tx) error) error {
	// Herold's transactions pass the gate before they take a connection,
	// so the many that wait (delivery jobs, ingest) hold none.
	if err := s.gate.acquire(ctx); err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer s.gate.release()
	sqlTx, err := s.db.BeginTx(context.WithValue(ctx, gateHeld{}, true), nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	tx := &txStore{tx: sqlTx, queriesImpl: queriesImpl{db: txExec{s.stmts, sqlTx}, rows: s.rows}}
	if err := fn(tx); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		if ctx.Err() != nil {
			// database/sql rolled back when ctx ended; say so.
			return fmt.Errorf("commit: %w", ctx.Err())
		}
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

type txStore struct {
	tx *sql.Tx
	queriesImpl
}

// Raw implements store.Tx.
func (t *txStore) Raw() any { return t.tx }

// dbtx is what both *sql.DB and *sql.Tx offer.
type dbtx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// queriesImpl implements store.Queries on a dbtx.
type queriesImpl struct {
	db   dbtx
	rows *multiRow
}
