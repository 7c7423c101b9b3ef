package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/store"
)

func TestWrites(t *testing.T) {
	t.Parallel()
	for q, want := range map[string]bool{
		"SELECT * FROM messages": false,
		"  select 1":             false,
		"-- name: JobGetAvailable :many\nUPDATE river_job SET x = 1": true,
		"/* TEMPLATE */ insert into t values (1)":                    true,
		"DELETE FROM t":                                        true,
		"REPLACE INTO t VALUES (1)":                            true,
		"CREATE TABLE t (id INTEGER)":                          true,
		"WITH x AS (SELECT 1) SELECT * FROM x":                 false,
		"WITH x AS (SELECT id FROM t) UPDATE t SET n = 1":      true,
		"WITH x AS (SELECT updated_at FROM t) SELECT * FROM x": false, // a column, not the keyword
		"-- only a comment":                                    false,
		"PRAGMA journal_mode":                                  false,
	} {
		require.Equal(t, want, writes(q), "%q", q)
	}
}

// Herold's transactions, River's statements outside a transaction (an
// UPDATE … RETURNING like its fetch, a plain UPDATE like its cleaners) and
// the rows of a RETURNING left open for a while all write the same file. They
// must queue in the gate: with SQLite's own busy handler given 1 ms, a
// write that reached SQLite while another held the lock would fail with
// "database is locked".
func TestWritesQueueInTheGate(t *testing.T) {
	t.Parallel()
	s, err := Open(filepath.Join(t.TempDir(), "herold.db"), Options{BusyTimeoutMillis: 1})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	s.gate.wait = time.Minute // only SQLite's wait is short
	ctx := context.Background()
	db := s.DB()
	_, err = db.ExecContext(ctx, "CREATE TABLE gate_test (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, "INSERT INTO gate_test (id, n) VALUES (1, 0)")
	require.NoError(t, err)

	const workers, rounds = 6, 50 // fewer than the pool's 8 connections (see gate)
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds)
	for w := range workers {
		wg.Go(func() {
			for i := range rounds {
				var err error
				switch (w + i) % 3 {
				case 0:
					err = s.WithTx(ctx, func(tx store.Tx) error {
						_, err := tx.Raw().(*sql.Tx).ExecContext(ctx, "UPDATE gate_test SET n = n + 1 WHERE id = 1")
						return err
					})
				case 1:
					var rows *sql.Rows
					rows, err = db.QueryContext(ctx, "-- like River's fetch\nUPDATE gate_test SET n = n + 1 WHERE id = 1 RETURNING n")
					if err == nil {
						for rows.Next() {
							time.Sleep(time.Millisecond) // the statement runs until its rows are closed
						}
						err = rows.Close()
					}
				case 2:
					_, err = db.ExecContext(ctx, "UPDATE gate_test SET n = n + 1 WHERE id = 1")
				}
				if err != nil {
					errs <- fmt.Errorf("worker %d, round %d: %w", w, i, err)
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var n int
	require.NoError(t, db.QueryRowContext(ctx, "SELECT n FROM gate_test WHERE id = 1").Scan(&n))
	require.Equal(t, workers*rounds, n, "every write counted once")
}

// A write that cannot pass the gate within the busy timeout fails with an
// error saying the database is locked, as SQLite's own would.
func TestGateGivesUpAfterTheBusyTimeout(t *testing.T) {
	t.Parallel()
	s, err := Open(filepath.Join(t.TempDir(), "herold.db"), Options{BusyTimeoutMillis: 50})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	ctx := context.Background()
	release := make(chan struct{})
	held := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.WithTx(ctx, func(store.Tx) error {
			close(held)
			<-release
			return nil
		})
	}()
	<-held
	start := time.Now()
	_, err = s.DB().ExecContext(ctx, "CREATE TABLE late (id INTEGER)")
	require.ErrorIs(t, err, errGateTimeout)
	require.GreaterOrEqual(t, time.Since(start), 50*time.Millisecond)
	close(release)
	require.NoError(t, <-done)
	_, err = s.DB().ExecContext(ctx, "CREATE TABLE late (id INTEGER)")
	require.NoError(t, err, "the gate is free again")
}
