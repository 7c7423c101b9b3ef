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

// RunClaimParams claim a due schedule run.
type RunClaimParams struct {
	Owner      string
	Now        time.Time
	LeaseUntil time.Time
}

// ClaimedRun is a run claimed by a runner (its Owner set).
type ClaimedRun struct {
	WorkspaceID int64
	*model.ScheduleRun
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

	// ScheduleRunInsert stores a run; a queued one is due at once.
	ScheduleRunInsert(ctx context.Context, workspaceID int64, r *model.ScheduleRun) error
	// ScheduleRunUpdate stores a run's status, counts and cursor. With
	// r.Owner set it applies only while that owner holds the run's lease
	// (else ErrNotFound); a run that ends gives up its lease.
	ScheduleRunUpdate(ctx context.Context, workspaceID int64, r *model.ScheduleRun) error
	// ScheduleRunClaim takes one due run (queued, or running with a lease
	// that ran out) under the owner's lease and marks it running; none due
	// is ErrNotFound. The owner's own leases are never claimed again.
	ScheduleRunClaim(ctx context.Context, p *RunClaimParams) (*ClaimedRun, error)
	// ScheduleRunNextDue returns when the next run owner may claim is due
	// (nil when none is).
	ScheduleRunNextDue(ctx context.Context, owner string) (*time.Time, error)
	// ScheduleRunLeaseRenew moves the owner's lease on a running run to
	// until; false means the lease is no longer the owner's.
	ScheduleRunLeaseRenew(ctx context.Context, owner string, workspaceID int64, id string, until time.Time) (bool, error)
	// ScheduleRunRelease gives the owner's lease on a running run up: the
	// run is due again at due, for any runner (the owner too).
	ScheduleRunRelease(ctx context.Context, owner string, workspaceID int64, id string, due time.Time) (bool, error)
	// ScheduleRunReleaseOwn gives up the owner's leases on every run not
	// in keep (see MessageLeaseReleaseOwn); they are due at now.
	ScheduleRunReleaseOwn(ctx context.Context, owner string, keep []string, now time.Time) (int, error)
	// ScheduleRunLeaseExpire ends, as of now, the leases of every owner
	// but owner (a single server's start, see MessageLeaseExpire).
	ScheduleRunLeaseExpire(ctx context.Context, owner string, now time.Time) (int, error)
	ScheduleRunGet(ctx context.Context, workspaceID int64, id string) (*model.ScheduleRun, error)
	// ScheduleRunEventsAdd records events a run emitted, each with why
	// it was excluded ("" when it was not).
	ScheduleRunEventsAdd(ctx context.Context, workspaceID int64, runID string, events []RunEvent) error
	// ScheduleRunsAwaitingReport returns, in any workspace, up to limit
	// ended runs (finished or failed after finishedAfter) whose schedule
	// has a report recipient and whose report was not sent yet.
	ScheduleRunsAwaitingReport(ctx context.Context, finishedAfter time.Time, limit int) ([]*ClaimedRun, error)
	// ScheduleRunOutcome counts what became of a run's events: the
	// excluded ones by reason, and the messages of the others by status
	// and reason, as they stand now.
	ScheduleRunOutcome(ctx context.Context, workspaceID int64, runID string) (*RunOutcome, error)
	ScheduleRunList(ctx context.Context, p *RunListParams) ([]*model.ScheduleRun, error)
}

// RunEvent is an event a schedule run emitted.
type RunEvent struct {
	EventID string
	// Excluded is why the event was excluded: "exclude" (the schedule's
	// exclusion), "opted_out" or "no_consent" (its consent category); ""
	// when it was not.
	Excluded string
}

// RunOutcome is what became of a run's events.
type RunOutcome struct {
	// Excluded counts the excluded events by reason.
	Excluded map[string]int
	// Messages counts the messages of the other events by status and,
	// for suppressed ones, reason.
	Messages []MessageCount
}

// MessageCount is how many messages have a status and reason.
type MessageCount struct {
	Status model.MessageStatus
	Reason string
	Count  int
}
