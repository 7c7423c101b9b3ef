package service

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// Watchers are the contacts that follow an object (a ticket, a project)
// and receive its events through the recipient form "watchers". They are
// the object's Subscribers: host-app data like the object itself, changed
// one at a time here so that two requests at once lose nothing.

// WatcherList returns the ids of the contacts watching an object, in the
// order they were added.
func (s *Service) WatcherList(ctx context.Context, ws *model.Workspace, ref model.ObjectRef) ([]string, error) {
	o, err := s.ObjectGet(ctx, ws, ref)
	if err != nil {
		return nil, err
	}
	return orEmpty(o.Subscribers), nil
}

// WatcherAdd makes a contact watch an object; added is false when it did
// already. The object and the contact must exist.
func (s *Service) WatcherAdd(ctx context.Context, ws *model.Workspace, ref model.ObjectRef, contactID string) (added bool, err error) {
	if _, err := s.store.ContactGet(ctx, ws.ID, contactID); err != nil {
		return false, watcherNotFound(err, "contact", "contact %q", contactID)
	}
	added, err = s.store.WatcherAdd(ctx, &store.WatcherParams{WorkspaceID: ws.ID, Object: ref, ContactID: contactID, At: s.now()})
	if err != nil || added {
		return added, watcherNotFound(err, "id", "object %q in collection %q", ref.ID, ref.Collection)
	}
	// Nothing changed: listed already, or the list is full.
	ids, err := s.WatcherList(ctx, ws, ref)
	if err != nil {
		return false, err
	}
	if !slices.Contains(ids, contactID) {
		return false, &ConflictError{Detail: fmt.Sprintf("object %q in collection %q has %d watchers, the most allowed; remove one first",
			ref.ID, ref.Collection, store.MaxWatchers)}
	}
	return false, nil
}

// WatcherRemove stops a contact watching an object. Removing a contact
// that does not watch it changes nothing; a contact that neither watches
// it nor exists is not found (a likely typo), while a deleted contact
// still listed can be removed.
func (s *Service) WatcherRemove(ctx context.Context, ws *model.Workspace, ref model.ObjectRef, contactID string) error {
	removed, err := s.store.WatcherRemove(ctx, &store.WatcherParams{WorkspaceID: ws.ID, Object: ref, ContactID: contactID, At: s.now()})
	if err != nil || removed {
		return watcherNotFound(err, "id", "object %q in collection %q", ref.ID, ref.Collection)
	}
	_, err = s.store.ContactGet(ctx, ws.ID, contactID)
	return watcherNotFound(err, "contact", "contact %q", contactID)
}

// WatchedList pages through the objects a contact watches, by collection
// and id. The contact must exist.
func (s *Service) WatchedList(ctx context.Context, ws *model.Workspace, contactID string, p PageParams) (*Page[model.ObjectRef], error) {
	if _, err := s.store.ContactGet(ctx, ws.ID, contactID); err != nil {
		return nil, watcherNotFound(err, "id", "contact %q", contactID)
	}
	return page(ctx, p, func(r model.ObjectRef) string { return r.Collection + "/" + r.ID },
		func(ctx context.Context, after string, limit int) ([]model.ObjectRef, error) {
			// Neither part of the cursor contains "/" (model.ValidName,
			// model.ValidID).
			collection, id, _ := strings.Cut(after, "/")
			return s.store.WatchedList(ctx, &store.WatchedListParams{WorkspaceID: ws.ID, ContactID: contactID,
				After: model.ObjectRef{Collection: collection, ID: id}, Limit: limit})
		})
}

// watcherNotFound names the path parameter of what was not found.
func watcherNotFound(err error, field, format string, args ...any) error {
	if errors.Is(err, store.ErrNotFound) {
		return &NotFoundError{What: fmt.Sprintf(format, args...), Field: field}
	}
	return err
}
