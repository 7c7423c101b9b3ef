package client

import (
	"context"
	"encoding/json"
	"iter"
	"net/http"
	"time"
)

// Object is a record of the host application (task, ticket, job) that
// events and schedules refer to.
type Object struct {
	Collection string `json:"collection"`
	ID         string `json:"id"`
	// Attributes are free data (title, dates, status, …).
	Attributes map[string]any `json:"attributes,omitempty"`
	// Contacts links contact ids by role.
	Contacts map[string][]string `json:"contacts,omitempty"`
	// Subscribers are the contact ids watching the object (its watchers,
	// see AddWatcher). Left empty, PutObject keeps the stored ones.
	Subscribers []string `json:"subscribers,omitempty"`
	// CreatedAt and UpdatedAt are read-only: set in answers, never sent.
	CreatedAt time.Time `json:"created_at,omitzero"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// MarshalJSON writes the fields the API accepts (see Contact.MarshalJSON).
func (o Object) MarshalJSON() ([]byte, error) {
	type plain Object // without this method
	cp := plain(o)
	cp.CreatedAt, cp.UpdatedAt = time.Time{}, time.Time{}
	return json.Marshal(cp)
}

func objectPath(collection, id string) string {
	return "/v1/objects/" + escape(collection) + "/" + escape(id)
}

// Object returns one object.
func (c *Client) Object(ctx context.Context, collection, id string) (*Object, error) {
	var out Object
	if err := c.do(ctx, &request{method: http.MethodGet, path: objectPath(collection, id), out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// PutObject creates or replaces an object.
func (c *Client) PutObject(ctx context.Context, o *Object) error {
	return c.do(ctx, &request{method: http.MethodPut, path: objectPath(o.Collection, o.ID), body: o})
}

// DeleteObject deletes an object; ErrNotFound when there is none.
func (c *Client) DeleteObject(ctx context.Context, collection, id string) error {
	return c.do(ctx, &request{method: http.MethodDelete, path: objectPath(collection, id)})
}

// Objects lists a collection's objects by id, page by page.
func (c *Client) Objects(ctx context.Context, collection string) iter.Seq2[*Object, error] {
	return list[Object](ctx, c, "/v1/objects/"+escape(collection), nil, 0)
}
