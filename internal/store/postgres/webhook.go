package postgres

import (
	"context"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
	"github.com/herold-dev/herold/internal/store/dbutil"
)

func scanWebhookEndpoint(r scanner) (*model.WebhookEndpoint, error) {
	var e model.WebhookEndpoint
	var types, outcomes []byte
	if err := r.Scan(&e.ID, &e.WorkspaceID, &e.URL, &e.Description, &types, &outcomes, &e.Secret, &e.PreviousSecret,
		&e.PreviousUntil, &e.State, &e.StateReason, &e.Failures, &e.CreatedAt, &e.UpdatedAt); err != nil {
		return nil, mapErr(err)
	}
	if err := dbutil.FromJSON(types, &e.EventTypes); err != nil {
		return nil, err
	}
	if err := dbutil.FromJSON(outcomes, &e.Outcomes); err != nil {
		return nil, err
	}
	e.PreviousUntil = utcPtr(e.PreviousUntil)
	e.CreatedAt, e.UpdatedAt = utc(e.CreatedAt), utc(e.UpdatedAt)
	return &e, nil
}

func (q queriesImpl) WebhookEndpointInsert(ctx context.Context, e *model.WebhookEndpoint) error {
	_, err := q.db.Exec(ctx, query("WebhookEndpointInsert"), e.ID, e.WorkspaceID, e.URL, e.Description,
		dbutil.List(e.EventTypes), dbutil.List(e.Outcomes), e.Secret, e.PreviousSecret, e.PreviousUntil,
		e.State, e.StateReason, e.Failures, e.CreatedAt, e.UpdatedAt)
	return mapErr(err)
}

func (q queriesImpl) WebhookEndpointGet(ctx context.Context, ws int64, id string) (*model.WebhookEndpoint, error) {
	return scanWebhookEndpoint(q.db.QueryRow(ctx, query("WebhookEndpointGet"), ws, id))
}

func (q queriesImpl) WebhookEndpointList(ctx context.Context, ws int64) ([]*model.WebhookEndpoint, error) {
	rows, err := q.db.Query(ctx, query("WebhookEndpointList"), ws)
	return collect(rows, err, scanWebhookEndpoint)
}

func (q queriesImpl) WebhookEndpointUpdate(ctx context.Context, e *model.WebhookEndpoint) error {
	return affected(q.db.Exec(ctx, query("WebhookEndpointUpdate"), e.URL, e.Description, dbutil.List(e.EventTypes),
		dbutil.List(e.Outcomes), e.Secret, e.PreviousSecret, e.PreviousUntil, e.UpdatedAt, e.WorkspaceID, e.ID))
}

func (q queriesImpl) WebhookEndpointDelete(ctx context.Context, ws int64, id string) error {
	return affected(q.db.Exec(ctx, query("WebhookEndpointDelete"), ws, id))
}

func (q queriesImpl) WebhookEndpointCount(ctx context.Context, p *store.WebhookCountParams) (int, error) {
	var n int
	err := q.db.QueryRow(ctx, query("WebhookEndpointCount"), p.Failed, p.At, p.WorkspaceID, p.ID).Scan(&n)
	return n, mapErr(err)
}

func (q queriesImpl) WebhookEndpointSetState(ctx context.Context, p *store.WebhookStateParams) (bool, error) {
	tag, err := q.db.Exec(ctx, query("WebhookEndpointSetState"), p.To, p.Reason, p.At, p.WorkspaceID, p.ID, p.From, p.From)
	if err != nil {
		return false, mapErr(err)
	}
	return tag.RowsAffected() > 0, nil
}

func scanWebhookDelivery(r scanner) (*model.WebhookDelivery, error) {
	var d model.WebhookDelivery
	if err := r.Scan(&d.ID, &d.WorkspaceID, &d.EndpointID, &d.Type, &d.EventID, &d.MessageID, &d.Payload, &d.Status,
		&d.Attempts, &d.NextAt, &d.LastReason, &d.Lease, &d.CreatedAt, &d.UpdatedAt); err != nil {
		return nil, mapErr(err)
	}
	d.NextAt = utcPtr(d.NextAt)
	d.CreatedAt, d.UpdatedAt = utc(d.CreatedAt), utc(d.UpdatedAt)
	return &d, nil
}

func (q queriesImpl) WebhookDeliveryInsert(ctx context.Context, d *model.WebhookDelivery) error {
	_, err := q.db.Exec(ctx, query("WebhookDeliveryInsert"), d.ID, d.WorkspaceID, d.EndpointID, d.Type,
		d.EventID, d.MessageID, d.Payload, d.Status, d.Attempts, d.NextAt, d.LastReason, d.Lease,
		d.CreatedAt, d.UpdatedAt)
	return mapErr(err)
}

func (q queriesImpl) WebhookDeliveryGet(ctx context.Context, ws int64, id string) (*model.WebhookDelivery, error) {
	return scanWebhookDelivery(q.db.QueryRow(ctx, query("WebhookDeliveryGet"), ws, id))
}

func (q queriesImpl) WebhookDeliveryUpdate(ctx context.Context, p *store.WebhookDeliveryUpdateParams) error {
	d := p.Delivery
	return affected(q.db.Exec(ctx, query("WebhookDeliveryUpdate"), d.Status, d.Attempts, d.NextAt, d.LastReason,
		d.Lease, d.UpdatedAt, d.WorkspaceID, d.ID, p.Lease))
}

func (q queriesImpl) WebhookDeliveryList(ctx context.Context, p *store.WebhookDeliveryListParams) ([]*model.WebhookDelivery, error) {
	rows, err := q.db.Query(ctx, query("WebhookDeliveryList"), p.WorkspaceID, p.EndpointID, p.EventID, p.MessageID,
		p.Status, p.From, p.To, p.Limit)
	return collect(rows, err, scanWebhookDelivery)
}

func (q queriesImpl) WebhookAttemptInsert(ctx context.Context, a *model.WebhookAttempt) error {
	_, err := q.db.Exec(ctx, query("WebhookAttemptInsert"), a.DeliveryID, a.WorkspaceID, a.Number, a.At,
		a.StatusCode, a.Latency.Milliseconds(), a.Excerpt, a.Error, a.Verdict)
	return mapErr(err)
}

func scanWebhookAttempt(r scanner) (*model.WebhookAttempt, error) {
	var a model.WebhookAttempt
	var latency int64
	if err := r.Scan(&a.DeliveryID, &a.WorkspaceID, &a.Number, &a.At, &a.StatusCode, &latency, &a.Excerpt, &a.Error,
		&a.Verdict); err != nil {
		return nil, mapErr(err)
	}
	a.At, a.Latency = utc(a.At), time.Duration(latency)*time.Millisecond
	return &a, nil
}

func (q queriesImpl) WebhookAttemptList(ctx context.Context, ws int64, deliveryID string) ([]*model.WebhookAttempt, error) {
	rows, err := q.db.Query(ctx, query("WebhookAttemptList"), ws, deliveryID)
	return collect(rows, err, scanWebhookAttempt)
}

func (q queriesImpl) WebhookDeliveryPurge(ctx context.Context, p *store.PurgeParams) (int, error) {
	tag, err := q.db.Exec(ctx, query("WebhookDeliveryPurge"), p.WorkspaceID, p.Before, p.Limit)
	if err != nil {
		return 0, mapErr(err)
	}
	return int(tag.RowsAffected()), nil
}
