package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// openCheckpointStore opens a migrated store with opts and a scratch
// table to fill.
func openCheckpointStore(t *testing.T, opts Options) *Store {
	t.Helper()
	path := filepath.Join(t.TempDir(), "herold.db")
	require.NoError(t, migrated.CopyTo(path))
	s, err := Open(path, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	require.NoError(t, s.Migrate(context.Background()))
	execRaw(t, s, "CREATE TABLE scratch (b BLOB)")
	return s
}

// execRaw runs one statement in the writer's turn.
func execRaw(t *testing.T, s *Store, q string) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, s.WithTx(ctx, func(tx store.Tx) error {
		_, err := tx.Raw().(*sql.Tx).ExecContext(ctx, q)
		return err
	}))
}

// fill commits n transactions of about 300 pages each (one 3,000-byte
// row per 4 KiB page).
func fill(t *testing.T, s *Store, n int) {
	t.Helper()
	for range n {
		execRaw(t, s, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i < 300)
			INSERT INTO scratch SELECT randomblob(3000) FROM n`)
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if os.IsNotExist(err) {
		return 0
	}
	require.NoError(t, err)
	return fi.Size()
}

// The writer's commits never copy the log back, however far it grows
// past SQLite's automatic threshold of 1,000 pages: only the
// checkpointer does (here never, its interval is an hour), and Close
// stops it.
func TestWriterLeavesCheckpointsToTheCheckpointer(t *testing.T) {
	t.Parallel()
	s := openCheckpointStore(t, Options{CheckpointInterval: time.Hour})
	before := fileSize(t, s.path)
	fill(t, s, 10) // about 3,000 pages
	require.Greater(t, fileSize(t, s.path+"-wal"), int64(3000*3000), "the log holds the rows")
	require.Less(t, fileSize(t, s.path)-before, int64(1000*4096),
		"the database file grew: someone checkpointed while the writer wrote")

	require.NoError(t, s.Close())
	select {
	case <-s.ckpt.done:
	default:
		t.Fatal("Close returned with the checkpointer still running")
	}
}

// With its interval due, the checkpointer copies what the writer wrote
// into the database file on its own connection, without a caller asking.
func TestCheckpointerCopiesTheLogBack(t *testing.T) {
	t.Parallel()
	s := openCheckpointStore(t, Options{CheckpointInterval: 10 * time.Millisecond})
	fill(t, s, 10)
	deadline := time.Now().Add(5 * time.Second)
	for fileSize(t, s.path) < 3000*3000 {
		if time.Now().After(deadline) {
			t.Fatalf("the database file holds %d bytes 5 s after the writes; the log was not copied back", fileSize(t, s.path))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// A reader that keeps an old snapshot open pins the log; past the limit
// the checkpointer tries to start it again, says at WARN that it cannot,
// and once the reader is gone the log starts again and its file is cut
// back to the limit.
func TestCheckpointerBoundsTheLog(t *testing.T) {
	t.Parallel()
	type result struct {
		mode   string
		busy   bool
		frames int
	}
	var mu sync.Mutex
	var logs bytes.Buffer
	results := make(chan result, 1000)
	s := openCheckpointStore(t, Options{CheckpointInterval: 10 * time.Millisecond, WALLimitPages: 500,
		Logger: slog.New(slog.NewTextHandler(lockedWriter{&mu, &logs}, nil)),
		onCheckpoint: func(mode string, busy bool, frames, _ int) {
			select {
			case results <- result{mode, busy, frames}:
			default:
			}
		}})
	ctx := context.Background()
	reader, err := s.rdb.BeginTx(ctx, nil)
	require.NoError(t, err)
	var n int
	require.NoError(t, reader.QueryRowContext(ctx, "SELECT count(*) FROM workspaces").Scan(&n)) // the snapshot starts
	fill(t, s, 4)
	// waitFor commits a row every 20 ms (each commit tells the
	// checkpointer) until a checkpoint satisfies ok.
	waitFor := func(what string, ok func(result) bool) {
		t.Helper()
		deadline := time.After(5 * time.Second)
		poke := time.NewTicker(20 * time.Millisecond)
		defer poke.Stop()
		for {
			select {
			case r := <-results:
				if ok(r) {
					return
				}
			case <-poke.C:
				execRaw(t, s, "INSERT INTO scratch VALUES (x'00')")
			case <-deadline:
				t.Fatalf("no checkpoint %s within 5 s", what)
			}
		}
	}
	waitFor("refused by the reader", func(r result) bool { return r.mode == "TRUNCATE" && r.busy && r.frames >= 500 })
	mu.Lock()
	require.Contains(t, logs.String(), "level=WARN")
	require.Contains(t, logs.String(), "limit_pages=500")
	mu.Unlock()

	require.NoError(t, reader.Rollback())
	// Copied back in full, the log starts again at the writer's next
	// commit, and its file is cut back to the limit.
	waitFor("of a log started again", func(r result) bool { return !r.busy && r.frames < 100 })
	require.LessOrEqual(t, fileSize(t, s.path+"-wal"), int64(500*4096), "the log file is cut back")
}

// lockedWriter lets the test read what the checkpointer logs.
type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// The log starts again only in a transaction that begins with every frame
// copied back, which a writer committing without pause never finds after
// a background checkpoint. So the writer finishes one itself once the log
// holds restartPages: under steady W1-shaped commits the log starts again
// again and again, and no TRUNCATE checkpoint ever has to hold the writer
// off. (How far past restartPages the log gets depends on how long a
// checkpoint takes on the machine's disk, so the test counts restarts
// rather than bounding the log's size by restartPages.)
func TestLogStartsAgainUnderSteadyWrites(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var maxFrames, last, restarts int
	var modes []string
	s := openCheckpointStore(t, Options{CheckpointInterval: 20 * time.Millisecond,
		onCheckpoint: func(mode string, _ bool, frames, _ int) {
			mu.Lock()
			defer mu.Unlock()
			maxFrames = max(maxFrames, frames)
			if frames < last {
				restarts++
			}
			last = frames
			if mode != "PASSIVE" {
				modes = append(modes, mode)
			}
		}})
	ctx := context.Background()
	ws := &model.Workspace{Key: "w", Name: "W", DefaultLocale: "de", Timezone: "Europe/Berlin", RetentionDays: 30,
		ConfirmationExpiryHours: 168}
	require.NoError(t, s.WorkspaceInsert(ctx, ws))
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	seq := 0
	written := 0
	for written < 3*defaultWALLimitPages { // about 2,000 commits of 17 pages
		evs, ms := w1Events(&seq, 1, now)
		require.NoError(t, s.WithTx(ctx, func(tx store.Tx) error {
			if err := tx.EventInsertMany(ctx, ws.ID, evs); err != nil {
				return err
			}
			return tx.MessageInsertMany(ctx, ws.ID, ms)
		}))
		written += 17
	}
	mu.Lock()
	defer mu.Unlock()
	require.Empty(t, modes, "a checkpoint had to hold the writer off")
	// Three limits' worth of frames were written: without the writer's
	// own checkpoint the log never starts again and reaches the limit.
	require.GreaterOrEqual(t, restarts, 3, "the log did not start again (largest %d frames)", maxFrames)
	require.Less(t, maxFrames, defaultWALLimitPages, "the log reached its limit")
}
