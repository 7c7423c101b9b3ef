package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
)

// ingestKey creates an ingest-only key with the admin key of e.
func ingestKey(t *testing.T, e *apptest.Env) string {
	t.Helper()
	var out struct {
		Secret string `json:"secret"`
	}
	e.Must(http.StatusCreated, "POST", "/v1/keys", map[string]any{"name": "Buchungssystem", "scopes": []string{"ingest"}}).JSON(t, &out)
	return out.Secret
}

// TestIngestKeyNarrowRead: an ingest key reads one contact's events and
// messages, one event's messages and one message, and nothing more of the
// history; a key of another workspace reads none of it.
func TestIngestKeyNarrowRead(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	e.Must(http.StatusCreated, "PUT", "/v1/templates/tmpl", jobTemplate)
	e.Must(http.StatusCreated, "PUT", "/v1/flows/standard", standardFlow("tmpl"))
	e.Must(http.StatusCreated, "PUT", "/v1/projects/p", map[string]any{"flow": "standard"})
	var ev struct {
		ID       string `json:"id"`
		Messages []struct {
			ID string `json:"id"`
		} `json:"messages"`
	}
	e.Must(http.StatusCreated, "POST", "/v1/events", map[string]any{"type": "job.requested", "project": "p",
		"actors": map[string]any{"promoter": []any{map[string]any{"id": "c-1", "email": "c1@example.org"}}}}).JSON(t, &ev)
	require.Len(t, ev.Messages, 1)
	msg := ev.Messages[0].ID
	ingest := ingestKey(t, e)

	count := func(key, path string) int {
		t.Helper()
		var pg struct {
			Items []map[string]any `json:"items"`
		}
		r := e.DoKey(key, "GET", path, nil)
		require.Equal(t, http.StatusOK, r.Status, "GET %s: %s", path, r.Body)
		r.JSON(t, &pg)
		return len(pg.Items)
	}
	// What it may read: narrowed lists and one message.
	require.Equal(t, 1, count(ingest, "/v1/events?contact=c-1"))
	require.Equal(t, 1, count(ingest, "/v1/messages?contact=c-1"))
	require.Equal(t, 1, count(ingest, "/v1/messages?event="+ev.ID))
	require.Equal(t, 0, count(ingest, "/v1/messages?contact=c-2"))
	require.Equal(t, http.StatusOK, e.DoKey(ingest, "GET", "/v1/messages/"+msg, nil).Status)

	// What it may not: the whole history, an empty filter, other filters
	// alone, the raw mail, the mailbox and the statistics.
	for _, path := range []string{"/v1/events", "/v1/events?contact=", "/v1/events?project=p", "/v1/events?type=job.requested",
		"/v1/messages", "/v1/messages?contact=", "/v1/messages?project=p", "/v1/messages?email=c1@example.org",
		"/v1/messages?status=queued", "/v1/messages/" + msg + "/eml", "/v1/mailbox", "/v1/stats"} {
		r := e.DoKey(ingest, "GET", path, nil)
		require.Equal(t, http.StatusForbidden, r.Status, "GET %s: %s", path, r.Body)
		require.Equal(t, "/problems/forbidden", r.Map(t)["type"], path)
	}
	// The 403 names exactly the filters that would do: events have no
	// ?event= (it was promised, and refused as well).
	require.Equal(t, "an ingest key may list messages only of one contact or one event: add ?contact= or ?event=, or use an admin key",
		e.DoKey(ingest, "GET", "/v1/messages", nil).Map(t)["detail"])
	require.Equal(t, "an ingest key may list events only of one contact: add ?contact=, or use an admin key",
		e.DoKey(ingest, "GET", "/v1/events", nil).Map(t)["detail"])
	r := e.DoKey(ingest, "GET", "/v1/events?event="+ev.ID, nil)
	require.Equal(t, http.StatusForbidden, r.Status, "%s", r.Body)
	require.Equal(t, "an ingest key may list events only of one contact: add ?contact=, or use an admin key", r.Map(t)["detail"])

	// An admin key still lists everything.
	require.Equal(t, 1, count(e.Key, "/v1/messages"))
	require.Equal(t, 1, count(e.Key, "/v1/events"))

	// Another workspace's ingest key sees none of it.
	other := createWorkspace(t, e, "other")
	otherIngest := ingestKey(t, e.WithKey(other))
	require.Equal(t, 0, count(otherIngest, "/v1/events?contact=c-1"))
	require.Equal(t, 0, count(otherIngest, "/v1/messages?contact=c-1"))
	require.Equal(t, 0, count(otherIngest, "/v1/messages?event="+ev.ID))
	require.Equal(t, http.StatusNotFound, e.DoKey(otherIngest, "GET", "/v1/messages/"+msg, nil).Status)
}
