package store

import (
	"context"
	"time"

	"github.com/herold-dev/herold/internal/model"
)

// WebhookCountParams count one attempt of an endpoint for its circuit
// breaker.
type WebhookCountParams struct {
	WorkspaceID int64
	ID          string
	// Failed: a failure adds one, a success resets the count.
	Failed bool
	At     time.Time
}

// WebhookStateParams move an endpoint from one state to another.
type WebhookStateParams struct {
	WorkspaceID int64
	ID          string
	// From, when set, is the state the endpoint must be in: of two
	// replicas pausing an endpoint at once, one changes it (and tells the
	// admins).
	From   string
	To     string
	Reason string
	At     time.Time
}

// WebhookDeliveryUpdateParams save a delivery's new state when its lease
// is still Lease.
type WebhookDeliveryUpdateParams struct {
	Delivery *model.WebhookDelivery
	// Lease is the lease the caller holds; the delivery's own Lease field
	// is the one saved (the same, or a new one when queued again).
	Lease string
}

// WebhookDeliveryListParams select a workspace's deliveries, newest first.
type WebhookDeliveryListParams struct {
	WorkspaceID int64
	// EndpointID, EventID and MessageID narrow the list when set.
	EndpointID string
	EventID    string
	MessageID  string
	// Status narrows the list to one status when set.
	Status string
	// From and To bound the creation time (From inclusive, To exclusive)
	// when set.
	From, To *time.Time
	// Limit is the most rows returned (the caller bounds it).
	Limit int
}

// WebhookQueries are the operations on webhook endpoints, their
// deliveries and attempts. All are scoped by workspace.
type WebhookQueries interface {
	WebhookEndpointInsert(ctx context.Context, e *model.WebhookEndpoint) error
	WebhookEndpointGet(ctx context.Context, workspaceID int64, id string) (*model.WebhookEndpoint, error)
	// WebhookEndpointList lists a workspace's endpoints by creation.
	WebhookEndpointList(ctx context.Context, workspaceID int64) ([]*model.WebhookEndpoint, error)
	// WebhookEndpointUpdate saves what an admin edits: URL, description,
	// subscriptions and secrets.
	WebhookEndpointUpdate(ctx context.Context, e *model.WebhookEndpoint) error
	// WebhookEndpointDelete deletes an endpoint with its deliveries.
	WebhookEndpointDelete(ctx context.Context, workspaceID int64, id string) error
	// WebhookEndpointCount counts an attempt in one statement (replicas
	// delivering at once lose no count) and returns the new count of
	// failures in a row.
	WebhookEndpointCount(ctx context.Context, p *WebhookCountParams) (int, error)
	// WebhookEndpointSetState changes the state (and resets the failure
	// count); changed is false when From did not match.
	WebhookEndpointSetState(ctx context.Context, p *WebhookStateParams) (changed bool, err error)

	WebhookDeliveryInsert(ctx context.Context, d *model.WebhookDelivery) error
	WebhookDeliveryGet(ctx context.Context, workspaceID int64, id string) (*model.WebhookDelivery, error)
	// WebhookDeliveryUpdate saves a delivery's status, attempt count, next
	// time, last reason and lease, if its lease is still p.Lease; else
	// (another job owns it now) ErrNotFound.
	WebhookDeliveryUpdate(ctx context.Context, p *WebhookDeliveryUpdateParams) error
	WebhookDeliveryList(ctx context.Context, p *WebhookDeliveryListParams) ([]*model.WebhookDelivery, error)

	// WebhookDeliveryPurge deletes up to p.Limit deliveries created before
	// p.Before, whatever their status, with their attempts (the
	// workspace's retention), and returns how many.
	WebhookDeliveryPurge(ctx context.Context, p *PurgeParams) (int, error)

	WebhookAttemptInsert(ctx context.Context, a *model.WebhookAttempt) error
	// WebhookAttemptList lists a delivery's attempts in order.
	WebhookAttemptList(ctx context.Context, workspaceID int64, deliveryID string) ([]*model.WebhookAttempt, error)
}
