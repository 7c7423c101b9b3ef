package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

func scanWebhookEndpoint(r scanner) (*model.WebhookEndpoint, error) {
	var e model.WebhookEndpoint
	var types, outcomes string
	var until sql.NullInt64
	var created, updated int64
	if err := r.Scan(&e.ID, &e.WorkspaceID, &e.URL, &e.Description, &types, &outcomes, &e.Secret, &e.PreviousSecret,
		&until, &e.State, &e.StateReason, &e.Failures, &created, &updated); err != nil {
		return nil, mapErr(err)
	}
	if err := fromJSON(types, &e.EventTypes); err != nil {
		return nil, err
	}
	if err := fromJSON(outcomes, &e.Outcomes); err != nil {
		return nil, err
	}
	e.PreviousUntil = fromNullMillis(until)
	e.CreatedAt, e.UpdatedAt = fromMillis(created), fromMillis(updated)
	return &e, nil
}

func (q queriesImpl) WebhookEndpointInsert(ctx context.Context, e *model.WebhookEndpoint) error {
	_, err := q.db.ExecContext(ctx, query("WebhookEndpointInsert"), e.ID, e.WorkspaceID, e.URL, e.Description,
		jsonList(e.EventTypes), jsonList(e.Outcomes), e.Secret, e.PreviousSecret, nullTime(e.PreviousUntil),
		e.State, e.StateReason, e.Failures, millis(e.CreatedAt), millis(e.UpdatedAt))
	return mapErr(err)
}

func (q queriesImpl) WebhookEndpointGet(ctx context.Context, ws int64, id string) (*model.WebhookEndpoint, error) {
	return scanWebhookEndpoint(q.db.QueryRowContext(ctx, query("WebhookEndpointGet"), ws, id))
}

func (q queriesImpl) WebhookEndpointList(ctx context.Context, ws int64) ([]*model.WebhookEndpoint, error) {
	rows, err := q.db.QueryContext(ctx, query("WebhookEndpointList"), ws)
	return collect(rows, err, scanWebhookEndpoint)
}

func (q queriesImpl) WebhookEndpointUpdate(ctx context.Context, e *model.WebhookEndpoint) error {
	return affected(q.db.ExecContext(ctx, query("WebhookEndpointUpdate"), e.URL, e.Description, jsonList(e.EventTypes),
		jsonList(e.Outcomes), e.Secret, e.PreviousSecret, nullTime(e.PreviousUntil), millis(e.UpdatedAt),
		e.WorkspaceID, e.ID))
}

func (q queriesImpl) WebhookEndpointDelete(ctx context.Context, ws int64, id string) error {
	return affected(q.db.ExecContext(ctx, query("WebhookEndpointDelete"), ws, id))
}

func (q queriesImpl) WebhookEndpointCount(ctx context.Context, p *store.WebhookCountParams) (int, error) {
	var n int
	err := q.db.QueryRowContext(ctx, query("WebhookEndpointCount"), p.Failed, millis(p.At), p.WorkspaceID, p.ID).Scan(&n)
	return n, mapErr(err)
}

func (q queriesImpl) WebhookEndpointSetState(ctx context.Context, p *store.WebhookStateParams) (bool, error) {
	res, err := q.db.ExecContext(ctx, query("WebhookEndpointSetState"), p.To, p.Reason, millis(p.At),
		p.WorkspaceID, p.ID, p.From, p.From)
	if err != nil {
		return false, mapErr(err)
	}
	n, err := res.RowsAffected()
	return n > 0, mapErr(err)
}

func scanWebhookDelivery(r scanner) (*model.WebhookDelivery, error) {
	var d model.WebhookDelivery
	var next sql.NullInt64
	var created, updated int64
	if err := r.Scan(&d.ID, &d.WorkspaceID, &d.EndpointID, &d.Type, &d.EventID, &d.MessageID, &d.Payload, &d.Status,
		&d.Attempts, &next, &d.LastReason, &d.Lease, &created, &updated); err != nil {
		return nil, mapErr(err)
	}
	d.NextAt = fromNullMillis(next)
	d.CreatedAt, d.UpdatedAt = fromMillis(created), fromMillis(updated)
	return &d, nil
}

func (q queriesImpl) WebhookDeliveryInsert(ctx context.Context, d *model.WebhookDelivery) error {
	_, err := q.db.ExecContext(ctx, query("WebhookDeliveryInsert"), d.ID, d.WorkspaceID, d.EndpointID, d.Type,
		d.EventID, d.MessageID, d.Payload, d.Status, d.Attempts, nullTime(d.NextAt), d.LastReason, d.Lease,
		millis(d.CreatedAt), millis(d.UpdatedAt))
	return mapErr(err)
}

func (q queriesImpl) WebhookDeliveryGet(ctx context.Context, ws int64, id string) (*model.WebhookDelivery, error) {
	return scanWebhookDelivery(q.db.QueryRowContext(ctx, query("WebhookDeliveryGet"), ws, id))
}

func (q queriesImpl) WebhookDeliveryUpdate(ctx context.Context, p *store.WebhookDeliveryUpdateParams) error {
	d := p.Delivery
	return affected(q.db.ExecContext(ctx, query("WebhookDeliveryUpdate"), d.Status, d.Attempts, nullTime(d.NextAt),
		d.LastReason, d.Lease, millis(d.UpdatedAt), d.WorkspaceID, d.ID, p.Lease))
}

func (q queriesImpl) WebhookDeliveryList(ctx context.Context, p *store.WebhookDeliveryListParams) ([]*model.WebhookDelivery, error) {
	from, to := nullTime(p.From), nullTime(p.To)
	rows, err := q.db.QueryContext(ctx, query("WebhookDeliveryList"), p.WorkspaceID, p.EndpointID, p.EndpointID,
		p.EventID, p.EventID, p.MessageID, p.MessageID, p.Status, p.Status, from, from, to, to, p.Limit)
	return collect(rows, err, scanWebhookDelivery)
}

func (q queriesImpl) WebhookAttemptInsert(ctx context.Context, a *model.WebhookAttempt) error {
	_, err := q.db.ExecContext(ctx, query("WebhookAttemptInsert"), a.DeliveryID, a.WorkspaceID, a.Number, millis(a.At),
		a.StatusCode, a.Latency.Milliseconds(), a.Excerpt, a.Error, a.Verdict)
	return mapErr(err)
}

func scanWebhookAttempt(r scanner) (*model.WebhookAttempt, error) {
	var a model.WebhookAttempt
	var at, latency int64
	if err := r.Scan(&a.DeliveryID, &a.WorkspaceID, &a.Number, &at, &a.StatusCode, &latency, &a.Excerpt, &a.Error,
		&a.Verdict); err != nil {
		return nil, mapErr(err)
	}
	a.At, a.Latency = fromMillis(at), time.Duration(latency)*time.Millisecond
	return &a, nil
}

func (q queriesImpl) WebhookAttemptList(ctx context.Context, ws int64, deliveryID string) ([]*model.WebhookAttempt, error) {
	rows, err := q.db.QueryContext(ctx, query("WebhookAttemptList"), ws, deliveryID)
	return collect(rows, err, scanWebhookAttempt)
}

func (q queriesImpl) WebhookDeliveryPurge(ctx context.Context, p *store.PurgeParams) (int, error) {
	res, err := q.db.ExecContext(ctx, query("WebhookDeliveryPurge"), p.WorkspaceID, millis(p.Before), p.Limit)
	if err != nil {
		return 0, mapErr(err)
	}
	n, err := res.RowsAffected()
	return int(n), mapErr(err)
}
