package postgres

import (
	"context"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
	"github.com/herold-dev/herold/internal/store/dbutil"
)

func scanProject(r scanner) (*model.Project, error) {
	var p model.Project
	var flow *string
	var members, attrs []byte
	if err := r.Scan(&p.Key, &p.Name, &flow, &members, &attrs, &p.CreatedAt, &p.UpdatedAt); err != nil {
		return nil, mapErr(err)
	}
	if flow != nil {
		p.Flow = *flow
	}
	if err := dbutil.FromJSON(members, &p.Members); err != nil {
		return nil, err
	}
	if err := dbutil.FromJSON(attrs, &p.Attributes); err != nil {
		return nil, err
	}
	p.CreatedAt, p.UpdatedAt = utc(p.CreatedAt), utc(p.UpdatedAt)
	return &p, nil
}

func (q queriesImpl) ProjectUpsert(ctx context.Context, ws int64, p *model.Project) (bool, error) {
	row := q.db.QueryRow(ctx, query("ProjectUpsert"), ws, p.Key, p.Name, nullString(p.Flow),
		dbutil.Map(p.Members), dbutil.Map(p.Attributes), p.CreatedAt, p.UpdatedAt)
	return upserted(row, &p.CreatedAt)
}

func (q queriesImpl) ProjectGet(ctx context.Context, ws int64, key string) (*model.Project, error) {
	return scanProject(q.db.QueryRow(ctx, query("ProjectGet"), ws, key))
}

func (q queriesImpl) ProjectList(ctx context.Context, p *store.ListParams) ([]*model.Project, error) {
	rows, err := q.db.Query(ctx, query("ProjectList"), p.WorkspaceID, p.After, p.Limit)
	return collect(rows, err, scanProject)
}

func (q queriesImpl) ProjectDelete(ctx context.Context, ws int64, key string) error {
	return affected(q.db.Exec(ctx, query("ProjectDelete"), ws, key))
}
