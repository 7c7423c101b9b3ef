package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
)

// createWorkspace makes a second workspace through the operator API and
// returns its admin key.
func createWorkspace(t *testing.T, e *apptest.Env, key string) string {
	t.Helper()
	var out struct {
		Workspace struct {
			Key string `json:"key"`
		} `json:"workspace"`
		APIKey struct {
			Secret string   `json:"secret"`
			Scopes []string `json:"scopes"`
		} `json:"api_key"`
	}
	// It may send as the shared fixtures' domain, like an installed tenant.
	e.Must(http.StatusCreated, "POST", "/v1/workspaces", map[string]any{"key": key, "name": "Other",
		"allowed_senders": []string{"agentur-nord.example"}}).JSON(t, &out)
	require.Equal(t, key, out.Workspace.Key)
	require.NotEmpty(t, out.APIKey.Secret)
	require.ElementsMatch(t, []string{"admin", "ingest"}, out.APIKey.Scopes)
	return out.APIKey.Secret
}

// TestTenantIsolation: a key of one workspace sees, changes and lists
// nothing of another, for every resource.
func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	other := createWorkspace(t, e, "other")

	// Workspace A (default) has one of everything.
	e.Must(http.StatusCreated, "PUT", "/v1/templates/tmpl", jobTemplate)
	e.Must(http.StatusCreated, "PUT", "/v1/flows/standard", standardFlow("tmpl"))
	e.Must(http.StatusCreated, "PUT", "/v1/contacts/c-1", map[string]any{"email": "a@example.org"})
	e.Must(http.StatusCreated, "PUT", "/v1/projects/p", map[string]any{"flow": "standard", "members": map[string]any{"promoter": []string{"c-1"}}})
	e.Must(http.StatusCreated, "PUT", "/v1/objects/tasks/t-1", map[string]any{"subscribers": []string{"c-1"}})
	e.Must(http.StatusCreated, "PUT", "/v1/broadcasts/nl", map[string]any{"category": "newsletter", "template": "tmpl"})

	resources := []string{
		"/v1/templates/tmpl", "/v1/flows/standard", "/v1/flows/standard/notifications/job-requested",
		"/v1/contacts/c-1", "/v1/projects/p", "/v1/objects/tasks/t-1", "/v1/broadcasts/nl",
	}
	lists := []string{"/v1/templates", "/v1/flows", "/v1/contacts", "/v1/projects", "/v1/objects/tasks", "/v1/keys", "/v1/broadcasts"}
	for _, action := range []string{"start", "pause", "resume", "cancel", "preview"} {
		require.Equal(t, http.StatusNotFound, e.DoKey(other, "POST", "/v1/broadcasts/nl/"+action, nil).Status, "%s leaks", action)
	}
	require.Equal(t, http.StatusNotFound, e.DoKey(other, "GET", "/v1/broadcasts/nl/report", nil).Status)
	// B's broadcast with A's template key does not resolve.
	r := e.DoKey(other, "PUT", "/v1/broadcasts/nl", map[string]any{"category": "newsletter", "template": "tmpl"})
	require.Equal(t, 422, r.Status)
	requireField(t, r.Map(t), "template", "unknown_reference")

	for _, path := range resources {
		require.Equal(t, http.StatusNotFound, e.DoKey(other, "GET", path, nil).Status, "GET %s leaks", path)
		require.Equal(t, http.StatusNotFound, e.DoKey(other, "DELETE", path, nil).Status, "DELETE %s leaks", path)
	}
	for _, path := range lists {
		var pg struct {
			Items []map[string]any `json:"items"`
		}
		r := e.DoKey(other, "GET", path, nil)
		require.Equal(t, http.StatusOK, r.Status)
		r.JSON(t, &pg)
		if path == "/v1/keys" {
			require.Len(t, pg.Items, 1, "workspace B sees only its own key")
			continue
		}
		require.Empty(t, pg.Items, "GET %s lists another workspace's data", path)
	}
	// References across workspaces do not resolve.
	r = e.DoKey(other, "PUT", "/v1/projects/p2", map[string]any{"flow": "standard"})
	require.Equal(t, 422, r.Status)
	requireField(t, r.Map(t), "flow", "unknown_reference")
	r = e.DoKey(other, "PUT", "/v1/flows/f", standardFlow("tmpl"))
	require.Equal(t, 422, r.Status)
	requireField(t, r.Map(t), "notifications[0].template", "unknown_reference")
	r = e.DoKey(other, "PUT", "/v1/objects/tasks/t-2", map[string]any{"subscribers": []string{"c-1"}})
	require.Equal(t, 422, r.Status)
	requireField(t, r.Map(t), "subscribers[0]", "unknown_reference")
	r = e.DoKey(other, "POST", "/v1/flows/standard/notifications", map[string]any{"event_type": "a.b", "template": "tmpl", "recipients": []string{"role:x"}})
	require.Equal(t, http.StatusNotFound, r.Status)
	r = e.DoKey(other, "POST", "/v1/templates/tmpl/preview", map[string]any{})
	require.Equal(t, http.StatusNotFound, r.Status)

	// The same keys in B are separate resources; A's stay untouched.
	require.Equal(t, http.StatusCreated, e.DoKey(other, "PUT", "/v1/contacts/c-1", map[string]any{"email": "b@example.org"}).Status)
	require.Equal(t, http.StatusCreated, e.DoKey(other, "PUT", "/v1/objects/tasks/t-1", map[string]any{}).Status)
	c := e.Must(http.StatusOK, "GET", "/v1/contacts/c-1", nil).Map(t)
	require.Equal(t, "a@example.org", c["email"])
	o := e.Must(http.StatusOK, "GET", "/v1/objects/tasks/t-1", nil).Map(t)
	require.Equal(t, []any{"c-1"}, o["subscribers"])

	// B cannot revoke A's key.
	var keys struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	e.Must(http.StatusOK, "GET", "/v1/keys", nil).JSON(t, &keys)
	require.NotEmpty(t, keys.Items)
	require.Equal(t, http.StatusNotFound, e.DoKey(other, "DELETE", "/v1/keys/"+keys.Items[0].ID, nil).Status)
	e.Must(http.StatusOK, "GET", "/v1/workspace", nil)
	ws := e.DoKey(other, "GET", "/v1/workspace", nil).Map(t)
	require.Equal(t, "other", ws["key"])
	// Only operators manage workspaces.
	require.Equal(t, http.StatusForbidden, e.DoKey(other, "GET", "/v1/workspaces", nil).Status)
	require.Equal(t, http.StatusForbidden, e.DoKey(other, "POST", "/v1/workspaces", map[string]any{"key": "third"}).Status)
}

func TestAuthentication(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	r := e.DoKey("", "GET", "/v1/templates", nil)
	require.Equal(t, http.StatusUnauthorized, r.Status)
	require.Contains(t, r.Header.Get("WWW-Authenticate"), "Bearer")
	require.Equal(t, http.StatusUnauthorized, e.DoKey("hk_wrong_key_wrong_key_wrong", "GET", "/v1/templates", nil).Status)

	// An ingest key may sync contacts but not configure flows.
	var k struct {
		ID     string `json:"id"`
		Secret string `json:"secret"`
	}
	e.Must(http.StatusCreated, "POST", "/v1/keys", map[string]any{"name": "booking", "scopes": []string{"ingest"}}).JSON(t, &k)
	require.NotEmpty(t, k.Secret)
	require.Equal(t, http.StatusCreated, e.DoKey(k.Secret, "PUT", "/v1/contacts/c-1", map[string]any{"email": "a@example.org"}).Status)
	r = e.DoKey(k.Secret, "PUT", "/v1/templates/t", jobTemplate)
	require.Equal(t, http.StatusForbidden, r.Status)
	require.Contains(t, r.Map(t)["detail"], "admin")
	require.Equal(t, http.StatusForbidden, e.DoKey(k.Secret, "POST", "/v1/keys", map[string]any{"scopes": []string{"admin"}}).Status)

	// Keys are listed without secrets, and revoking works at once.
	keys := e.Must(http.StatusOK, "GET", "/v1/keys", nil)
	require.NotContains(t, string(keys.Body), k.Secret)
	e.Must(http.StatusNoContent, "DELETE", "/v1/keys/"+k.ID, nil)
	require.Equal(t, http.StatusUnauthorized, e.DoKey(k.Secret, "GET", "/v1/contacts/c-1", nil).Status)

	// Public endpoints need no key.
	require.Equal(t, http.StatusOK, e.DoKey("", "GET", "/healthz", nil).Status)
	require.Equal(t, http.StatusOK, e.DoKey("", "GET", "/readyz", nil).Status)
	require.Equal(t, http.StatusOK, e.DoKey("", "GET", "/v1/openapi.json", nil).Status)
}
