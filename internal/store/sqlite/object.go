package sqlite

import (
	"context"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

func scanObject(r scanner) (*model.Object, error) {
	var o model.Object
	var attrs, contacts, subs string
	var created, updated int64
	if err := r.Scan(&o.Collection, &o.ID, &attrs, &contacts, &subs, &created, &updated); err != nil {
		return nil, mapErr(err)
	}
	if err := fromJSON(attrs, &o.Attributes); err != nil {
		return nil, err
	}
	if err := fromJSON(contacts, &o.Contacts); err != nil {
		return nil, err
	}
	if err := fromJSON(subs, &o.Subscribers); err != nil {
		return nil, err
	}
	o.CreatedAt, o.UpdatedAt = fromMillis(created), fromMillis(updated)
	return &o, nil
}

func (q queriesImpl) ObjectUpsert(ctx context.Context, ws int64, o *model.Object) (bool, error) {
	prev, err := q.existing(ctx, "ObjectExists", ws, o.Collection, o.ID)
	if err != nil {
		return false, err
	}
	var created int64
	var subs string
	err = q.db.QueryRowContext(ctx, query("ObjectUpsert"), ws, o.Collection, o.ID, jsonMap(o.Attributes),
		jsonMap(o.Contacts), jsonList(o.Subscribers), millis(o.CreatedAt), millis(o.UpdatedAt),
		o.Subscribers == nil).Scan(&created, &subs)
	if err != nil {
		return false, mapErr(err)
	}
	o.CreatedAt = fromMillis(created)
	return prev == nil, fromJSON(subs, &o.Subscribers)
}

func (q queriesImpl) ObjectGet(ctx context.Context, ws int64, ref model.ObjectRef) (*model.Object, error) {
	return scanObject(q.db.QueryRowContext(ctx, query("ObjectGet"), ws, ref.Collection, ref.ID))
}

func (q queriesImpl) ObjectList(ctx context.Context, p *store.ObjectListParams) ([]*model.Object, error) {
	rows, err := q.db.QueryContext(ctx, query("ObjectList"), p.WorkspaceID, p.Collection, p.After, p.Limit)
	return collect(rows, err, scanObject)
}

func (q queriesImpl) ObjectDelete(ctx context.Context, ws int64, ref model.ObjectRef) error {
	return affected(q.db.ExecContext(ctx, query("ObjectDelete"), ws, ref.Collection, ref.ID))
}

func (q queriesImpl) ObjectCollections(ctx context.Context, ws int64) ([]string, error) {
	rows, err := q.db.QueryContext(ctx, query("ObjectCollections"), ws)
	return collect(rows, err, func(r scanner) (string, error) {
		var c string
		return c, mapErr(r.Scan(&c))
	})
}
