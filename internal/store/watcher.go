package store

import (
	"context"
	"time"

	"github.com/herold-dev/herold/internal/model"
)

// MaxWatchers bounds the watchers of one object: the list lives with the
// object and is loaded with every event about it, so it must not grow
// without bound.
const MaxWatchers = 1000

// WatcherParams name one watcher of one object.
type WatcherParams struct {
	WorkspaceID int64
	Object      model.ObjectRef
	ContactID   string
	// At is stored as the object's updated_at when the list changes.
	At time.Time
}

// WatchedListParams page through the objects a contact watches, ordered by
// collection, then id.
type WatchedListParams struct {
	WorkspaceID int64
	ContactID   string
	// After is the last object of the previous page (zero for the first).
	After model.ObjectRef
	// Limit is the page size (the caller bounds it).
	Limit int
}

// WatcherQueries change an object's watchers (model.Object.Subscribers)
// one at a time. Each change is one statement on the object's row, so two
// writers adding or removing different watchers at once both take effect:
// neither reads the list and writes back a stale copy.
type WatcherQueries interface {
	// WatcherAdd appends the contact to the object's watchers unless it is
	// there already or the object has MaxWatchers; added says whether it
	// was appended. An object that does not exist is ErrNotFound.
	WatcherAdd(ctx context.Context, p *WatcherParams) (added bool, err error)
	// WatcherRemove takes the contact off the object's watchers; removed
	// says whether it was there. An object that does not exist is
	// ErrNotFound.
	WatcherRemove(ctx context.Context, p *WatcherParams) (removed bool, err error)
	// WatchedList lists the objects the contact watches. It reads the
	// workspace's objects (no index on the list), so callers page it.
	WatchedList(ctx context.Context, p *WatchedListParams) ([]model.ObjectRef, error)
}
