// Package jobs runs Herold's periodic work on River, over the same database
// as everything else: expiring confirmations, the retention purge and
// queueing the runs of due schedules run as River periodic jobs, which
// River's leader election keeps single across replicas. Messages are not
// River jobs: they are their own delivery queue (see package delivery).
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/herold-dev/herold/internal/store"
)

// Handler does the work the jobs stand for; the service implements it.
type Handler interface {
	// RunDue does the time-driven work that is due (expiring
	// unanswered confirmations, …; see service.RunDue).
	RunDue(ctx context.Context) error
	// Purge deletes events and messages past their retention.
	Purge(ctx context.Context) error
	// RunDueSchedules queues runs of the schedules whose time has come.
	RunDueSchedules(ctx context.Context) error
	// CloseDigests turns the digests whose window has passed into
	// their messages.
	CloseDigests(ctx context.Context) error
}

// Config tunes the job system.
type Config struct {
	// Workers is the number of periodic jobs run at once. Default 4.
	Workers int
	// FetchCooldown and FetchPollInterval tune how fast new jobs are
	// picked up: inserts notify the fetcher (on SQLite through a table
	// River's listener reads every 50 ms), and the poll is the fallback.
	// Only periodic jobs run on River, so the defaults are slow: 100 ms
	// and 1 s (each poll is a write on SQLite).
	FetchCooldown     time.Duration
	FetchPollInterval time.Duration
	// ExpireEvery, PurgeEvery and ScheduleEvery schedule the periodic
	// jobs. Defaults 1 min, 1 h and 30 s.
	ExpireEvery   time.Duration
	PurgeEvery    time.Duration
	ScheduleEvery time.Duration
	// DigestEvery is how often due digests are closed: a digest's
	// message is queued at most this long after its window ends.
	// Default 15 s.
	DigestEvery time.Duration
	// JobTimeout cancels a job running longer. Default 5 min (delivery
	// batches and schedule-run slices stay well below it).
	JobTimeout time.Duration
	// RescueAfter is how long a job may run before River assumes its
	// worker died and runs it again; it must exceed JobTimeout. Default
	// 10 min.
	RescueAfter time.Duration
	// InsertOnly builds a client that queues jobs but never works them
	// (tests of crash safety).
	InsertOnly bool
	Logger     *slog.Logger
}

// Jobs is the River client with Herold's workers.
type Jobs struct {
	client  riverClient
	handler *handlerRef
	insert  bool
	logger  *slog.Logger
}

// riverClient hides the transaction type River's client is generic over
// (*sql.Tx for SQLite, pgx.Tx for PostgreSQL).
type riverClient interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	StopAndCancel(ctx context.Context) error
	insertTx(ctx context.Context, tx store.Tx, args river.JobArgs, opts *river.InsertOpts) error
}

type client[TTx any] struct{ *river.Client[TTx] }

func (c client[TTx]) insertTx(ctx context.Context, tx store.Tx, args river.JobArgs, opts *river.InsertOpts) error {
	t, ok := tx.Raw().(TTx)
	if !ok {
		return fmt.Errorf("jobs: a %T transaction does not fit this job system", tx.Raw())
	}
	_, err := c.InsertTx(ctx, t, args, opts)
	return err
}

// handlerRef lets the workers be registered before the handler exists (the
// service needs the queue to be built).
type handlerRef struct{ h Handler }

func (r *handlerRef) get() (Handler, error) {
	if r.h == nil {
		return nil, errors.New("jobs: no handler set")
	}
	return r.h, nil
}

// MigrateSQLite creates or updates River's tables in a SQLite database.
func MigrateSQLite(ctx context.Context, db *sql.DB) error {
	m, err := rivermigrate.New(riversqlite.New(db), nil)
	if err != nil {
		return fmt.Errorf("river migrator: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrate river tables: %w", err)
	}
	return nil
}

// MigratePostgres creates or updates River's tables in a PostgreSQL
// database.
func MigratePostgres(ctx context.Context, pool *pgxpool.Pool) error {
	m, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		return fmt.Errorf("river migrator: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrate river tables: %w", err)
	}
	return nil
}

// NewSQLite builds the job system on a SQLite database.
func NewSQLite(db *sql.DB, cfg Config) (*Jobs, error) {
	rc, ref := riverConfig(&cfg)
	c, err := river.NewClient(riversqlite.New(db), rc)
	if err != nil {
		return nil, fmt.Errorf("river client: %w", err)
	}
	return &Jobs{client: client[*sql.Tx]{c}, handler: ref, insert: cfg.InsertOnly, logger: cfg.Logger}, nil
}

// NewPostgres builds the job system on a PostgreSQL database. River
// distributes jobs over every replica's client and elects one leader for
// periodic work.
func NewPostgres(pool *pgxpool.Pool, cfg Config) (*Jobs, error) {
	rc, ref := riverConfig(&cfg)
	c, err := river.NewClient(riverpgxv5.New(pool), rc)
	if err != nil {
		return nil, fmt.Errorf("river client: %w", err)
	}
	return &Jobs{client: client[pgx.Tx]{c}, handler: ref, insert: cfg.InsertOnly, logger: cfg.Logger}, nil
}

func riverConfig(cfg *Config) (*river.Config, *handlerRef) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	ref := &handlerRef{}
	workers := river.NewWorkers()
	river.AddWorker(workers, &expireWorker{ref: ref})
	river.AddWorker(workers, &purgeWorker{ref: ref})
	river.AddWorker(workers, &dueWorker{ref: ref})
	river.AddWorker(workers, &webhookWorker{ref: ref})
	river.AddWorker(workers, &digestWorker{ref: ref})
	rc := &river.Config{
		Workers:              workers,
		Logger:               slog.New(quietCancel{cfg.Logger.Handler()}),
		JobTimeout:           orDuration(cfg.JobTimeout, 5*time.Minute),
		RescueStuckJobsAfter: orDuration(cfg.RescueAfter, 10*time.Minute),
		FetchCooldown:        orDuration(cfg.FetchCooldown, 100*time.Millisecond),
		FetchPollInterval:    orDuration(cfg.FetchPollInterval, time.Second),
	}
	if !cfg.InsertOnly {
		n := cfg.Workers
		if n <= 0 {
			n = 4
		}
		rc.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: n}}
		rc.PeriodicJobs = []*river.PeriodicJob{
			river.NewPeriodicJob(river.PeriodicInterval(orDuration(cfg.ExpireEvery, time.Minute)),
				func() (river.JobArgs, *river.InsertOpts) { return ExpireArgs{}, nil },
				&river.PeriodicJobOpts{ID: "expire_confirmations", RunOnStart: true}),
			river.NewPeriodicJob(river.PeriodicInterval(orDuration(cfg.PurgeEvery, time.Hour)),
				func() (river.JobArgs, *river.InsertOpts) { return PurgeArgs{}, nil },
				&river.PeriodicJobOpts{ID: "purge", RunOnStart: true}),
			river.NewPeriodicJob(river.PeriodicInterval(orDuration(cfg.ScheduleEvery, 30*time.Second)),
				func() (river.JobArgs, *river.InsertOpts) { return DueArgs{}, nil },
				&river.PeriodicJobOpts{ID: "due_schedules", RunOnStart: true}),
			river.NewPeriodicJob(river.PeriodicInterval(orDuration(cfg.DigestEvery, 15*time.Second)),
				func() (river.JobArgs, *river.InsertOpts) { return DigestArgs{}, nil },
				&river.PeriodicJobOpts{ID: "close_digests", RunOnStart: true}),
		}
	}
	return rc, ref
}

func orDuration(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// SetHandler sets who does the work; call it before Start.
func (j *Jobs) SetHandler(h Handler) { j.handler.h = h }

// Start begins working jobs (no-op for an insert-only client).
func (j *Jobs) Start(ctx context.Context) error {
	if j.insert {
		return nil
	}
	if j.handler.h == nil {
		return errors.New("jobs: start without handler")
	}
	return j.client.Start(ctx)
}

// Stop lets running jobs finish (until ctx ends, then cancels them).
func (j *Jobs) Stop(ctx context.Context) error {
	if j.insert {
		return nil
	}
	err := j.client.Stop(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return j.client.StopAndCancel(context.Background())
	}
	return err
}

// StopAbruptly cancels running jobs without waiting (crash simulation in
// tests): they stay running in the database until River rescues them.
func (j *Jobs) StopAbruptly() {
	if j.insert {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_ = j.client.StopAndCancel(ctx)
}

// quietCancel lowers River's reports of a cancelled context to debug: they
// come from stopping (every maintenance loop logs its interrupted
// transaction), not from anything an operator must look at.
type quietCancel struct{ slog.Handler }

func (q quietCancel) Handle(ctx context.Context, r slog.Record) error {
	if r.Level > slog.LevelDebug && cancelled(r) {
		r.Level = slog.LevelDebug
		if !q.Enabled(ctx, r.Level) {
			return nil
		}
	}
	return q.Handler.Handle(ctx, r)
}

func cancelled(r slog.Record) bool {
	found := false
	r.Attrs(func(a slog.Attr) bool {
		if err, ok := a.Value.Any().(error); ok && errors.Is(err, context.Canceled) {
			found = true
		} else if a.Key == "error" && a.Value.String() == context.Canceled.Error() {
			found = true
		}
		return !found
	})
	return found
}

func (q quietCancel) WithAttrs(as []slog.Attr) slog.Handler {
	return quietCancel{q.Handler.WithAttrs(as)}
}

func (q quietCancel) WithGroup(name string) slog.Handler {
	return quietCancel{q.Handler.WithGroup(name)}
}
