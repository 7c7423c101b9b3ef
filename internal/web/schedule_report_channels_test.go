package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
)

// TestScheduleReportChannelsForm: the schedule form chooses where the run
// report goes; the in-app inbox for an e-mail address is refused at the
// field, and editing the schedule again keeps the choice.
func TestScheduleReportChannelsForm(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	ctx := context.Background()
	_, err := e.svc.ContactPut(ctx, e.ws, &model.Contact{ID: "vorstand", Name: "Vorstand"})
	require.NoError(t, err)
	c := newClient(t, e.URL)
	c.signIn(e.Email, e.Password)
	form := url.Values{"key": {"geburtstage"}, "preset": {"birthday"}, "enabled": {"1"}, "project": {"messe-koeln"},
		"consent_category": {"birthday"}, "report_to": {"email:vorstand@example.org"}, "report_channels": {"inapp"}}
	resp, body := c.submit("/schedules/_new", "/schedules", form)
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Regexp(t, `id="err-report_channels"><li>[^<]*contact:ID`, body)
	form.Set("report_to", "contact:vorstand")
	resp, body = c.submit("/schedules/_new", "/schedules", form)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)
	sc, err := e.svc.ScheduleGet(ctx, e.ws, "geburtstage")
	require.NoError(t, err)
	require.Equal(t, []string{"inapp"}, sc.ReportChannels)

	_, body = c.get("/schedules/geburtstage/edit")
	require.Contains(t, body, `<option value="inapp" selected>to the in-app inbox</option>`)
	edit := url.Values{"name": {"Geburtstage"}, "enabled": {"1"}, "cron": {sc.Cron}, "source_kind": {"contacts"},
		"condition": {sc.Condition}, "event_type": {sc.EventType}, "project": {"messe-koeln"},
		"occurrence_key": {sc.OccurrenceKey}, "consent_category": {"birthday"}, "report_to": {"contact:vorstand"},
		"report_channels": {"email,inapp"}}
	resp, body = c.submit("/schedules/geburtstage/edit", "/schedules/geburtstage", edit)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)
	sc, err = e.svc.ScheduleGet(ctx, e.ws, "geburtstage")
	require.NoError(t, err)
	require.Equal(t, []string{"email", "inapp"}, sc.ReportChannels)

	resp, _ = c.post("/language", url.Values{"lang": {"de"}, "next": {"/schedules"}, "csrf": {c.csrf("/schedules")}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	_, body = c.get("/schedules/geburtstage/edit")
	require.Contains(t, body, `<option value="email,inapp" selected>per E-Mail und in den In-App-Posteingang</option>`)
}
