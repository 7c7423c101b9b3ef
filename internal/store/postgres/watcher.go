package postgres

import (
	"context"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

func (q queriesImpl) WatcherAdd(ctx context.Context, p *store.WatcherParams) (bool, error) {
	return q.watcherChange(ctx, p, "WatcherAdd", store.MaxWatchers)
}

func (q queriesImpl) WatcherRemove(ctx context.Context, p *store.WatcherParams) (bool, error) {
	return q.watcherChange(ctx, p, "WatcherRemove")
}

// watcherChange runs one watcher statement; when it changed nothing, it
// tells an object that does not exist (ErrNotFound) from one that needed
// no change.
func (q queriesImpl) watcherChange(ctx context.Context, p *store.WatcherParams, name string, extra ...any) (bool, error) {
	args := append([]any{p.WorkspaceID, p.Object.Collection, p.Object.ID, p.ContactID, p.At}, extra...)
	tag, err := q.db.Exec(ctx, query(name), args...)
	if err != nil {
		return false, mapErr(err)
	}
	if tag.RowsAffected() > 0 {
		return true, nil
	}
	var exists bool
	if err := q.db.QueryRow(ctx, query("ObjectExists"), p.WorkspaceID, p.Object.Collection, p.Object.ID).Scan(&exists); err != nil {
		return false, mapErr(err)
	}
	if !exists {
		return false, store.ErrNotFound
	}
	return false, nil
}

func (q queriesImpl) WatchedList(ctx context.Context, p *store.WatchedListParams) ([]model.ObjectRef, error) {
	rows, err := q.db.Query(ctx, query("WatchedList"), p.WorkspaceID, p.ContactID, p.After.Collection, p.After.ID, p.Limit)
	return collect(rows, err, func(r scanner) (model.ObjectRef, error) {
		var ref model.ObjectRef
		return ref, mapErr(r.Scan(&ref.Collection, &ref.ID))
	})
}
