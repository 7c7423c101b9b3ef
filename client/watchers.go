package client

import (
	"context"
	"iter"
	"net/http"
)

// Watchers are the contacts that follow an object (a ticket, a project):
// a notification with the recipient "watchers" reaches them for every
// event about the object. They are the object's Subscribers; these calls
// change them one at a time, so two calls at once both take effect and a
// PutObject without Subscribers keeps them.

// watcherList is the API's answer listing an object's watchers.
type watcherList struct {
	Collection string   `json:"collection"`
	ID         string   `json:"id"`
	Watchers   []string `json:"watchers"`
}

func watchersPath(collection, id string) string { return objectPath(collection, id) + "/watchers" }

// Watchers lists the ids of the contacts watching an object, in the order
// they were added; ErrNotFound when there is no such object.
func (c *Client) Watchers(ctx context.Context, collection, id string) ([]string, error) {
	var out watcherList
	if err := c.do(ctx, &request{method: http.MethodGet, path: watchersPath(collection, id), out: &out}); err != nil {
		return nil, err
	}
	return out.Watchers, nil
}

// AddWatcher makes a contact watch an object and returns the watchers
// after the call. Adding a watcher twice changes nothing. ErrNotFound when
// the object or the contact does not exist (FieldErrors names "id" or
// "contact"); ErrConflict when the object has 1000 watchers.
func (c *Client) AddWatcher(ctx context.Context, collection, id, contactID string) ([]string, error) {
	var out watcherList
	err := c.do(ctx, &request{method: http.MethodPut, path: watchersPath(collection, id) + "/" + escape(contactID), out: &out})
	if err != nil {
		return nil, err
	}
	return out.Watchers, nil
}

// RemoveWatcher stops a contact watching an object. Removing one that does
// not watch it changes nothing; ErrNotFound when the object does not
// exist, or when the contact neither watches it nor exists.
func (c *Client) RemoveWatcher(ctx context.Context, collection, id, contactID string) error {
	return c.do(ctx, &request{method: http.MethodDelete, path: watchersPath(collection, id) + "/" + escape(contactID)})
}

// Watching lists the objects a contact watches, by collection and id,
// page by page; ErrNotFound when there is no such contact.
func (c *Client) Watching(ctx context.Context, contactID string) iter.Seq2[*ObjectRef, error] {
	return list[ObjectRef](ctx, c, "/v1/contacts/"+escape(contactID)+"/watching", nil, 0)
}
