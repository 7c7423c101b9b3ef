package web_test

import (
	"context"
	"net/http"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/schedule"
)

// TestRunReportPageInGerman: the page a run report links to shows what
// became of the records and of the mail — sent, suppressed by reason,
// excluded by reason, the record that could not be read — in German
// only: no "finished", "manual", "Status" or English labels.
func TestRunReportPageInGerman(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	run := birthdayRun(t, e)

	c := newClient(t, e.URL)
	c.lang = "de"
	c.signIn(e.Email, e.Password)
	resp, _ := c.get("/schedules/geburtstage/runs/" + run.ID)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	resp, body := c.get(resp.Header.Get("Location"))
	require.Equal(t, http.StatusOK, resp.StatusCode)
	section := regexp.MustCompile(`(?s)<section class="card" aria-labelledby="report-title" id="run-report">.*?</section>`).FindString(body)
	require.NotEmpty(t, section, body)
	text := regexp.MustCompile(`<[^>]+>`).ReplaceAllString(section, " ")
	for _, want := range []string{"Bericht zum Lauf vom", "fertig", "von Hand", "Datensätze", "Nachrichten",
		"Ausschlussregel: 1", "keine Einwilligung: 1", "abgemeldet: 1", "Alle Nachrichten dieses Laufs sind erledigt",
		"konnten nicht ausgewertet werden", "Kontakt r-hans: „unbekannt“ ist kein Datum."} {
		require.Contains(t, text, want)
	}
	fact := func(id, label, value string) {
		t.Helper()
		require.Regexp(t, `<dt>`+label+`</dt><dd>`+value+`(<|$)`, regexp.MustCompile(`(?s)id="`+id+`".*?</dl>`).FindString(section))
	}
	// The demo's staff pool has two members whose birthday is today
	// (m-dora, m-emil, with consent): they match and are mailed too.
	fact("report-records", "Getroffen", "6")
	fact("report-records", "Ausgeschlossen", "1")
	fact("report-records", "Fehler", "1")
	// No SMTP server: the mail went to the capture mailbox, not out.
	fact("report-mail", `Im Testpostfach \(nicht gesendet\)`, "3")
	fact("report-mail", "Unterdrückt", "2")
	fact("report-mail", "Noch in der Warteschlange", "0")

	// The error sample is the evaluation's own (technical) text; the rest
	// is German only.
	labels := regexp.MustCompile(`(?s)<ul class="field-errors" id="report-errors">.*?</ul>`).ReplaceAllString(section, "")
	labels = regexp.MustCompile(`<[^>]+>`).ReplaceAllString(labels, " ")
	for _, english := range []string{"Status", "finished", "manual", "Sent", "Suppressed", "Records", "Messages", "Events",
		"Errors", "Excluded", "opted out", "no consent", "exclusion rule", "Matched", "queued", "Report"} {
		require.NotContains(t, labels, english)
	}

	// The preview links each match to the mail it would get, rendered.
	_, body = c.get("/schedules/geburtstage?preview=1&date=2026-03-02")
	require.Contains(t, body, `href="/schedules/geburtstage?preview=1&amp;date=2026-03-02&amp;mail=r-anna#mail"`)
	_, body = c.get("/schedules/geburtstage?preview=1&date=2026-03-02&mail=r-anna")
	mail := regexp.MustCompile(`(?s)<div id="mail">.*?</div>`).FindString(body)
	require.Contains(t, mail, "Nachricht für r-anna am 02.03.2026")
	require.Contains(t, mail, "anna@verein.example · eingereiht")
	require.Contains(t, mail, "<dd>Alles Gute</dd>")
	require.Contains(t, mail, "Herzlichen Glückwunsch")
	_, body = c.get("/schedules/geburtstage?preview=1&date=2026-03-03&mail=r-anna")
	require.Contains(t, body, "An diesem Tag ist der Datensatz nicht fällig.")
}

// birthdayRun sets up the "geburtstage" schedule over the demo's
// workspace with one record of each kind — mailed (r-anna), opted out
// (r-bert), without consent (r-carl), excluded by the rule (r-emil),
// unreadable (r-hans) — runs it by hand and waits until its mail is done.
func birthdayRun(t *testing.T, e *cockpitEnv) *model.ScheduleRun {
	t.Helper()
	ctx := context.Background()
	_, err := e.svc.TemplatePut(ctx, e.ws, &model.Template{Key: "gruss", Locales: map[string]model.TemplateContent{
		"de": {Subject: "Alles Gute", Text: "Herzlichen Glückwunsch"}}})
	require.NoError(t, err)
	_, err = e.svc.FlowPut(ctx, e.ws, &model.Flow{Key: "verein", Notifications: []model.Notification{{Key: "gruss",
		EventType: "contact.birthday", Template: "gruss", Recipients: []model.Recipient{"role:member"}, Category: "birthday"}}})
	require.NoError(t, err)
	_, err = e.svc.ProjectPut(ctx, e.ws, &model.Project{Key: "verein", Name: "Verein", Flow: "verein"})
	require.NoError(t, err)
	day := "1990-03-02" // the test clock's day
	res, err := e.svc.ContactBulkUpsert(ctx, e.ws, []*model.Contact{
		{ID: "r-anna", Email: "anna@verein.example", Consents: []string{"birthday"}, Attributes: map[string]any{"birthday": day}},
		{ID: "r-bert", Email: "bert@verein.example", Consents: []string{"birthday"}, OptOuts: []string{"birthday"}, Attributes: map[string]any{"birthday": day}},
		{ID: "r-carl", Email: "carl@verein.example", Attributes: map[string]any{"birthday": day}},
		{ID: "r-emil", Email: "emil@verein.example", Consents: []string{"birthday"}, Attributes: map[string]any{"birthday": day, "status": "cancelled"}},
		{ID: "r-hans", Email: "hans@verein.example", Attributes: map[string]any{"birthday": "unbekannt"}},
	})
	require.NoError(t, err)
	require.Empty(t, res.Errors)
	_, err = e.svc.SchedulePut(ctx, e.ws, &model.Schedule{Key: "geburtstage", Name: "Geburtstage", Project: "verein", Role: "member"},
		&schedule.PresetParams{Kind: schedule.PresetBirthday, ExcludeField: "status", ExcludeValues: []string{"cancelled"}})
	require.NoError(t, err)
	run, err := e.svc.ScheduleRunNow(ctx, e.ws, "geburtstage")
	require.NoError(t, err)
	apptest.Eventually(t, deliveryWait, func() bool {
		r, err := e.svc.ScheduleRunReport(ctx, e.ws, "geburtstage", run.ID)
		return err == nil && r.Mail.Done
	}, "the run and its mail are done")
	return run
}

// TestRunReportPageSaysTheReportFailed: in a workspace without a sender
// address a run's report cannot be sent; the run page says so, with what
// to do, in the user's language, instead of "the report was sent".
func TestRunReportPageSaysTheReportFailed(t *testing.T) {
	t.Parallel()
	e := startCockpit(t)
	ctx := context.Background()
	_, err := e.svc.ProjectPut(ctx, e.ws, &model.Project{Key: "verein", Name: "Verein"})
	require.NoError(t, err)
	_, err = e.svc.SchedulePut(ctx, e.ws, &model.Schedule{Key: "geburtstage", Name: "Geburtstage", Project: "verein", Role: "member",
		ReportTo: "email:vorstand@verein.example"}, &schedule.PresetParams{Kind: schedule.PresetBirthday})
	require.NoError(t, err)
	run, err := e.svc.ScheduleRunNow(ctx, e.ws, "geburtstage")
	require.NoError(t, err)
	apptest.Eventually(t, deliveryWait, func() bool {
		r, err := e.svc.ScheduleRunReport(ctx, e.ws, "geburtstage", run.ID)
		return err == nil && r.Report != nil
	}, "the run records its report")

	for lang, want := range map[string]string{
		"de": "Der Bericht konnte nicht gesendet werden: Es ist keine Absenderadresse eingetragen.",
		"en": "The report could not be sent: no sender address is set.",
	} {
		c := newClient(t, e.URL)
		c.lang = lang
		c.signIn(e.Email, e.Password)
		resp, body := c.get("/schedules/geburtstage?run=" + run.ID)
		require.Equal(t, http.StatusOK, resp.StatusCode)
		section := regexp.MustCompile(`(?s)<section class="card" aria-labelledby="report-title" id="run-report">.*?</section>`).FindString(body)
		require.NotEmpty(t, section, body)
		msg := regexp.MustCompile(`(?s)<p id="report-message" class="alert warn">.*?</p>`).FindString(section)
		require.Contains(t, msg, want, lang)
		require.NotContains(t, section, "per E-Mail verschickt", lang)
		require.NotContains(t, section, "was sent by e-mail", lang)
	}
}
