package sqlite

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
)

// An event without an idempotency key costs no entry in
// events_idempotency (one b-tree fewer on the writer's turn per event);
// ANALYZE counts the index's entries.
func TestEventsWithoutKeyStayOutOfTheIdempotencyIndex(t *testing.T) {
	t.Parallel()
	s, ws := writerFixture(t)
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for i := range 4 {
		e := &model.Event{ID: fmt.Sprintf("e%d", i), Type: "booking.confirmed", Project: "messe",
			Actors: map[string][]string{}, Data: map[string]any{}, OccurredAt: now, ReceivedAt: now,
			Source: model.SourceAPI, Trace: []model.Step{}}
		if i == 0 {
			e.IdempotencyKey = "booking-1"
		}
		require.NoError(t, s.EventInsert(ctx, ws, e))
	}
	var stat string
	execRaw(t, s, "ANALYZE events")
	require.NoError(t, s.rdb.QueryRowContext(ctx,
		"SELECT stat FROM sqlite_stat1 WHERE idx = 'events_idempotency'").Scan(&stat))
	require.Regexp(t, `^1 `, stat, "entries in events_idempotency: only the event with a key")
}
