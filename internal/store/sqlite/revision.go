package sqlite

import (
	"context"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

func scanRevision(r scanner) (*model.ConfigRevision, error) {
	var rev model.ConfigRevision
	var docs string
	var created int64
	if err := r.Scan(&rev.Number, &rev.Author, &rev.Message, &rev.State, &docs, &created); err != nil {
		return nil, mapErr(err)
	}
	if docs != "" {
		rev.Documents = []byte(docs)
	}
	rev.CreatedAt = fromMillis(created)
	return &rev, nil
}

func (q queriesImpl) ConfigRevisionInsert(ctx context.Context, ws int64, r *model.ConfigRevision) error {
	return mapErr(q.db.QueryRowContext(ctx, query("ConfigRevisionInsert"), ws, r.Author, r.Message, r.State,
		string(r.Documents), millis(r.CreatedAt)).Scan(&r.Number))
}

func (q queriesImpl) ConfigRevisionGet(ctx context.Context, ws int64, number int64) (*model.ConfigRevision, error) {
	return scanRevision(q.db.QueryRowContext(ctx, query("ConfigRevisionGet"), ws, number))
}

func (q queriesImpl) ConfigRevisionLatest(ctx context.Context, ws int64) (*model.ConfigRevision, error) {
	return scanRevision(q.db.QueryRowContext(ctx, query("ConfigRevisionLatest"), ws))
}

func (q queriesImpl) ConfigRevisionList(ctx context.Context, p *store.ConfigRevisionListParams) ([]*model.ConfigRevision, error) {
	rows, err := q.db.QueryContext(ctx, query("ConfigRevisionList"), p.WorkspaceID, p.Before, p.Before, p.Limit)
	return collect(rows, err, scanRevision)
}

// ConfigRevisionInsert implements store.Queries.
func (s *Store) ConfigRevisionInsert(ctx context.Context, ws int64, r *model.ConfigRevision) error {
	return exec(ctx, s, func(q store.Tx) error { return q.ConfigRevisionInsert(ctx, ws, r) })
}
