package jobs

import (
	"context"

	"github.com/riverqueue/river"
)

// ExpireArgs run the time-driven work that is due, expiring unanswered
// confirmations among it (periodic; the kind keeps its first name so
// that queued jobs of earlier versions still run).
type ExpireArgs struct{}

// Kind implements river.JobArgs.
func (ExpireArgs) Kind() string { return "herold.expire_confirmations" }

type expireWorker struct {
	river.WorkerDefaults[ExpireArgs]
	ref *handlerRef
}

func (w *expireWorker) Work(ctx context.Context, _ *river.Job[ExpireArgs]) error {
	h, err := w.ref.get()
	if err != nil {
		return err
	}
	return h.RunDue(ctx)
}

// PurgeArgs purge expired history (periodic).
type PurgeArgs struct{}

// Kind implements river.JobArgs.
func (PurgeArgs) Kind() string { return "herold.purge" }

type purgeWorker struct {
	river.WorkerDefaults[PurgeArgs]
	ref *handlerRef
}

func (w *purgeWorker) Work(ctx context.Context, _ *river.Job[PurgeArgs]) error {
	h, err := w.ref.get()
	if err != nil {
		return err
	}
	return h.Purge(ctx)
}

// DueArgs queue the runs of due schedules (periodic; River's leader
// enqueues it, so it runs once per slot across replicas).
type DueArgs struct{}

// Kind implements river.JobArgs.
func (DueArgs) Kind() string { return "herold.due_schedules" }

type dueWorker struct {
	river.WorkerDefaults[DueArgs]
	ref *handlerRef
}

func (w *dueWorker) Work(ctx context.Context, _ *river.Job[DueArgs]) error {
	h, err := w.ref.get()
	if err != nil {
		return err
	}
	return h.RunDueSchedules(ctx)
}
