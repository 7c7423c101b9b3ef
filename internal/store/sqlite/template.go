package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

func scanTemplate(r scanner) (*model.Template, error) {
	var t model.Template
	var locales string
	var created, updated int64
	if err := r.Scan(&t.Key, &t.Name, &t.Description, &t.Sender.From, &t.Sender.ReplyTo, &locales,
		&created, &updated); err != nil {
		return nil, mapErr(err)
	}
	if err := fromJSON(locales, &t.Locales); err != nil {
		return nil, err
	}
	t.CreatedAt, t.UpdatedAt = fromMillis(created), fromMillis(updated)
	return &t, nil
}

// existing returns the created_at of a row found by an *Exists query, or
// nil when there is none.
func (q queriesImpl) existing(ctx context.Context, name string, args ...any) (*int64, error) {
	var created int64
	err := q.db.QueryRowContext(ctx, query(name), args...).Scan(&created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, mapErr(err)
	}
	return &created, nil
}

func (q queriesImpl) TemplateUpsert(ctx context.Context, ws int64, t *model.Template) (bool, error) {
	prev, err := q.existing(ctx, "TemplateExists", ws, t.Key)
	if err != nil {
		return false, err
	}
	locales := jsonMap(t.Locales)
	if prev != nil {
		t.CreatedAt = fromMillis(*prev)
		_, err := q.db.ExecContext(ctx, query("TemplateUpdate"), t.Name, t.Description, t.Sender.From,
			t.Sender.ReplyTo, locales, millis(t.UpdatedAt), ws, t.Key)
		return false, mapErr(err)
	}
	_, err = q.db.ExecContext(ctx, query("TemplateInsert"), ws, t.Key, t.Name, t.Description, t.Sender.From,
		t.Sender.ReplyTo, locales, millis(t.CreatedAt), millis(t.UpdatedAt))
	return true, mapErr(err)
}

func (q queriesImpl) TemplateGet(ctx context.Context, ws int64, key string) (*model.Template, error) {
	return scanTemplate(q.db.QueryRowContext(ctx, query("TemplateGet"), ws, key))
}

func (q queriesImpl) TemplateGetMany(ctx context.Context, ws int64, keys []string) (map[string]*model.Template, error) {
	rows, err := q.db.QueryContext(ctx, query("TemplateGetMany"), ws, jsonList(keys))
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
	rows, err := q.db.QueryContext(ctx, query("TemplateList"), p.WorkspaceID, p.After, p.Limit)
	return collect(rows, err, scanTemplate)
}

func (q queriesImpl) TemplateDelete(ctx context.Context, ws int64, key string) error {
	rows, err := q.db.QueryContext(ctx, query("TemplateUsage"), ws, key)
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
	return affected(q.db.ExecContext(ctx, query("TemplateDelete"), ws, key))
}
