package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestManagedMarkerAndDrift: the cockpit marks flows and templates that
// configuration files manage, in German and English, and shows drift
// once someone edits one by hand; hand-made objects carry no marker.
func TestManagedMarkerAndDrift(t *testing.T) {
	t.Parallel()
	e := startCockpit(t)
	files := []map[string]string{
		{"name": "templates/job.yaml", "content": "apiVersion: herold/v1\nkind: Template\nmetadata: {name: job}\nspec:\n  locales:\n    de: {subject: Job, text: Hallo}\n"},
		{"name": "flows/standard.yaml", "content": "apiVersion: herold/v1\nkind: Flow\nmetadata: {name: standard}\nspec:\n  notifications:\n" +
			"    - {key: job-requested, event_type: job.requested, template: job, recipients: ['role:promoter']}\n"},
		{"name": "projects/messe.yaml", "content": "apiVersion: herold/v1\nkind: Project\nmetadata: {name: messe}\nspec: {flow: standard}\n"},
		{"name": "schedules/daily.yaml", "content": "apiVersion: herold/v1\nkind: Schedule\nmetadata: {name: daily}\nspec:\n" +
			"  cron: 0 6 * * *\n  source: {kind: contacts}\n  condition: 'true'\n  event_type: daily.check\n  project: messe\n" +
			"  occurrence_key: 'd-{{ .contact.id }}'\n"},
	}
	e.Must(http.StatusOK, "POST", "/v1/apply", map[string]any{"files": files})
	e.Must(http.StatusCreated, "PUT", "/v1/flows/by-hand", map[string]any{"notifications": []any{}})

	c := newClient(t, e.URL)
	c.signIn(e.Email, e.Password)
	c.lang = "en"
	_, body := c.get("/flows")
	require.Equal(t, 1, strings.Count(body, "managed by files"), body)
	require.NotContains(t, body, "changed by hand")
	for _, page := range []string{"/templates", "/projects", "/schedules"} {
		_, body = c.get(page)
		require.Contains(t, body, "managed by files", page)
	}

	e.Must(http.StatusOK, "PUT", "/v1/flows/standard/notifications/job-requested", map[string]any{
		"event_type": "job.requested", "template": "job", "recipients": []string{"role:promoter"}, "status": "inactive"})
	_, body = c.get("/flows/standard")
	require.Contains(t, body, "changed by hand since the last apply")
	c.lang = "de"
	_, body = c.get("/flows/standard")
	require.Contains(t, body, "seit dem letzten Apply von Hand geändert")
	_, body = c.get("/flows")
	require.Contains(t, body, "von Hand geändert")
	_, body = c.get("/flows/by-hand")
	require.NotContains(t, body, "aus Dateien verwaltet")
	require.NotContains(t, body, "von Hand geändert")
}
