package client_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/client"
)

// TestWatchers: a host app adds and removes an object's watchers one at a
// time, idempotently; a PutObject without subscribers keeps them; unknown
// objects and contacts are ErrNotFound naming the path parameter; another
// workspace sees none of it.
func TestWatchers(t *testing.T) {
	t.Parallel()
	e, c := start(t)
	ctx := context.Background()
	for _, id := range []string{"anna", "ben"} {
		require.NoError(t, c.PutContact(ctx, &client.Contact{ID: id, Email: id + "@example.org"}))
	}
	require.NoError(t, c.PutObject(ctx, &client.Object{Collection: "tickets", ID: "4711", Attributes: map[string]any{"title": "Drucker"}}))

	ws, err := c.AddWatcher(ctx, "tickets", "4711", "anna")
	require.NoError(t, err)
	require.Equal(t, []string{"anna"}, ws)
	ws, err = c.AddWatcher(ctx, "tickets", "4711", "ben")
	require.NoError(t, err)
	require.Equal(t, []string{"anna", "ben"}, ws)
	ws, err = c.AddWatcher(ctx, "tickets", "4711", "anna")
	require.NoError(t, err)
	require.Equal(t, []string{"anna", "ben"}, ws, "adding a watcher again changes nothing")
	r := e.Do("PUT", "/v1/objects/tickets/4711/watchers/anna", nil)
	require.Equal(t, http.StatusOK, r.Status, "201 only when added")

	// The host app syncs the object without subscribers: the watchers stay.
	require.NoError(t, c.PutObject(ctx, &client.Object{Collection: "tickets", ID: "4711", Attributes: map[string]any{"title": "Drucker kaputt"}}))
	ws, err = c.Watchers(ctx, "tickets", "4711")
	require.NoError(t, err)
	require.Equal(t, []string{"anna", "ben"}, ws)

	require.NoError(t, c.PutObject(ctx, &client.Object{Collection: "projects", ID: "messe", Subscribers: []string{"anna"}}))
	var watched []client.ObjectRef
	for ref, err := range client.MustNew(c.BaseURL(), e.Key, client.WithPageSize(1)).Watching(ctx, "anna") {
		require.NoError(t, err)
		watched = append(watched, *ref)
	}
	require.Equal(t, []client.ObjectRef{{Collection: "projects", ID: "messe"}, {Collection: "tickets", ID: "4711"}}, watched)

	require.NoError(t, c.RemoveWatcher(ctx, "tickets", "4711", "anna"))
	require.NoError(t, c.RemoveWatcher(ctx, "tickets", "4711", "anna"), "removing twice is fine")
	ws, err = c.Watchers(ctx, "tickets", "4711")
	require.NoError(t, err)
	require.Equal(t, []string{"ben"}, ws)

	notFound := func(err error, field string) {
		t.Helper()
		require.ErrorIs(t, err, client.ErrNotFound)
		fe := client.FieldErrors(err)
		require.Len(t, fe, 1)
		require.Equal(t, field, fe[0].Field)
		require.Equal(t, client.CodeUnknownReference, fe[0].Code)
	}
	_, err = c.AddWatcher(ctx, "tickets", "4711", "nobody")
	notFound(err, "contact")
	_, err = c.AddWatcher(ctx, "tickets", "404", "anna")
	notFound(err, "id")
	_, err = c.Watchers(ctx, "tickets", "404")
	require.ErrorIs(t, err, client.ErrNotFound)
	notFound(c.RemoveWatcher(ctx, "tickets", "404", "ben"), "id")
	notFound(c.RemoveWatcher(ctx, "tickets", "4711", "nobody"), "contact")
	for _, err := range c.Watching(ctx, "nobody") {
		notFound(err, "id")
	}

	// Another workspace: the same ids, nothing visible or changeable.
	var created struct {
		APIKey struct {
			Secret string `json:"secret"`
		} `json:"api_key"`
	}
	e.Must(http.StatusCreated, "POST", "/v1/workspaces", map[string]any{"key": "other", "name": "Other"}).JSON(t, &created)
	other := client.MustNew(c.BaseURL(), created.APIKey.Secret)
	require.NoError(t, other.PutContact(ctx, &client.Contact{ID: "anna", Email: "anna@example.org"}))
	_, err = other.Watchers(ctx, "tickets", "4711")
	require.ErrorIs(t, err, client.ErrNotFound)
	_, err = other.AddWatcher(ctx, "tickets", "4711", "anna")
	notFound(err, "id")
	require.ErrorIs(t, other.RemoveWatcher(ctx, "tickets", "4711", "ben"), client.ErrNotFound)
	for ref, err := range other.Watching(ctx, "anna") {
		require.NoError(t, err)
		t.Errorf("the other workspace's anna watches %v", ref)
	}
	ws, err = c.Watchers(ctx, "tickets", "4711")
	require.NoError(t, err)
	require.Equal(t, []string{"ben"}, ws, "untouched by the other workspace")
}
