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
	"log/slog"
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
	// CheckpointInterval is how often, at most, a background connection
	// copies the write-ahead log back into the database file while the
	// writer writes (see checkpointer); the writer itself never does.
	// Default 100ms.
	CheckpointInterval time.Duration
	// WALLimitPages bounds the write-ahead log: past it the checkpointer
	// waits briefly for readers that hold old pages so that it can start
	// the log again, and a log that grew is cut back to this size when it
	// restarts. Default 16384 (64 MiB of 4 KiB pages).
	WALLimitPages int
	// Logger receives the checkpointer's warnings. Default slog.Default().
	Logger *slog.Logger
	// MustExist refuses a path where there is no database yet (with
	// ErrNoDatabase) instead of creating it: for commands that work on
	// an existing database, where a new one would only hide a wrong path.
	MustExist bool

	// onCheckpoint, when set (tests), is told of each checkpoint.
	onCheckpoint func(mode string, busy bool, frames, copied int)
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
	ckpt   *checkpointer
	queriesImpl

	closeOnce sync.Once
	closeErr  error
	lock      *os.File // see LockForServe
}

var _ store.Store = (*Store)(nil)

// ErrNoDatabase is Open's error for a path without a database when
// Options.MustExist is set.
var ErrNoDatabase = errors.New("no database")

// Open creates the database file (and its directory) if needed and opens
// it. It does not migrate; call Migrate.
func Open(path string, opts Options) (*Store, error) {
	path = strings.TrimPrefix(path, "sqlite://")
	if path == "" {
		return nil, errors.New("open sqlite: empty database path")
	}
	switch fi, err := os.Stat(path); {
	case errors.Is(err, fs.ErrNotExist) && opts.MustExist:
		return nil, fmt.Errorf("%w at %s", ErrNoDatabase, path)
	case err == nil && fi.IsDir():
		return nil, fmt.Errorf("open sqlite %s: a directory, not a database file (for example %s)", path, filepath.Join(path, "herold.db"))
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create database directory: %w", err)
		}
	}
	wdb, err := openConn(path, opts, connWriter, 1)
	if err != nil {
		return nil, err
	}
	rdb, err := openConn(path, opts, connRead, cmp.Or(opts.ReadConns, 8))
	if err != nil {
		_ = wdb.Close()
		return nil, err
	}
	ckpt, err := newCheckpointer(path, opts)
	if err != nil {
		_ = wdb.Close()
		_ = rdb.Close()
		return nil, err
	}
	ckpt.start()
	rows := newMultiRow()
	rstmts := &stmtCache{db: rdb, m: map[string]*sql.Stmt{}}
	w := newWriter(wdb, &stmtCache{db: wdb, m: map[string]*sql.Stmt{}}, rows, opts.ObserveGroup, ckpt)
	return &Store{path: path, wdb: wdb, rdb: rdb, rstmts: rstmts, writer: w, ckpt: ckpt,
		queriesImpl: queriesImpl{db: poolExec{rstmts}, rows: rows}}, nil
}

// connKind says what a pool of connections is for.
type connKind int

const (
	// connWriter is the writer's one connection (it also switches the
	// file to WAL mode); it never checkpoints.
	connWriter connKind = iota
	// connRead is a read-only connection.
	connRead
	// connCheckpoint is the checkpointer's connection.
	connCheckpoint
	// connMigrate is a connection of goose's, which writes and
	// checkpoints as SQLite does by default.
	connMigrate
)

// openConn opens conns connections of kind to path.
func openConn(path string, opts Options, kind connKind, conns int) (*sql.DB, error) {
	v := url.Values{}
	busy := cmp.Or(opts.BusyTimeoutMillis, 10000)
	if kind == connCheckpoint {
		busy = int(walLimitWait / time.Millisecond) // see checkpointer
	}
	v.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busy))
	switch kind {
	case connRead:
		v.Add("_pragma", "query_only(1)")
	case connWriter, connMigrate:
		if kind == connWriter {
			v.Add("_pragma", "wal_autocheckpoint(0)") // see checkpointer
			// The writer starts the log again once it is copied
			// back; a log that grew past the limit is cut back to it
			// then.
			v.Add("_pragma", fmt.Sprintf("journal_size_limit(%d)", int64(cmp.Or(opts.WALLimitPages, defaultWALLimitPages))*4096))
		}
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
		s.closeErr = errors.Join(s.ckpt.close(), s.wdb.Close(), s.rdb.Close())
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
	db, err := openConn(s.path, Options{}, connMigrate, 2)
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
