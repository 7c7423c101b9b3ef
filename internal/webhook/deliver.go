package webhook

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/herold-dev/herold/internal/clock"
	"github.com/herold-dev/herold/internal/delivery"
	"github.com/herold-dev/herold/internal/metrics"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// Store is what a Deliverer needs of the store.
type Store interface {
	WebhookEndpointGet(ctx context.Context, workspaceID int64, id string) (*model.WebhookEndpoint, error)
	WebhookDeliveryGet(ctx context.Context, workspaceID int64, id string) (*model.WebhookDelivery, error)
	WebhookEndpointCount(ctx context.Context, p *store.WebhookCountParams) (int, error)
	WebhookEndpointSetState(ctx context.Context, p *store.WebhookStateParams) (bool, error)
	// WithTx records an attempt with its delivery's new state.
	WithTx(ctx context.Context, fn func(tx store.Tx) error) error
}

// DelivererConfig wires a Deliverer. Store, Sender and Sealer are
// required.
type DelivererConfig struct {
	Store  Store
	Sender *Sender
	// Sealer opens the endpoints' secrets.
	Sealer *Sealer
	// Clock gives the signature's timestamp and every recorded time.
	// Default the system clock.
	Clock clock.Clock
	// Jitter draws the retry delays' randomness in [0, 1). Default
	// math/rand.
	Jitter func() float64
	// Policy is the retry policy, e-mail's by default: 30 s doubling to
	// 1 h, for 24 h.
	Policy delivery.Policy
	// BreakerAfter is the number of failed attempts in a row (over all of
	// an endpoint's deliveries) that pauses the endpoint. Default 20.
	BreakerAfter int
	// OnPause is called once when the breaker pauses an endpoint, to tell
	// the workspace's admins. Optional.
	OnPause func(ctx context.Context, e *model.WebhookEndpoint, reason string)
	Logger  *slog.Logger
	// Metrics counts the attempts; nil counts nothing.
	Metrics *metrics.Metrics
}

// Deliverer makes the attempts of webhook deliveries: it is the one
// function "deliver this payload to endpoint X", whatever the payload is
// about (an event, a message outcome, a notification on the webhook
// channel). The job system calls it and reschedules by its answer.
type Deliverer struct{ cfg DelivererConfig }

// NewDeliverer builds a Deliverer.
func NewDeliverer(cfg DelivererConfig) (*Deliverer, error) {
	if cfg.Store == nil || cfg.Sender == nil || cfg.Sealer == nil {
		return nil, errors.New("webhook: a deliverer needs a store, a sender and a sealer")
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Jitter == nil {
		cfg.Jitter = rand.Float64
	}
	if cfg.BreakerAfter <= 0 {
		cfg.BreakerAfter = 20
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Metrics == nil {
		cfg.Metrics = metrics.Discard()
	}
	return &Deliverer{cfg: cfg}, nil
}

// Result is what Deliver did.
type Result struct {
	// Attempted says a request was made (false for a delivery already
	// done, or waiting for a paused endpoint).
	Attempted bool
	Decision  Decision
}

// Deliver makes one attempt of a pending delivery for the job holding
// lease, and records it: the attempt, the delivery's new status and next
// time, the endpoint's breaker count, and the endpoint's state after a
// 410 Gone or too many failures. A delivery of a paused endpoint waits
// (no attempt; resuming the endpoint queues it again); one of a disabled
// endpoint fails. A job whose lease is no longer the delivery's (it was
// queued again meanwhile) does nothing: the newer job attempts it.
func (d *Deliverer) Deliver(ctx context.Context, workspaceID int64, id, lease string) (Result, error) {
	del, err := d.cfg.Store.WebhookDeliveryGet(ctx, workspaceID, id)
	if errors.Is(err, store.ErrNotFound) {
		return Result{}, nil // deleted with its endpoint
	}
	if err != nil {
		return Result{}, fmt.Errorf("load webhook delivery %s: %w", id, err)
	}
	if del.Status != model.DeliveryPending || del.Lease != lease {
		return Result{}, nil
	}
	ep, err := d.cfg.Store.WebhookEndpointGet(ctx, workspaceID, del.EndpointID)
	if err != nil {
		return Result{}, fmt.Errorf("load webhook endpoint %s: %w", del.EndpointID, err)
	}
	now := d.cfg.Clock.Now().UTC()
	switch ep.State {
	case model.WebhookPaused:
		return Result{}, nil
	case model.WebhookDisabled:
		dec := Decision{Verdict: Failed, Reason: "the endpoint is disabled: " + ep.StateReason}
		return Result{Decision: dec}, d.record(ctx, del, nil, dec, now)
	}
	secrets, err := d.secrets(ep, now)
	if err != nil {
		return Result{}, err
	}
	a := d.cfg.Sender.Send(ctx, Request{URL: ep.URL, Secrets: secrets, ID: del.ID, At: now, Body: del.Payload})
	if ctx.Err() != nil && a.Err != nil {
		// Stopping, not the endpoint's fault: the job runs again.
		return Result{}, ctx.Err()
	}
	dec := Decide(d.cfg.Policy, Input{Attempt: a, Number: del.Attempts + 1, CreatedAt: del.CreatedAt,
		Now: d.cfg.Clock.Now().UTC(), Jitter: d.cfg.Jitter()})
	if err := d.record(ctx, del, &a, dec, now); err != nil {
		return Result{}, err
	}
	d.cfg.Metrics.WebhookAttempts.WithLabelValues(string(dec.Verdict)).Inc()
	d.cfg.Metrics.WebhookDuration.Observe(a.Latency.Seconds())
	if dec.Verdict != Delivered {
		d.cfg.Logger.WarnContext(ctx, "webhook attempt failed", "workspace", workspaceID, "endpoint", ep.ID,
			"delivery", del.ID, "attempt", del.Attempts+1, "status", a.Status, "verdict", string(dec.Verdict),
			"reason", dec.Reason)
	}
	if err := d.afterAttempt(ctx, ep, dec); err != nil {
		// The attempt is recorded; running the job again for the
		// breaker's count would attempt the delivery early.
		d.cfg.Logger.WarnContext(ctx, "could not update the webhook endpoint after an attempt", "workspace", workspaceID,
			"endpoint", ep.ID, "delivery", del.ID, "error", err)
	}
	return Result{Attempted: true, Decision: dec}, nil
}

// secrets returns the endpoint's current secret and, during a rotation's
// overlap, the previous one.
func (d *Deliverer) secrets(ep *model.WebhookEndpoint, now time.Time) ([]string, error) {
	cur, err := d.cfg.Sealer.Open(ep.WorkspaceID, ep.ID, ep.Secret)
	if err != nil {
		return nil, fmt.Errorf("open the secret of webhook endpoint %s: %w", ep.ID, err)
	}
	out := []string{cur}
	if len(ep.PreviousSecret) > 0 && ep.PreviousUntil != nil && now.Before(*ep.PreviousUntil) {
		prev, err := d.cfg.Sealer.Open(ep.WorkspaceID, ep.ID, ep.PreviousSecret)
		if err != nil {
			return nil, fmt.Errorf("open the previous secret of webhook endpoint %s: %w", ep.ID, err)
		}
		out = append(out, prev)
	}
	return out, nil
}

// record stores the attempt (when one was made) and the delivery's new
// state in one transaction.
func (d *Deliverer) record(ctx context.Context, del *model.WebhookDelivery, a *Attempt, dec Decision, at time.Time) error {
	upd := *del
	upd.UpdatedAt, upd.LastReason, upd.NextAt = d.cfg.Clock.Now().UTC(), dec.Reason, nil
	switch dec.Verdict {
	case Delivered:
		upd.Status = model.DeliveryDelivered
	case Retry:
		upd.Status, upd.NextAt = model.DeliveryPending, &dec.Next
	default:
		upd.Status = model.DeliveryFailed
	}
	if a != nil {
		upd.Attempts++
	}
	err := d.cfg.Store.WithTx(ctx, func(tx store.Tx) error {
		if err := tx.WebhookDeliveryUpdate(ctx, &store.WebhookDeliveryUpdateParams{Delivery: &upd, Lease: del.Lease}); err != nil {
			return err
		}
		if a != nil {
			rec := &model.WebhookAttempt{DeliveryID: del.ID, WorkspaceID: del.WorkspaceID, Number: upd.Attempts, At: at,
				StatusCode: a.Status, Latency: a.Latency, Excerpt: a.Excerpt, Verdict: string(dec.Verdict)}
			if a.Err != nil {
				rec.Error = a.Err.Error()
			}
			if err := tx.WebhookAttemptInsert(ctx, rec); err != nil {
				return fmt.Errorf("record webhook attempt: %w", err)
			}
		}
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		// Queued again (replayed) during the attempt: the newer job
		// records its own.
		return nil
	}
	if err != nil {
		return fmt.Errorf("record webhook delivery %s: %w", del.ID, err)
	}
	return nil
}

// afterAttempt counts the attempt for the breaker and changes the
// endpoint's state: disabled after 410 Gone, paused after BreakerAfter
// failures in a row. A refused address counts as a failure too: the
// endpoint's URL points where it must not.
func (d *Deliverer) afterAttempt(ctx context.Context, ep *model.WebhookEndpoint, dec Decision) error {
	now := d.cfg.Clock.Now().UTC()
	if dec.Verdict == Gone {
		_, err := d.cfg.Store.WebhookEndpointSetState(ctx, &store.WebhookStateParams{WorkspaceID: ep.WorkspaceID, ID: ep.ID,
			To: model.WebhookDisabled, Reason: "the endpoint answered 410 Gone", At: now})
		d.cfg.Logger.WarnContext(ctx, "webhook endpoint disabled", "workspace", ep.WorkspaceID, "endpoint", ep.ID,
			"reason", "410 Gone")
		return err
	}
	n, err := d.cfg.Store.WebhookEndpointCount(ctx, &store.WebhookCountParams{WorkspaceID: ep.WorkspaceID, ID: ep.ID,
		Failed: dec.Verdict != Delivered, At: now})
	if err != nil || n < d.cfg.BreakerAfter {
		return err
	}
	reason := fmt.Sprintf("%d failed attempts in a row; last: %s", n, dec.Reason)
	changed, err := d.cfg.Store.WebhookEndpointSetState(ctx, &store.WebhookStateParams{WorkspaceID: ep.WorkspaceID,
		ID: ep.ID, From: model.WebhookActive, To: model.WebhookPaused, Reason: reason, At: now})
	if err != nil || !changed {
		return err
	}
	d.cfg.Logger.WarnContext(ctx, "webhook endpoint paused", "workspace", ep.WorkspaceID, "endpoint", ep.ID, "reason", reason)
	if d.cfg.OnPause != nil {
		d.cfg.OnPause(ctx, ep, reason)
	}
	return nil
}
