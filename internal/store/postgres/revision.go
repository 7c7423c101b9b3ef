package postgres

import (
	"context"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

func scanRevision(r scanner) (*model.ConfigRevision, error) {
	var rev model.ConfigRevision
	var docs string
	if err := r.Scan(&rev.Number, &rev.Author, &rev.Message, &rev.State, &docs, &rev.CreatedAt); err != nil {
		return nil, mapErr(err)
	}
	if docs != "" {
		rev.Documents = []byte(docs)
	}
	rev.CreatedAt = utc(rev.CreatedAt)
	return &rev, nil
}

func (q queriesImpl) ConfigRevisionInsert(ctx context.Context, ws int64, r *model.ConfigRevision) error {
	return mapErr(q.db.QueryRow(ctx, query("ConfigRevisionInsert"), ws, r.Author, r.Message, r.State,
		string(r.Documents), r.CreatedAt).Scan(&r.Number))
}

func (q queriesImpl) ConfigRevisionGet(ctx context.Context, ws int64, number int64) (*model.ConfigRevision, error) {
	return scanRevision(q.db.QueryRow(ctx, query("ConfigRevisionGet"), ws, number))
}

func (q queriesImpl) ConfigRevisionLatest(ctx context.Context, ws int64) (*model.ConfigRevision, error) {
	return scanRevision(q.db.QueryRow(ctx, query("ConfigRevisionLatest"), ws))
}

func (q queriesImpl) ConfigRevisionList(ctx context.Context, p *store.ConfigRevisionListParams) ([]*model.ConfigRevision, error) {
	rows, err := q.db.Query(ctx, query("ConfigRevisionList"), p.WorkspaceID, p.Before, p.Limit)
	return collect(rows, err, scanRevision)
}
