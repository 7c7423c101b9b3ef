package sqlite

import (
	"context"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

func (q queriesImpl) WatcherAdd(ctx context.Context, p *store.WatcherParams) (bool, error) {
	return q.watcherChange(ctx, p, "WatcherAdd", p.ContactID, millis(p.At), p.WorkspaceID,
		p.Object.Collection, p.Object.ID, store.MaxWatchers, p.ContactID)
}

func (q queriesImpl) WatcherRemove(ctx context.Context, p *store.WatcherParams) (bool, error) {
	return q.watcherChange(ctx, p, "WatcherRemove", p.ContactID, millis(p.At), p.WorkspaceID,
		p.Object.Collection, p.Object.ID, p.ContactID)
}

// watcherChange runs one watcher statement; when it changed nothing, it
// tells an object that does not exist (ErrNotFound) from one that needed
// no change.
func (q queriesImpl) watcherChange(ctx context.Context, p *store.WatcherParams, name string, args ...any) (bool, error) {
	n, err := rowsAffected(q.db.ExecContext(ctx, query(name), args...))
	if err != nil || n > 0 {
		return n > 0, err
	}
	prev, err := q.existing(ctx, "ObjectExists", p.WorkspaceID, p.Object.Collection, p.Object.ID)
	if err == nil && prev == nil {
		err = store.ErrNotFound
	}
	return false, err
}

func (q queriesImpl) WatchedList(ctx context.Context, p *store.WatchedListParams) ([]model.ObjectRef, error) {
	rows, err := q.db.QueryContext(ctx, query("WatchedList"), p.WorkspaceID, p.After.Collection, p.After.ID,
		p.ContactID, p.Limit)
	return collect(rows, err, scanObjectRef)
}

func scanObjectRef(r scanner) (model.ObjectRef, error) {
	var ref model.ObjectRef
	return ref, mapErr(r.Scan(&ref.Collection, &ref.ID))
}

// WatcherAdd implements store.Queries on the writer.
func (s *Store) WatcherAdd(ctx context.Context, p *store.WatcherParams) (bool, error) {
	return write(ctx, s, func(q store.Tx) (bool, error) { return q.WatcherAdd(ctx, p) })
}

// WatcherRemove implements store.Queries on the writer.
func (s *Store) WatcherRemove(ctx context.Context, p *store.WatcherParams) (bool, error) {
	return write(ctx, s, func(q store.Tx) (bool, error) { return q.WatcherRemove(ctx, p) })
}
