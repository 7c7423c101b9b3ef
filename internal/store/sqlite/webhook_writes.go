package sqlite

import (
	"context"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// The writing webhook methods run on the writer (see writes.go).

// WebhookEndpointInsert implements store.Queries.
func (s *Store) WebhookEndpointInsert(ctx context.Context, e *model.WebhookEndpoint) error {
	return exec(ctx, s, func(q store.Tx) error { return q.WebhookEndpointInsert(ctx, e) })
}

// WebhookEndpointUpdate implements store.Queries.
func (s *Store) WebhookEndpointUpdate(ctx context.Context, e *model.WebhookEndpoint) error {
	return exec(ctx, s, func(q store.Tx) error { return q.WebhookEndpointUpdate(ctx, e) })
}

// WebhookEndpointDelete implements store.Queries.
func (s *Store) WebhookEndpointDelete(ctx context.Context, ws int64, id string) error {
	return exec(ctx, s, func(q store.Tx) error { return q.WebhookEndpointDelete(ctx, ws, id) })
}

// WebhookEndpointCount implements store.Queries.
func (s *Store) WebhookEndpointCount(ctx context.Context, p *store.WebhookCountParams) (int, error) {
	return write(ctx, s, func(q store.Tx) (int, error) { return q.WebhookEndpointCount(ctx, p) })
}

// WebhookEndpointSetState implements store.Queries.
func (s *Store) WebhookEndpointSetState(ctx context.Context, p *store.WebhookStateParams) (bool, error) {
	return write(ctx, s, func(q store.Tx) (bool, error) { return q.WebhookEndpointSetState(ctx, p) })
}

// WebhookDeliveryInsert implements store.Queries.
func (s *Store) WebhookDeliveryInsert(ctx context.Context, d *model.WebhookDelivery) error {
	return exec(ctx, s, func(q store.Tx) error { return q.WebhookDeliveryInsert(ctx, d) })
}

// WebhookDeliveryUpdate implements store.Queries.
func (s *Store) WebhookDeliveryUpdate(ctx context.Context, p *store.WebhookDeliveryUpdateParams) error {
	return exec(ctx, s, func(q store.Tx) error { return q.WebhookDeliveryUpdate(ctx, p) })
}

// WebhookAttemptInsert implements store.Queries.
func (s *Store) WebhookAttemptInsert(ctx context.Context, a *model.WebhookAttempt) error {
	return exec(ctx, s, func(q store.Tx) error { return q.WebhookAttemptInsert(ctx, a) })
}

// WebhookDeliveryPurge implements store.Queries.
func (s *Store) WebhookDeliveryPurge(ctx context.Context, p *store.PurgeParams) (int, error) {
	return write(ctx, s, func(q store.Tx) (int, error) { return q.WebhookDeliveryPurge(ctx, p) })
}
