// Package sqlite is the embedded SQLite driver of store.Store, Herold's
// zero-set-up default. It uses modernc.org/sqlite (no cgo) in WAL mode with
// one writing connection, owned by a goroutine that commits the writes of
// concurrent callers together (see writer), and a pool of read-only
// connections.
package sqlite

import (
	"cmp"
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
	"sync"
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
	// ReadConns bounds the pool of read-only connections. Default 8.
	ReadConns int
	// BusyTimeoutMillis is how long a write waits for another process
	// (an admin's `herold` command on the same file) to finish its
	// write. Within the process there is one writer, which never waits
	// for a lock. Default 10000.
	BusyTimeoutMillis int
	// ObserveGroup, when set, is told of every group commit of the
	// writer: how many transactions it held and how long it took from
	// BEGIN to the end of COMMIT (for the write-batch metrics).
	ObserveGroup func(n int, d time.Duration)
}

// Store is the SQLite implementation of store.Store: one writing
// connection owned by the writer (see writer) and a pool of read-only
// connections for everything else.
type Store struct {
	path   string
	wdb    *sql.DB // the one writing connection, shared with River
	rdb    *sql.DB // read-only connections
	rstmts *stmtCache
	writer *writer
	queriesImpl

	closeOnce sync.Once
	closeErr  error
	lock      *os.File // see LockForServe
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
	wdb, err := openPool(path, opts, false, 1)
	if err != nil {
		return nil, err
	}
	rdb, err := openPool(path, opts, true, cmp.Or(opts.ReadConns, 8))
	if err != nil {
		_ = wdb.Close()
		return nil, err
	}
	rows := newMultiRow()
	rstmts := &stmtCache{db: rdb, m: map[string]*sql.Stmt{}}
	w := newWriter(wdb, &stmtCache{db: wdb, m: map[string]*sql.Stmt{}}, rows, opts.ObserveGroup)
	return &Store{path: path, wdb: wdb, rdb: rdb, rstmts: rstmts, writer: w,
		queriesImpl: queriesImpl{db: poolExec{rstmts}, rows: rows}}, nil
}

// openPool opens conns connections to path: the writer's one (which also
// switches the file to WAL mode) or read-only ones.
func openPool(path string, opts Options, readOnly bool, conns int) (*sql.DB, error) {
	v := url.Values{}
	v.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", cmp.Or(opts.BusyTimeoutMillis, 10000)))
	if readOnly {
		v.Add("_pragma", "query_only(1)")
	} else {
		v.Add("_pragma", "journal_mode(WAL)")
		v.Set("_txlock", "immediate")
		// Every caller of a group runs in a savepoint, which saves each
		// page it changes first: in memory, not in a temporary file.
		v.Add("_pragma", "temp_store(MEMORY)")
		// The writer reads the pages it changes again and again (the
		// tail of each table and index): keep 16 MiB of them.
		v.Add("_pragma", "cache_size(-16384)")
	}
	v.Add("_pragma", "synchronous(NORMAL)")
	v.Add("_pragma", "foreign_keys(1)")
	connector, err := sqlitedrv.NewConnector("file:" + path + "?" + v.Encode())
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	db := sql.OpenDB(connector)
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	if err := db.Ping(); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return db, nil
}

// DB returns the writer's pool of one connection, for River's riversqlite
// driver: River's writes then take their turns on the same connection as
// Herold's.
func (s *Store) DB() *sql.DB { return s.wdb }

// Path returns the database file.
func (s *Store) Path() string { return s.path }

// Dialect implements store.Store.
func (s *Store) Dialect() string { return "sqlite" }

// Ping implements store.Store.
func (s *Store) Ping(ctx context.Context) error { return s.rdb.PingContext(ctx) }

// Close implements store.Store: the writer finishes its group, then both
// pools close.
func (s *Store) Close() error {
	s.writer.close()
	s.closeOnce.Do(func() {
		s.rstmts.close()
		s.writer.stmts.close()
		s.closeErr = errors.Join(s.wdb.Close(), s.rdb.Close())
		if s.lock != nil {
			s.closeErr = errors.Join(s.closeErr, s.lock.Close())
		}
	})
	return s.closeErr
}

// Migrate applies the embedded migrations. It runs on a connection of its
// own (goose holds one while it asks for another), before the writer has
// anything to do.
func (s *Store) Migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrationFS, "migrations")
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	db, err := openPool(s.path, Options{}, false, 2)
	if err != nil {
		return err
	}
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectSQLite3, db, sub, goose.WithTableName("herold_schema_version"))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate sqlite: %w", err)
	}
	s.writer.stmts.warm(ctx)
	return nil
}

// WithTx implements store.Store: fn runs in the writer's next group
// transaction (see writer). fn must not call WithTx or a writing method of
// the Store itself: the writer is busy with fn until it returns.
func (s *Store) WithTx(ctx context.Context, fn func(tx store.Tx) error) error {
	return s.writer.withTx(ctx, fn)
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
