package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"
)

// The checkpointer copies the write-ahead log back into the database file
// on a connection of its own, so that the writer does only a small part.
//
// SQLite checkpoints by default inside the COMMIT that takes the log past
// 1,000 pages: on the writer's one connection, while every caller waiting
// for the writer waits too (3–4 % of the server's CPU in W2, and the tail
// of W1-paced's latency). The writer's connection has automatic
// checkpoints turned off (PRAGMA wal_autocheckpoint=0); the writer tells
// the checkpointer of each commit, and the checkpointer runs a PASSIVE
// checkpoint at most once per CheckpointInterval. A PASSIVE checkpoint
// takes no lock the writer needs: the writer goes on appending to the log
// while pages are copied.
//
// The log starts again from its beginning only in a write transaction
// that begins when every frame is copied back — never while the writer
// commits faster than the checkpointer's turns. So once the log holds
// restartPages, the checkpointer asks the writer to finish: before its
// next group the writer runs a PASSIVE checkpoint itself, which copies
// only what was committed during the background one, and the group that
// follows starts the log again.
//
// A reader that keeps an old snapshot open (a long export) stops any
// checkpoint at that snapshot, and the log grows. Past WALLimitPages the
// checkpointer runs a TRUNCATE checkpoint instead, which waits for such
// readers for at most walLimitWait while it holds off the writer, and at
// most once per walLimitRetry, so a reader that stays does not stall the
// writer for long; a refused one is logged at WARN and tried again.
//
// Durability does not change: the log holds the same frames, each commit
// is as durable as with synchronous=NORMAL before (see docs/decisions.md),
// and the checkpoint syncs the log before it copies it.
type checkpointer struct {
	db       *sql.DB // one connection of its own, never writing a row
	interval time.Duration
	limit    int // frames
	log      *slog.Logger
	// nudge is told of commits; a buffer of one, so the writer never
	// waits for the checkpointer.
	nudge chan struct{}
	quit  chan struct{}
	done  chan struct{}
	// ask is set when the writer should finish a checkpoint (see
	// finish).
	ask atomic.Bool
	// ran, when set (tests, Options.onCheckpoint), is told of each
	// checkpoint's result.
	ran func(mode string, busy bool, frames, copied int)
}

const (
	// defaultCheckpointInterval is how often, at most, the log is
	// copied back while the writer writes: about as often as SQLite's
	// default of 1,000 pages does at W2's rate, without the writer.
	defaultCheckpointInterval = 100 * time.Millisecond
	// defaultWALLimitPages bounds the log at 64 MiB of 4 KiB pages.
	defaultWALLimitPages = 16384
	// restartPages is the log's size from which the writer is asked to
	// finish a checkpoint so that the log starts again: 16 MiB, a few
	// hundred milliseconds of W1-max's writes.
	restartPages = 4096
	// walLimitWait is how long a TRUNCATE checkpoint waits for readers
	// (and holds off the writer) at most.
	walLimitWait = 100 * time.Millisecond
	// walLimitRetry spaces refused TRUNCATE checkpoints.
	walLimitRetry = time.Second
	// idleCheck is how often the checkpointer looks without being told
	// of a commit.
	idleCheck = 5 * time.Second
)

func newCheckpointer(path string, opts Options) (*checkpointer, error) {
	db, err := openConn(path, opts, connCheckpoint, 1)
	if err != nil {
		return nil, err
	}
	c := &checkpointer{db: db, interval: cmp.Or(opts.CheckpointInterval, defaultCheckpointInterval),
		limit: cmp.Or(opts.WALLimitPages, defaultWALLimitPages), log: opts.Logger, ran: opts.onCheckpoint,
		nudge: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
	if c.log == nil {
		c.log = slog.Default()
	}
	return c, nil
}

func (c *checkpointer) start() { go c.loop() }

// committed tells the checkpointer that the log grew; it never blocks.
func (c *checkpointer) committed() {
	select {
	case c.nudge <- struct{}{}:
	default:
	}
}

func (c *checkpointer) loop() {
	defer close(c.done)
	last := time.Now()
	var lastLimit time.Time
	ctx := context.Background()
	// River writes on the writer's connection without the writer, and
	// another process may write too: their commits are copied back
	// within idleCheck.
	idle := time.NewTicker(idleCheck)
	defer idle.Stop()
	for {
		select {
		case <-c.nudge:
		case <-idle.C:
		case <-c.quit:
			return
		}
		if wait := c.interval - time.Since(last); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-c.quit:
				t.Stop()
				return
			}
		}
		last = time.Now()
		_, frames, _, err := c.checkpoint(ctx, c.db, "PASSIVE")
		if err != nil {
			c.log.Warn("sqlite checkpoint failed; the write-ahead log is copied back at the next commit", "mode", "PASSIVE", "err", err)
			continue
		}
		if frames >= min(restartPages, c.limit) {
			c.ask.Store(true)
		}
		if frames < c.limit || time.Since(lastLimit) < walLimitRetry {
			continue
		}
		lastLimit = time.Now()
		busy, frames, copied, err := c.checkpoint(ctx, c.db, "TRUNCATE")
		switch {
		case err != nil:
			c.log.Warn("sqlite checkpoint failed; the write-ahead log is copied back at the next commit", "mode", "TRUNCATE", "err", err)
		case busy:
			// Mostly a long read (an export, a shell left in a
			// transaction); see docs/operations.md.
			c.log.Warn("sqlite write-ahead log past its limit and a reader holds it; trying again",
				"mode", "TRUNCATE", "frames", frames, "copied", copied, "limit_pages", c.limit)
		}
	}
}

// checkpoint runs one checkpoint of mode and returns SQLite's answer: busy
// (it could not finish), the frames in the log and how many of them are
// in the database file now.
func (c *checkpointer) checkpoint(ctx context.Context, db *sql.DB, mode string) (busy bool, frames, copied int, err error) {
	var b int
	err = db.QueryRowContext(ctx, "PRAGMA wal_checkpoint("+mode+")").Scan(&b, &frames, &copied)
	if err != nil {
		return false, 0, 0, fmt.Errorf("wal_checkpoint(%s): %w", mode, err)
	}
	if c.ran != nil {
		c.ran(mode, b != 0, frames, copied)
	}
	return b != 0, frames, copied, nil
}

// due reports whether the writer should finish a checkpoint before its
// next group; it asks once per request.
func (c *checkpointer) due() bool { return c.ask.Load() && c.ask.Swap(false) }

// finish runs a PASSIVE checkpoint on the writer's connection, between two
// of its groups: it copies what was committed since the checkpointer's
// last one, so that the next group starts the log again.
func (c *checkpointer) finish(writer *sql.DB) {
	if _, _, _, err := c.checkpoint(context.Background(), writer, "PASSIVE"); err != nil {
		c.log.Warn("sqlite checkpoint failed; the write-ahead log is copied back at the next commit", "mode", "PASSIVE", "err", err)
	}
}

// close stops the loop after the checkpoint in progress and closes the
// connection; the last connection to close copies what is left.
// It is called once.
func (c *checkpointer) close() error {
	close(c.quit)
	<-c.done
	return c.db.Close()
}
