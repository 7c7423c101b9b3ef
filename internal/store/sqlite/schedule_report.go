package sqlite

import (
	"context"
	"time"

	"github.com/herold-dev/herold/internal/store"
)

// ScheduleRunEventsAdd implements store.ScheduleQueries.
func (q queriesImpl) ScheduleRunEventsAdd(ctx context.Context, ws int64, runID string, events []store.RunEvent) error {
	return chunks(events, func(part []store.RunEvent) error {
		args := make([]any, 0, len(part)*4)
		for _, e := range part {
			args = append(args, runID, e.EventID, ws, e.Excluded)
		}
		_, err := q.db.ExecContext(ctx, q.rows.query("ScheduleRunEventInsert", len(part)), args...)
		return mapErr(err)
	})
}

// ScheduleRunOutcome implements store.ScheduleQueries.
func (q queriesImpl) ScheduleRunOutcome(ctx context.Context, ws int64, runID string) (*store.RunOutcome, error) {
	out := &store.RunOutcome{Excluded: map[string]int{}, Messages: []store.MessageCount{}}
	rows, err := q.db.QueryContext(ctx, query("ScheduleRunExcluded"), ws, runID)
	excl, err := collect(rows, err, func(r scanner) (store.MessageCount, error) {
		var c store.MessageCount
		return c, mapErr(r.Scan(&c.Reason, &c.Count))
	})
	if err != nil {
		return nil, err
	}
	for _, c := range excl {
		out.Excluded[c.Reason] = c.Count
	}
	rows, err = q.db.QueryContext(ctx, query("ScheduleRunMessages"), ws, runID)
	out.Messages, err = collect(rows, err, func(r scanner) (store.MessageCount, error) {
		var c store.MessageCount
		return c, mapErr(r.Scan(&c.Status, &c.Reason, &c.Count))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ScheduleRunsAwaitingReport implements store.ScheduleQueries.
func (q queriesImpl) ScheduleRunsAwaitingReport(ctx context.Context, finishedAfter time.Time, limit int) ([]*store.ClaimedRun, error) {
	rows, err := q.db.QueryContext(ctx, query("ScheduleRunsAwaitingReport"), millis(finishedAfter), limit)
	return collect(rows, err, func(r scanner) (*store.ClaimedRun, error) {
		c := &store.ClaimedRun{}
		var err error
		c.ScheduleRun, err = scanRunWith(r, &c.WorkspaceID)
		return c, err
	})
}
