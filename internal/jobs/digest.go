package jobs

import (
	"context"

	"github.com/riverqueue/river"

	"github.com/herold-dev/herold/internal/store"
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

// EnqueueDigestsTx queues a run of the closing job in tx, the transaction
// that filled a digest (max_items reached), so that it is sent at once
// rather than at the periodic job's next run. Two runs at once are
// harmless: each digest is claimed once.
func (j *Jobs) EnqueueDigestsTx(ctx context.Context, tx store.Tx) error {
	return j.client.insertTx(ctx, tx, DigestArgs{}, nil)
}
