// Package postgres is the PostgreSQL driver of store.Store, for scale-out:
// any number of Herold replicas share one database. It uses pgx directly
// (a pgxpool), SQL in embedded .sql files and goose migrations, and passes
// the same conformance suite as the SQLite driver.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

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

func query(name string) string {
	s, ok := queries[name]
	if !ok {
		panic("postgres: unknown query " + name)
	}
	return s
}

// Options configure Open. Settings in the URL (pool_max_conns, …) win.
type Options struct {
	// MaxConns bounds the pool. Default 20.
	MaxConns int32
	// StatementTimeout cancels statements running longer. Default 60s; 0
	// keeps the default, a negative value disables it.
	StatementTimeout time.Duration
}

// Store is the PostgreSQL implementation of store.Store.
type Store struct {
	pool *pgxpool.Pool
	queriesImpl
}

var _ store.Store = (*Store)(nil)

// Open connects to the database at url (postgres://user:pass@host/db).
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("--database: %w (use postgres://user:password@host:5432/database)", err)
	}
	if _, set := cfg.ConnConfig.RuntimeParams["pool_max_conns"]; !set && opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	} else if !set && cfg.MaxConns < 20 {
		cfg.MaxConns = 20
	}
	timeout := opts.StatementTimeout
	if timeout == 0 {
		timeout = 60 * time.Second
	}
	if _, set := cfg.ConnConfig.RuntimeParams["statement_timeout"]; !set && timeout > 0 {
		cfg.ConnConfig.RuntimeParams["statement_timeout"] = strconv.FormatInt(timeout.Milliseconds(), 10)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to postgres %s:%d: %w", cfg.ConnConfig.Host, cfg.ConnConfig.Port, err)
	}
	return &Store{pool: pool, queriesImpl: queriesImpl{db: pool}}, nil
}

// Pool returns the connection pool, for River's riverpgxv5 driver.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Dialect implements store.Store.
func (s *Store) Dialect() string { return "postgres" }

// Ping implements store.Store.
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

// Close implements store.Store.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Migrate applies the embedded migrations. Concurrent replicas starting
// together are serialised by goose's advisory lock.
func (s *Store) Migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrationFS, "migrations")
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	db := stdlib.OpenDBFromPool(s.pool)
	defer db.Close()
	locker, err := newLocker()
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, sub,
		goose.WithTableName("herold_schema_version"), goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate postgres: %w", err)
	}
	return nil
}

// WithTx implements store.Store.
func (s *Store) WithTx(ctx context.Context, fn func(tx store.Tx) error) error {
	pgTx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	tx := &txStore{tx: pgTx, queriesImpl: queriesImpl{db: pgTx}}
	if err := fn(tx); err != nil {
		_ = pgTx.Rollback(context.WithoutCancel(ctx))
		return err
	}
	if err := pgTx.Commit(ctx); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("commit: %w", ctx.Err())
		}
		return mapErr(fmt.Errorf("commit: %w", err))
	}
	return nil
}

type txStore struct {
	tx pgx.Tx
	queriesImpl
}

// Raw implements store.Tx.
func (t *txStore) Raw() any { return t.tx }

// dbtx is what both *pgxpool.Pool and pgx.Tx offer.
type dbtx interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// queriesImpl implements store.Queries on a dbtx.
type queriesImpl struct {
	db dbtx
}

// mapErr turns driver errors into store errors.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrNotFound
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return fmt.Errorf("%w: %v", store.ErrConflict, err)
	}
	return err
}

// affected returns ErrNotFound when an UPDATE or DELETE touched no row.
func affected(tag pgconn.CommandTag, err error) error {
	if err != nil {
		return mapErr(err)
	}
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	return nil
}
