package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

func scanSchedule(r scanner) (*model.Schedule, error) {
	var s model.Schedule
	var enabled int
	var reportTo, channels string
	var next sql.NullInt64
	var created, updated int64
	if err := r.Scan(&s.Key, &s.Name, &s.Description, &enabled, &s.Cron, &s.EveryMinutes, &s.Timezone,
		&s.Source.Kind, &s.Source.Collection, &s.Condition, &s.Exclude, &s.EventType, &s.Project, &s.Role,
		&s.OccurrenceKey, &s.LeapDay, &reportTo, &s.ReportTemplate, &s.Preset, &next, &created, &updated, &s.ConsentCategory, &channels); err != nil {
		return nil, mapErr(err)
	}
	s.Enabled, s.ReportTo, s.ReportChannels = enabled == 1, model.Recipient(reportTo), model.SplitChannels(channels)
	s.NextRunAt, s.CreatedAt, s.UpdatedAt = fromNullMillis(next), fromMillis(created), fromMillis(updated)
	return &s, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (q queriesImpl) ScheduleUpsert(ctx context.Context, ws int64, s *model.Schedule) (bool, error) {
	prev, err := q.existing(ctx, "ScheduleExists", ws, s.Key)
	if err != nil {
		return false, err
	}
	fields := []any{s.Name, s.Description, boolInt(s.Enabled), s.Cron, s.EveryMinutes, s.Timezone, s.Source.Kind,
		s.Source.Collection, s.Condition, s.Exclude, s.EventType, s.Project, s.Role, s.OccurrenceKey, s.LeapDay,
		string(s.ReportTo), s.ReportTemplate, s.Preset, nullTime(s.NextRunAt)}
	if prev != nil {
		s.CreatedAt = fromMillis(*prev)
		_, err := q.db.ExecContext(ctx, query("ScheduleUpdate"), append(fields, millis(s.UpdatedAt), s.ConsentCategory, strings.Join(s.ReportChannels, ","), ws, s.Key)...)
		return false, mapErr(err)
	}
	args := append([]any{ws, s.Key}, fields...)
	_, err = q.db.ExecContext(ctx, query("ScheduleInsert"), append(args, millis(s.CreatedAt), millis(s.UpdatedAt), s.ConsentCategory,
		strings.Join(s.ReportChannels, ","))...)
	return true, mapErr(err)
}

func (q queriesImpl) ScheduleGet(ctx context.Context, ws int64, key string) (*model.Schedule, error) {
	return scanSchedule(q.db.QueryRowContext(ctx, query("ScheduleGet"), ws, key))
}

func (q queriesImpl) ScheduleList(ctx context.Context, p *store.ListParams) ([]*model.Schedule, error) {
	rows, err := q.db.QueryContext(ctx, query("ScheduleList"), p.WorkspaceID, p.After, p.Limit)
	return collect(rows, err, scanSchedule)
}

func (q queriesImpl) ScheduleDelete(ctx context.Context, ws int64, key string) error {
	return affected(q.db.ExecContext(ctx, query("ScheduleDelete"), ws, key))
}

func (q queriesImpl) ScheduleDue(ctx context.Context, now time.Time, limit int) ([]store.ScheduleRef, error) {
	rows, err := q.db.QueryContext(ctx, query("ScheduleDue"), millis(now), limit)
	return collect(rows, err, func(r scanner) (store.ScheduleRef, error) {
		var ref store.ScheduleRef
		return ref, mapErr(r.Scan(&ref.WorkspaceID, &ref.Key))
	})
}

func (q queriesImpl) ScheduleSetNext(ctx context.Context, ws int64, key string, prev, next *time.Time) (bool, error) {
	res, err := q.db.ExecContext(ctx, query("ScheduleSetNext"), nullTime(next), ws, key, nullTime(prev))
	if err != nil {
		return false, mapErr(err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func scanRun(r scanner) (*model.ScheduleRun, error) { return scanRunWith(r) }

// scanRunWith scans a run row after the columns of before (a claim's
// workspace).
func scanRunWith(r scanner, before ...any) (*model.ScheduleRun, error) {
	var run model.ScheduleRun
	var slot, finished sql.NullInt64
	var started int64
	var samples string
	if err := r.Scan(append(before, &run.ID, &run.Schedule, &run.Trigger, &slot, &run.Status, &started, &finished,
		&run.Scanned, &run.Matched, &run.Excluded, &run.Emitted, &run.Skipped, &run.Errors, &samples, &run.Failure,
		&run.ReportMessage, &run.Cursor)...); err != nil {
		return nil, mapErr(err)
	}
	if err := fromJSON(samples, &run.ErrorSamples); err != nil {
		return nil, err
	}
	run.Slot, run.StartedAt, run.FinishedAt = fromNullMillis(slot), fromMillis(started), fromNullMillis(finished)
	return &run, nil
}

func (q queriesImpl) ScheduleRunInsert(ctx context.Context, ws int64, r *model.ScheduleRun) error {
	_, err := q.db.ExecContext(ctx, query("ScheduleRunInsert"), r.ID, ws, r.Schedule, r.Trigger, nullTime(r.Slot),
		r.Status, millis(r.StartedAt), nullTime(r.FinishedAt), r.Scanned, r.Matched, r.Excluded, r.Emitted,
		r.Skipped, r.Errors, jsonList(r.ErrorSamples), r.Failure, r.ReportMessage, r.Cursor)
	return mapErr(err)
}

func (q queriesImpl) ScheduleRunUpdate(ctx context.Context, ws int64, r *model.ScheduleRun) error {
	return affected(q.db.ExecContext(ctx, query("ScheduleRunUpdate"), r.Status, nullTime(r.FinishedAt), r.Scanned,
		r.Matched, r.Excluded, r.Emitted, r.Skipped, r.Errors, jsonList(r.ErrorSamples), r.Failure,
		r.ReportMessage, r.Cursor, ws, r.ID, r.Owner))
}

func (q queriesImpl) ScheduleRunClaim(ctx context.Context, p *store.RunClaimParams) (*store.ClaimedRun, error) {
	c := &store.ClaimedRun{}
	var err error
	c.ScheduleRun, err = scanRunWith(q.db.QueryRowContext(ctx, query("ScheduleRunClaim"), p.Owner,
		millis(p.LeaseUntil), millis(p.Now)), &c.WorkspaceID)
	if err != nil {
		return nil, err
	}
	c.Owner = p.Owner
	return c, nil
}

func (q queriesImpl) ScheduleRunNextDue(ctx context.Context, owner string) (*time.Time, error) {
	var due sql.NullInt64
	err := q.db.QueryRowContext(ctx, query("ScheduleRunNextDue"), owner).Scan(&due)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, mapErr(err)
	}
	return fromNullMillis(due), nil
}

func (q queriesImpl) ScheduleRunLeaseRenew(ctx context.Context, owner string, ws int64, id string, until time.Time) (bool, error) {
	n, err := rowsAffected(q.db.ExecContext(ctx, query("ScheduleRunLeaseRenew"), millis(until), ws, id, owner))
	return n > 0, err
}

func (q queriesImpl) ScheduleRunRelease(ctx context.Context, owner string, ws int64, id string, due time.Time) (bool, error) {
	n, err := rowsAffected(q.db.ExecContext(ctx, query("ScheduleRunRelease"), millis(due), ws, id, owner))
	return n > 0, err
}

func (q queriesImpl) ScheduleRunReleaseOwn(ctx context.Context, owner string, keep []string, now time.Time) (int, error) {
	return rowsAffected(q.db.ExecContext(ctx, query("ScheduleRunReleaseOwn"), owner, jsonList(keep), millis(now)))
}

func (q queriesImpl) ScheduleRunLeaseExpire(ctx context.Context, owner string, now time.Time) (int, error) {
	return rowsAffected(q.db.ExecContext(ctx, query("ScheduleRunLeaseExpire"), owner, millis(now)))
}

func (q queriesImpl) ScheduleRunGet(ctx context.Context, ws int64, id string) (*model.ScheduleRun, error) {
	return scanRun(q.db.QueryRowContext(ctx, query("ScheduleRunGet"), ws, id))
}

func (q queriesImpl) ScheduleRunList(ctx context.Context, p *store.RunListParams) ([]*model.ScheduleRun, error) {
	rows, err := q.db.QueryContext(ctx, query("ScheduleRunList"), p.WorkspaceID, p.Schedule, p.Before, p.Limit)
	return collect(rows, err, scanRun)
}
