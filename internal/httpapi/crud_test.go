package httpapi_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
)

var jobTemplate = map[string]any{
	"name":   "Job request",
	"sender": map[string]any{"from": "Agentur Nord <jobs@agentur-nord.example>"},
	"locales": map[string]any{
		"de": map[string]any{
			"subject": "Neue Jobanfrage: {{ .data.job }}",
			"html":    "<p>Hallo {{ .recipient.name }},</p><p>neuer Job: {{ .data.job }}</p>",
			"text":    "Hallo {{ .recipient.name }}, neuer Job: {{ .data.job }}",
		},
		"en": map[string]any{"subject": "New job request: {{ .data.job }}", "text": "Hello {{ .recipient.name }}"},
	},
}

func standardFlow(template string) map[string]any {
	return map[string]any{
		"name": "Standard",
		"notifications": []any{
			map[string]any{"key": "job-requested", "event_type": "job.requested", "template": template,
				"recipients": []string{"role:promoter"}, "bcc": []string{"role:agency"}},
			map[string]any{"key": "booking-confirmed", "event_type": "booking.confirmed", "template": template,
				"recipients": []string{"role:promoter"}, "status": "confirm"},
		},
	}
}

func TestTemplatesCRUD(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	r := e.Must(http.StatusCreated, "PUT", "/v1/templates/job-request", jobTemplate)
	got := r.Map(t)
	require.Equal(t, "job-request", got["key"])
	require.Equal(t, "Job request", got["name"])
	e.Must(http.StatusOK, "PUT", "/v1/templates/job-request", jobTemplate)

	got = e.Must(http.StatusOK, "GET", "/v1/templates/job-request", nil).Map(t)
	require.Equal(t, "Neue Jobanfrage: {{ .data.job }}", got["locales"].(map[string]any)["de"].(map[string]any)["subject"])
	require.Equal(t, "Agentur Nord <jobs@agentur-nord.example>", got["sender"].(map[string]any)["from"])

	list := e.Must(http.StatusOK, "GET", "/v1/templates", nil).Map(t)
	require.Len(t, list["items"], 1)

	e.Must(http.StatusNoContent, "DELETE", "/v1/templates/job-request", nil)
	e.Must(http.StatusNotFound, "GET", "/v1/templates/job-request", nil)
	e.Must(http.StatusNotFound, "DELETE", "/v1/templates/job-request", nil)
}

func TestTemplateInUseCannotBeDeleted(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	e.Must(http.StatusCreated, "PUT", "/v1/templates/job-request", jobTemplate)
	e.Must(http.StatusCreated, "PUT", "/v1/flows/standard", standardFlow("job-request"))
	p := e.Must(http.StatusConflict, "DELETE", "/v1/templates/job-request", nil).Map(t)
	require.Equal(t, "application/problem+json", e.Do("DELETE", "/v1/templates/job-request", nil).Header.Get("Content-Type"))
	require.Contains(t, p["detail"], "flow standard, notification job-requested")
	e.Must(http.StatusOK, "GET", "/v1/templates/job-request", nil)
}

func TestFlowsAndNotificationsCRUD(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	e.Must(http.StatusCreated, "PUT", "/v1/templates/job-request", jobTemplate)
	f := e.Must(http.StatusCreated, "PUT", "/v1/flows/standard", standardFlow("job-request")).Map(t)
	require.EqualValues(t, 1, f["version"])
	ns := f["notifications"].([]any)
	require.Len(t, ns, 2)
	n0 := ns[0].(map[string]any)
	require.Equal(t, "active", n0["status"], "status defaults to active")
	require.Equal(t, "transactional", n0["category"], "category defaults to transactional")
	require.Equal(t, "email", n0["channel"])

	// Add one notification: the key is derived from the event type.
	added := e.Must(http.StatusCreated, "POST", "/v1/flows/standard/notifications", map[string]any{
		"event_type": "project.cancelled", "template": "job-request",
		"recipients": []string{"role:promoter", "role:agency"}}).Map(t)
	require.Equal(t, "project-cancelled", added["key"])
	// Adding the same key again is a conflict, not a silent replace.
	e.Must(http.StatusConflict, "POST", "/v1/flows/standard/notifications", map[string]any{
		"key": "project-cancelled", "event_type": "x.y", "template": "job-request", "recipients": []string{"role:a"}})

	// Edit one in place: switch to inactive.
	upd := e.Must(http.StatusOK, "PUT", "/v1/flows/standard/notifications/booking-confirmed", map[string]any{
		"event_type": "booking.confirmed", "template": "job-request", "recipients": []string{"role:promoter"},
		"status": "inactive"}).Map(t)
	require.Equal(t, "inactive", upd["status"])
	got := e.Must(http.StatusOK, "GET", "/v1/flows/standard/notifications/booking-confirmed", nil).Map(t)
	require.Equal(t, "inactive", got["status"])

	f = e.Must(http.StatusOK, "GET", "/v1/flows/standard", nil).Map(t)
	require.EqualValues(t, 3, f["version"], "each notification change bumps the flow version")
	require.Len(t, f["notifications"], 3)

	e.Must(http.StatusNoContent, "DELETE", "/v1/flows/standard/notifications/project-cancelled", nil)
	e.Must(http.StatusNotFound, "GET", "/v1/flows/standard/notifications/project-cancelled", nil)
	list := e.Must(http.StatusOK, "GET", "/v1/flows/standard/notifications", nil).Map(t)
	require.Len(t, list["items"], 2)

	// A flow in use by a project cannot be deleted.
	e.Must(http.StatusCreated, "PUT", "/v1/projects/messe", map[string]any{"name": "Messe", "flow": "standard"})
	e.Must(http.StatusConflict, "DELETE", "/v1/flows/standard", nil)
	e.Must(http.StatusOK, "PUT", "/v1/projects/messe", map[string]any{"name": "Messe"})
	e.Must(http.StatusNoContent, "DELETE", "/v1/flows/standard", nil)
	e.Must(http.StatusNotFound, "GET", "/v1/flows/standard", nil)
}

func TestProjectsContactsObjectsCRUD(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	e.Must(http.StatusCreated, "PUT", "/v1/contacts/p-1", map[string]any{
		"email": "anna@example.org", "name": "Anna Promoter", "locale": "de", "timezone": "Europe/Berlin",
		"attributes": map[string]any{"birthday": "1990-04-12", "rating": 4.5},
		"consents":   []string{"birthday"}, "opt_outs": []string{"newsletter"}})
	c := e.Must(http.StatusOK, "GET", "/v1/contacts/p-1", nil).Map(t)
	require.Equal(t, "anna@example.org", c["email"])
	require.Equal(t, 4.5, c["attributes"].(map[string]any)["rating"])
	require.Equal(t, []any{"newsletter"}, c["opt_outs"])
	e.Must(http.StatusOK, "PUT", "/v1/contacts/p-1", map[string]any{"email": "anna@example.org"})

	e.Must(http.StatusCreated, "PUT", "/v1/projects/messe-koeln", map[string]any{
		"name": "Messe Köln", "members": map[string]any{"agency": []string{"p-1"}},
		"attributes": map[string]any{"city": "Köln"}})
	p := e.Must(http.StatusOK, "GET", "/v1/projects/messe-koeln", nil).Map(t)
	require.Equal(t, map[string]any{"agency": []any{"p-1"}}, p["members"])
	_, hasFlow := p["flow"]
	require.False(t, hasFlow, "a project without flow has no flow field")

	e.Must(http.StatusCreated, "PUT", "/v1/objects/qualifications/q-1", map[string]any{
		"attributes": map[string]any{"name": "Übungsleiter C", "expires_on": "2026-05-01", "lead_days": 30},
		"contacts":   map[string]any{"holder": []string{"p-1"}}, "subscribers": []string{"p-1"}})
	o := e.Must(http.StatusOK, "GET", "/v1/objects/qualifications/q-1", nil).Map(t)
	require.Equal(t, "Übungsleiter C", o["attributes"].(map[string]any)["name"])
	require.EqualValues(t, 30, o["attributes"].(map[string]any)["lead_days"])
	list := e.Must(http.StatusOK, "GET", "/v1/objects/qualifications", nil).Map(t)
	require.Len(t, list["items"], 1)
	list = e.Must(http.StatusOK, "GET", "/v1/objects/tasks", nil).Map(t)
	require.Empty(t, list["items"])

	e.Must(http.StatusNoContent, "DELETE", "/v1/objects/qualifications/q-1", nil)
	e.Must(http.StatusNotFound, "GET", "/v1/objects/qualifications/q-1", nil)
	e.Must(http.StatusNoContent, "DELETE", "/v1/projects/messe-koeln", nil)
	e.Must(http.StatusNotFound, "GET", "/v1/projects/messe-koeln", nil)
	e.Must(http.StatusNoContent, "DELETE", "/v1/contacts/p-1", nil)
	e.Must(http.StatusNotFound, "GET", "/v1/contacts/p-1", nil)
}

func TestPagination(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	for i := 0; i < 7; i++ {
		e.Must(http.StatusCreated, "PUT", fmt.Sprintf("/v1/contacts/c-%02d", i), map[string]any{"email": fmt.Sprintf("c%d@example.org", i)})
	}
	var ids []string
	path := "/v1/contacts?limit=3"
	for pages := 0; ; pages++ {
		require.Less(t, pages, 5, "pagination does not end")
		var pg struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		e.Must(http.StatusOK, "GET", path, nil).JSON(t, &pg)
		for _, it := range pg.Items {
			ids = append(ids, it.ID)
		}
		if pg.NextCursor == "" {
			break
		}
		path = "/v1/contacts?limit=3&cursor=" + pg.NextCursor
	}
	require.Equal(t, []string{"c-00", "c-01", "c-02", "c-03", "c-04", "c-05", "c-06"}, ids)
	e.Must(http.StatusUnprocessableEntity, "GET", "/v1/contacts?limit=0", nil)
	e.Must(http.StatusUnprocessableEntity, "GET", "/v1/contacts?cursor=***", nil)
}

func TestWorkspaceSettings(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	ws := e.Must(http.StatusOK, "GET", "/v1/workspace", nil).Map(t)
	require.Equal(t, "default", ws["key"])
	require.Equal(t, "de", ws["default_locale"])
	require.Equal(t, "Europe/Berlin", ws["timezone"])
	require.EqualValues(t, 30, ws["retention_days"])
	require.EqualValues(t, 168, ws["confirmation_expiry_hours"])

	ws = e.Must(http.StatusOK, "PATCH", "/v1/workspace", map[string]any{"name": "Agentur Nord", "timezone": "Europe/Vienna",
		"sender": map[string]any{"from": "Agentur Nord <info@agentur-nord.example>"}, "retention_days": 14}).Map(t)
	require.Equal(t, "Agentur Nord", ws["name"])
	require.Equal(t, "Europe/Vienna", ws["timezone"])
	require.EqualValues(t, 14, ws["retention_days"])

	p := e.Must(http.StatusUnprocessableEntity, "PATCH", "/v1/workspace", map[string]any{"timezone": "Mars/Olympus"}).Map(t)
	requireField(t, p, "timezone", "invalid")
}
