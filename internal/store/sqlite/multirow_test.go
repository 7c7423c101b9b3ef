package sqlite

import (
	"context"
	"math/bits"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/store"
)

// chunks hands out every item once, in order, in slices whose lengths are
// powers of two of at most maxRowsPerInsert, as few as that allows.
func TestChunksArePowersOfTwo(t *testing.T) {
	t.Parallel()
	lengths := map[int]bool{}
	for n := 0; n <= 1000; n++ {
		items := make([]int, n)
		for i := range items {
			items[i] = i
		}
		got := []int{}
		calls := 0
		require.NoError(t, chunks(items, func(part []int) error {
			require.NotEmpty(t, part)
			require.LessOrEqual(t, len(part), maxRowsPerInsert)
			require.Equal(t, 1, bits.OnesCount(uint(len(part))), "a chunk of %d", len(part))
			lengths[len(part)] = true
			got = append(got, part...)
			calls++
			return nil
		}))
		require.Equal(t, items, got, "n=%d", n)
		// Full chunks, then one per set bit of the rest.
		require.Equal(t, n/maxRowsPerInsert+bits.OnesCount(uint(n%maxRowsPerInsert)), calls, "n=%d", n)
	}
	require.Len(t, lengths, bits.Len(maxRowsPerInsert))
}

// A failing chunk stops the rest.
func TestChunksStopAtTheFirstError(t *testing.T) {
	t.Parallel()
	calls := 0
	err := chunks(make([]int, 300), func([]int) error {
		calls++
		return context.Canceled
	})
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, 1, calls)
}

// Groups of every size keep only a few multi-row statements prepared on
// the writer's connection, each held for good: with a statement per row
// count, the message INSERTs of lengths 1 to 100 alone held about 20 MB.
func TestMultiRowStatementsStayFew(t *testing.T) {
	t.Parallel()
	s, ws := writerFixture(t)
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	seq, total := 0, 0
	for n := 1; n <= 50; n++ { // 6 to 300 messages per group
		evs, ms := w1Events(&seq, n, now)
		require.NoError(t, s.WithTx(ctx, func(tx store.Tx) error {
			if err := tx.EventInsertMany(ctx, ws, evs); err != nil {
				return err
			}
			return tx.MessageInsertMany(ctx, ws, ms)
		}))
		total += len(ms)
	}
	var stored int
	require.NoError(t, s.rdb.QueryRowContext(ctx, "SELECT count(*) FROM messages").Scan(&stored))
	require.Equal(t, total, stored)
	s.writer.stmts.mu.Lock()
	defer s.writer.stmts.mu.Unlock()
	inserts := 0
	for q := range s.writer.stmts.m {
		if strings.HasPrefix(q, "INSERT INTO messages (") {
			inserts++
		}
	}
	require.Positive(t, inserts)
	require.LessOrEqual(t, inserts, bits.Len(maxRowsPerInsert), "message INSERT statements of distinct lengths")
}
