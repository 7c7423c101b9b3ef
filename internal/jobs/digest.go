package jobs

import (
	"context"

	"github.com/riverqueue/river"
)

// DigestArgs close the digests whose window has passed (periodic; River's
// leader enqueues it, and each digest is claimed with a conditional
// update, so two replicas never close one twice).
type DigestArgs struct{}

// Kind implements river.JobArgs.
func (DigestArgs) Kind() string { return "herold.close_digests" }

type digestWorker struct {
	river.WorkerDefaults[DigestArgs]
	ref *handlerRef
}

func (w *digestWorker) Work(ctx context.Context, _ *river.Job[DigestArgs]) error {
	h, err := w.ref.get()
	if err != nil {
		return err
	}
	return h.CloseDigests(ctx)
}
