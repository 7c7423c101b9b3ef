package sqlite

import (
	"context"
	"database/sql"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

func scanProject(r scanner) (*model.Project, error) {
	var p model.Project
	var flow sql.NullString
	var members, attrs string
	var created, updated int64
	if err := r.Scan(&p.Key, &p.Name, &flow, &members, &attrs, &created, &updated); err != nil {
		return nil, mapErr(err)
	}
	p.Flow = flow.String
	if err := fromJSON(members, &p.Members); err != nil {
		return nil, err
	}
	if err := fromJSON(attrs, &p.Attributes); err != nil {
		return nil, err
	}
	p.CreatedAt, p.UpdatedAt = fromMillis(created), fromMillis(updated)
	return &p, nil
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

func (q queriesImpl) ProjectUpsert(ctx context.Context, ws int64, p *model.Project) (bool, error) {
	prev, err := q.existing(ctx, "ProjectExists", ws, p.Key)
	if err != nil {
		return false, err
	}
	members, attrs := jsonMap(p.Members), jsonMap(p.Attributes)
	if prev != nil {
		p.CreatedAt = fromMillis(*prev)
		_, err := q.db.ExecContext(ctx, query("ProjectUpdate"), p.Name, nullString(p.Flow), members, attrs,
			millis(p.UpdatedAt), ws, p.Key)
		return false, mapErr(err)
	}
	_, err = q.db.ExecContext(ctx, query("ProjectInsert"), ws, p.Key, p.Name, nullString(p.Flow), members, attrs,
		millis(p.CreatedAt), millis(p.UpdatedAt))
	return true, mapErr(err)
}

func (q queriesImpl) ProjectGet(ctx context.Context, ws int64, key string) (*model.Project, error) {
	return scanProject(q.db.QueryRowContext(ctx, query("ProjectGet"), ws, key))
}

func (q queriesImpl) ProjectList(ctx context.Context, p *store.ListParams) ([]*model.Project, error) {
	rows, err := q.db.QueryContext(ctx, query("ProjectList"), p.WorkspaceID, p.After, p.Limit)
	return collect(rows, err, scanProject)
}

func (q queriesImpl) ProjectDelete(ctx context.Context, ws int64, key string) error {
	return affected(q.db.ExecContext(ctx, query("ProjectDelete"), ws, key))
}
