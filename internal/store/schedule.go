package store

import (
	"context"
	"time"

	"github.com/herold-dev/herold/internal/model"
)

// ScheduleRef names a schedule across workspaces (for the due check).
type ScheduleRef struct {
	WorkspaceID int64
	Key         string
}

// RunListParams page a schedule's runs, newest first.
type RunListParams struct {
	WorkspaceID int64
	Schedule    string
	// Before is the id of the last run of the previous page.
	Before string
	Limit  int
}

// ScheduleQueries are the operations on schedules and their runs.
type ScheduleQueries interface {
	ScheduleUpsert(ctx context.Context, workspaceID int64, s *model.Schedule) (created bool, err error)
	ScheduleGet(ctx context.Context, workspaceID int64, key string) (*model.Schedule, error)
	ScheduleList(ctx context.Context, p *ListParams) ([]*model.Schedule, error)
	ScheduleDelete(ctx context.Context, workspaceID int64, key string) error
	// ScheduleDue lists enabled schedules whose next run is at or before
	// now, in all workspaces.
	ScheduleDue(ctx context.Context, now time.Time, limit int) ([]ScheduleRef, error)
	// ScheduleSetNext stores when a schedule runs next, but only if its
	// next run is still prev (so two due checks cannot both advance it).
	ScheduleSetNext(ctx context.Context, workspaceID int64, key string, prev, next *time.Time) (bool, error)

	ScheduleRunInsert(ctx context.Context, workspaceID int64, r *model.ScheduleRun) error
	ScheduleRunUpdate(ctx context.Context, workspaceID int64, r *model.ScheduleRun) error
	ScheduleRunGet(ctx context.Context, workspaceID int64, id string) (*model.ScheduleRun, error)
	ScheduleRunList(ctx context.Context, p *RunListParams) ([]*model.ScheduleRun, error)
}
