package jobs

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"github.com/herold-dev/herold/internal/store"
)

// WebhookHandler makes webhook attempts; the service implements it.
type WebhookHandler interface {
	// DeliverWebhook makes one attempt of a pending webhook delivery and
	// returns how long until the next one (0: the delivery is done,
	// delivered or given up, or waits for its paused endpoint).
	DeliverWebhook(ctx context.Context, workspaceID int64, deliveryID, lease string) (retryIn time.Duration, err error)
}

// WebhookArgs attempt one webhook delivery. The job lives as long as the
// delivery is pending: each failed attempt snoozes it until the next
// (Herold's backoff with jitter and Retry-After, not River's), so the
// retries of hours are River's scheduled jobs, across replicas and
// restarts.
type WebhookArgs struct {
	WorkspaceID int64  `json:"workspace_id"`
	DeliveryID  string `json:"delivery_id"`
	// Lease is the delivery's lease when queued: a job whose lease is no
	// longer the delivery's (queued again by a replay) does nothing.
	Lease string `json:"lease"`
}

// Kind implements river.JobArgs.
func (WebhookArgs) Kind() string { return "herold.webhook" }

type webhookWorker struct {
	river.WorkerDefaults[WebhookArgs]
	ref *handlerRef
}

func (w *webhookWorker) Work(ctx context.Context, job *river.Job[WebhookArgs]) error {
	h, err := w.ref.get()
	if err != nil {
		return err
	}
	wh, ok := h.(WebhookHandler)
	if !ok {
		return river.JobCancel(errNoWebhookHandler)
	}
	in, err := wh.DeliverWebhook(ctx, job.Args.WorkspaceID, job.Args.DeliveryID, job.Args.Lease)
	if err != nil {
		return err
	}
	if in > 0 {
		return river.JobSnooze(in)
	}
	return nil
}

var errNoWebhookHandler = errors.New("jobs: the handler makes no webhook attempts")

// EnqueueWebhookTx queues the attempts of a webhook delivery under lease
// in the transaction that stores the delivery with that lease.
func (j *Jobs) EnqueueWebhookTx(ctx context.Context, tx store.Tx, workspaceID int64, deliveryID, lease string) error {
	return j.client.insertTx(ctx, tx, WebhookArgs{WorkspaceID: workspaceID, DeliveryID: deliveryID, Lease: lease}, nil)
}
