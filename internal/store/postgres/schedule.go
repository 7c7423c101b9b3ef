package postgres

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
	"github.com/herold-dev/herold/internal/store/dbutil"
)

func scanSchedule(r scanner) (*model.Schedule, error) {
	var s model.Schedule
	var reportTo, channels string
	if err := r.Scan(&s.Key, &s.Name, &s.Description, &s.Enabled, &s.Cron, &s.EveryMinutes, &s.Timezone,
		&s.Source.Kind, &s.Source.Collection, &s.Condition, &s.Exclude, &s.EventType, &s.Project, &s.Role,
		&s.OccurrenceKey, &s.LeapDay, &reportTo, &s.ReportTemplate, &s.Preset, &s.NextRunAt, &s.CreatedAt,
		&s.UpdatedAt, &s.ConsentCategory, &channels); err != nil {
		return nil, mapErr(err)
	}
	s.ReportTo, s.ReportChannels = model.Recipient(reportTo), model.SplitChannels(channels)
	s.NextRunAt, s.CreatedAt, s.UpdatedAt = utcPtr(s.NextRunAt), utc(s.CreatedAt), utc(s.UpdatedAt)
	return &s, nil
}

func (q queriesImpl) ScheduleUpsert(ctx context.Context, ws int64, s *model.Schedule) (bool, error) {
	row := q.db.QueryRow(ctx, query("ScheduleUpsert"), ws, s.Key, s.Name, s.Description, s.Enabled, s.Cron,
		s.EveryMinutes, s.Timezone, s.Source.Kind, s.Source.Collection, s.Condition, s.Exclude, s.EventType,
		s.Project, s.Role, s.OccurrenceKey, s.LeapDay, string(s.ReportTo), s.ReportTemplate, s.Preset,
		s.NextRunAt, s.CreatedAt, s.UpdatedAt, s.ConsentCategory, strings.Join(s.ReportChannels, ","))
	return upserted(row, &s.CreatedAt)
}

func (q queriesImpl) ScheduleGet(ctx context.Context, ws int64, key string) (*model.Schedule, error) {
	return scanSchedule(q.db.QueryRow(ctx, query("ScheduleGet"), ws, key))
}

func (q queriesImpl) ScheduleList(ctx context.Context, p *store.ListParams) ([]*model.Schedule, error) {
	rows, err := q.db.Query(ctx, query("ScheduleList"), p.WorkspaceID, p.After, p.Limit)
	return collect(rows, err, scanSchedule)
}

func (q queriesImpl) ScheduleDelete(ctx context.Context, ws int64, key string) error {
	return affected(q.db.Exec(ctx, query("ScheduleDelete"), ws, key))
}

func (q queriesImpl) ScheduleDue(ctx context.Context, now time.Time, limit int) ([]store.ScheduleRef, error) {
	rows, err := q.db.Query(ctx, query("ScheduleDue"), now, limit)
	return collect(rows, err, func(r scanner) (store.ScheduleRef, error) {
		var ref store.ScheduleRef
		return ref, mapErr(r.Scan(&ref.WorkspaceID, &ref.Key))
	})
}

func (q queriesImpl) ScheduleSetNext(ctx context.Context, ws int64, key string, prev, next *time.Time) (bool, error) {
	tag, err := q.db.Exec(ctx, query("ScheduleSetNext"), next, ws, key, prev)
	if err != nil {
		return false, mapErr(err)
	}
	return tag.RowsAffected() == 1, nil
}

func scanRun(r scanner) (*model.ScheduleRun, error) { return scanRunWith(r) }

// scanRunWith scans a run row after the columns of before (a claim's
// workspace).
func scanRunWith(r scanner, before ...any) (*model.ScheduleRun, error) {
	var run model.ScheduleRun
	var samples []byte
	if err := r.Scan(append(before, &run.ID, &run.Schedule, &run.Trigger, &run.Slot, &run.Status, &run.StartedAt,
		&run.FinishedAt, &run.Scanned, &run.Matched, &run.Excluded, &run.Emitted, &run.Skipped, &run.Errors, &samples,
		&run.Failure, &run.ReportMessage, &run.Cursor)...); err != nil {
		return nil, mapErr(err)
	}
	if err := dbutil.FromJSON(samples, &run.ErrorSamples); err != nil {
		return nil, err
	}
	run.Slot, run.StartedAt, run.FinishedAt = utcPtr(run.Slot), utc(run.StartedAt), utcPtr(run.FinishedAt)
	return &run, nil
}

func (q queriesImpl) ScheduleRunInsert(ctx context.Context, ws int64, r *model.ScheduleRun) error {
	_, err := q.db.Exec(ctx, query("ScheduleRunInsert"), r.ID, ws, r.Schedule, r.Trigger, r.Slot, r.Status,
		r.StartedAt, r.FinishedAt, r.Scanned, r.Matched, r.Excluded, r.Emitted, r.Skipped, r.Errors,
		dbutil.List(r.ErrorSamples), r.Failure, r.ReportMessage, r.Cursor)
	return mapErr(err)
}

func (q queriesImpl) ScheduleRunUpdate(ctx context.Context, ws int64, r *model.ScheduleRun) error {
	return affected(q.db.Exec(ctx, query("ScheduleRunUpdate"), r.Status, r.FinishedAt, r.Scanned, r.Matched,
		r.Excluded, r.Emitted, r.Skipped, r.Errors, dbutil.List(r.ErrorSamples), r.Failure, r.ReportMessage, r.Cursor,
		ws, r.ID, r.Owner))
}

func (q queriesImpl) ScheduleRunClaim(ctx context.Context, p *store.RunClaimParams) (*store.ClaimedRun, error) {
	c := &store.ClaimedRun{}
	var err error
	c.ScheduleRun, err = scanRunWith(q.db.QueryRow(ctx, query("ScheduleRunClaim"), p.Owner, p.LeaseUntil, p.Now),
		&c.WorkspaceID)
	if err != nil {
		return nil, err
	}
	c.Owner = p.Owner
	return c, nil
}

func (q queriesImpl) ScheduleRunNextDue(ctx context.Context, owner string) (*time.Time, error) {
	var due *time.Time
	err := q.db.QueryRow(ctx, query("ScheduleRunNextDue"), owner).Scan(&due)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, mapErr(err)
	}
	return utcPtr(due), nil
}

func (q queriesImpl) ScheduleRunLeaseRenew(ctx context.Context, owner string, ws int64, id string, until time.Time) (bool, error) {
	tag, err := q.db.Exec(ctx, query("ScheduleRunLeaseRenew"), until, ws, id, owner)
	return tag.RowsAffected() > 0, mapErr(err)
}

func (q queriesImpl) ScheduleRunRelease(ctx context.Context, owner string, ws int64, id string, due time.Time) (bool, error) {
	tag, err := q.db.Exec(ctx, query("ScheduleRunRelease"), due, ws, id, owner)
	return tag.RowsAffected() > 0, mapErr(err)
}

func (q queriesImpl) ScheduleRunReleaseOwn(ctx context.Context, owner string, keep []string, now time.Time) (int, error) {
	if keep == nil {
		keep = []string{}
	}
	tag, err := q.db.Exec(ctx, query("ScheduleRunReleaseOwn"), owner, keep, now)
	return int(tag.RowsAffected()), mapErr(err)
}

func (q queriesImpl) ScheduleRunLeaseExpire(ctx context.Context, owner string, now time.Time) (int, error) {
	tag, err := q.db.Exec(ctx, query("ScheduleRunLeaseExpire"), owner, now)
	return int(tag.RowsAffected()), mapErr(err)
}

func (q queriesImpl) ScheduleRunGet(ctx context.Context, ws int64, id string) (*model.ScheduleRun, error) {
	return scanRun(q.db.QueryRow(ctx, query("ScheduleRunGet"), ws, id))
}

func (q queriesImpl) ScheduleRunList(ctx context.Context, p *store.RunListParams) ([]*model.ScheduleRun, error) {
	rows, err := q.db.Query(ctx, query("ScheduleRunList"), p.WorkspaceID, p.Schedule, p.Before, p.Limit)
	return collect(rows, err, scanRun)
}
