package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
)

// TestScheduleReportToFromList: the schedule's "report to" offers the
// contacts and addresses to pick from, as a notification's recipients
// do — not roles or watchers, which a report cannot resolve — and a bare
// e-mail address typed there is saved as email:ADDRESS, without
// JavaScript.
func TestScheduleReportToFromList(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	ctx := context.Background()
	c := newClient(t, e.URL)
	c.lang = "de"
	c.signIn(e.Email, e.Password)

	_, body := c.get("/schedules/_new")
	require.Contains(t, body, `id="f-report_to" name="report_to" type="text" value="" list="report-choices"`)
	list := regexp.MustCompile(`(?s)<datalist id="report-choices">.*?</datalist>`).FindString(body)
	require.Contains(t, list, `<option value="contact:p-anna" label="Kontakt: Anna Berger &lt;anna.berger@example.com&gt;">`)
	require.NotContains(t, list, `value="role:`)
	require.NotContains(t, list, `value="watchers"`)
	require.Contains(t, body, "einen Kontakt oder eine Adresse aus der Liste wählen")

	form := url.Values{"key": {"geburtstage"}, "preset": {"birthday"}, "enabled": {"1"}, "project": {"messe-koeln"},
		"consent_category": {"birthday"}, "report_to": {"Vorstand <vorstand@verein.example>"}}
	resp, body := c.submit("/schedules/_new", "/schedules", form)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode, body)
	sc, err := e.svc.ScheduleGet(ctx, e.ws, "geburtstage")
	require.NoError(t, err)
	require.Equal(t, model.Recipient("email:Vorstand <vorstand@verein.example>"), sc.ReportTo)
}
