package postgres

import (
	"context"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

func (q queriesImpl) SuppressionUpsert(ctx context.Context, p *store.SuppressionUpsertParams) (bool, error) {
	s := p.Suppression
	s.Email = model.SuppressionKey(s.Email)
	var created bool
	err := q.db.QueryRow(ctx, query("SuppressionUpsert"), p.WorkspaceID, s.Email, string(s.Kind), s.Evidence,
		s.MessageID, s.CreatedAt, s.ExpiresAt).Scan(&created)
	return created, mapErr(err)
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
	rows, err := q.db.Query(ctx, query("SuppressionGetMany"), ws, keys)
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
	rows, err := q.db.Query(ctx, query("SuppressionList"), p.WorkspaceID, p.After, p.Search, p.Limit)
	return collect(rows, err, scanSuppression)
}

func (q queriesImpl) SuppressionDelete(ctx context.Context, ws int64, email string) error {
	return affected(q.db.Exec(ctx, query("SuppressionDelete"), ws, model.SuppressionKey(email)))
}

func scanSuppression(r scanner) (*model.Suppression, error) {
	var s model.Suppression
	if err := r.Scan(&s.Email, &s.Kind, &s.Evidence, &s.MessageID, &s.CreatedAt, &s.ExpiresAt); err != nil {
		return nil, mapErr(err)
	}
	s.CreatedAt, s.ExpiresAt = utc(s.CreatedAt), utcPtr(s.ExpiresAt)
	return &s, nil
}
