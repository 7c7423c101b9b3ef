package sqlite

import (
	"context"
	"database/sql"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

func (q queriesImpl) SuppressionUpsert(ctx context.Context, p *store.SuppressionUpsertParams) (bool, error) {
	s := p.Suppression
	s.Email = model.SuppressionKey(s.Email)
	var n int
	if err := q.db.QueryRowContext(ctx, query("SuppressionExists"), p.WorkspaceID, s.Email).Scan(&n); err != nil {
		return false, mapErr(err)
	}
	var expires sql.NullInt64
	if s.ExpiresAt != nil {
		expires = sql.NullInt64{Int64: millis(*s.ExpiresAt), Valid: true}
	}
	_, err := q.db.ExecContext(ctx, query("SuppressionUpsert"), p.WorkspaceID, s.Email, string(s.Kind), s.Evidence,
		s.MessageID, millis(s.CreatedAt), expires)
	return n == 0, mapErr(err)
}

func (q queriesImpl) SuppressionGetMany(ctx context.Context, ws int64, emails []string) (map[string]*model.Suppression, error) {
	out := make(map[string]*model.Suppression, len(emails))
	if len(emails) == 0 {
		return out, nil
	}
	keys := make([]string, len(emails))
	for i, e := range emails {
		keys[i] = model.SuppressionKey(e)
	}
	rows, err := q.db.QueryContext(ctx, query("SuppressionGetMany"), ws, jsonList(keys))
	list, err := collect(rows, err, scanSuppression)
	if err != nil {
		return nil, err
	}
	for _, s := range list {
		out[s.Email] = s
	}
	return out, nil
}

func (q queriesImpl) SuppressionList(ctx context.Context, p *store.SuppressionListParams) ([]*model.Suppression, error) {
	rows, err := q.db.QueryContext(ctx, query("SuppressionList"), p.WorkspaceID, p.After, p.Search, p.Limit)
	return collect(rows, err, scanSuppression)
}

func (q queriesImpl) SuppressionDelete(ctx context.Context, ws int64, email string) error {
	return affected(q.db.ExecContext(ctx, query("SuppressionDelete"), ws, model.SuppressionKey(email)))
}

func scanSuppression(r scanner) (*model.Suppression, error) {
	var s model.Suppression
	var created int64
	var expires sql.NullInt64
	if err := r.Scan(&s.Email, &s.Kind, &s.Evidence, &s.MessageID, &created, &expires); err != nil {
		return nil, mapErr(err)
	}
	s.CreatedAt, s.ExpiresAt = fromMillis(created), fromNullMillis(expires)
	return &s, nil
}
