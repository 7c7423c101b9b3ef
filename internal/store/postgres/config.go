package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
	"github.com/herold-dev/herold/internal/store/dbutil"
)

func scanTemplate(r scanner) (*model.Template, error) {
	var t model.Template
	var locales []byte
	if err := r.Scan(&t.Key, &t.Name, &t.Description, &t.Sender.From, &t.Sender.ReplyTo, &locales,
		&t.CreatedAt, &t.UpdatedAt); err != nil {
		return nil, mapErr(err)
	}
	if err := dbutil.FromJSON(locales, &t.Locales); err != nil {
		return nil, err
	}
	t.CreatedAt, t.UpdatedAt = utc(t.CreatedAt), utc(t.UpdatedAt)
	return &t, nil
}

// upserted reads the RETURNING created_at, (xmax = 0) of an upsert: the
// row's original creation time and whether this statement created it.
func upserted(row pgx.Row, createdAt *time.Time) (bool, error) {
	var at time.Time
	var created bool
	if err := row.Scan(&at, &created); err != nil {
		return false, mapErr(err)
	}
	*createdAt = utc(at)
	return created, nil
}

func (q queriesImpl) TemplateUpsert(ctx context.Context, ws int64, t *model.Template) (bool, error) {
	row := q.db.QueryRow(ctx, query("TemplateUpsert"), ws, t.Key, t.Name, t.Description, t.Sender.From,
		t.Sender.ReplyTo, dbutil.Map(t.Locales), t.CreatedAt, t.UpdatedAt)
	return upserted(row, &t.CreatedAt)
}

func (q queriesImpl) TemplateGet(ctx context.Context, ws int64, key string) (*model.Template, error) {
	return scanTemplate(q.db.QueryRow(ctx, query("TemplateGet"), ws, key))
}

func (q queriesImpl) TemplateGetMany(ctx context.Context, ws int64, keys []string) (map[string]*model.Template, error) {
	rows, err := q.db.Query(ctx, query("TemplateGetMany"), ws, keys)
	list, err := collect(rows, err, scanTemplate)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*model.Template, len(list))
	for _, t := range list {
		out[t.Key] = t
	}
	return out, nil
}

func (q queriesImpl) TemplateList(ctx context.Context, p *store.ListParams) ([]*model.Template, error) {
	rows, err := q.db.Query(ctx, query("TemplateList"), p.WorkspaceID, p.After, p.Limit)
	return collect(rows, err, scanTemplate)
}

func (q queriesImpl) TemplateDelete(ctx context.Context, ws int64, key string) error {
	rows, err := q.db.Query(ctx, query("TemplateUsage"), ws, key)
	users, err := collect(rows, err, func(r scanner) (string, error) {
		var flow, n string
		err := r.Scan(&flow, &n)
		return fmt.Sprintf("flow %s, notification %s", flow, n), err
	})
	if err != nil {
		return err
	}
	if len(users) > 0 {
		return &store.InUseError{UsedBy: users}
	}
	return affected(q.db.Exec(ctx, query("TemplateDelete"), ws, key))
}
