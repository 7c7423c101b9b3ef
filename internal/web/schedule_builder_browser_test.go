package web_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/schedule"
	"github.com/herold-dev/herold/internal/service"
)

// TestBrowserScheduleBuilderAndHonestRun: at 1366 px in German an admin
// builds "montags um 07:00" from choices (the script shows only the
// fields of the chosen repeat; cron sits under "Erweitert"), then runs a
// schedule whose event nothing reacts to: the page warns, "run now" asks
// first, and the report says nothing was sent. At 390 px in English the
// builder, the confirmation and the report fit the screen.
func TestBrowserScheduleBuilderAndHonestRun(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	ctx := context.Background()
	_, err := e.svc.SchedulePut(ctx, e.ws, &model.Schedule{Key: "leer", Name: "Ohne Ablauf", Enabled: true,
		Project: "personalpool", EventType: "contact.nothing"}, &schedule.PresetParams{Kind: schedule.PresetBirthday})
	require.NoError(t, err)

	p := e.germanDesktop(t)
	p.open("/schedules/_new")
	p.check("schedule builder")
	require.True(t, p.visible("#f-repeat_at"))
	require.False(t, p.visible("#f-repeat_weekday"), "daily needs no weekday")
	require.False(t, p.visible("#f-cron"), "cron is under Erweitert")
	p.choose("f-repeat", "weekly")
	require.True(t, p.visible("#f-repeat_weekday"))
	require.False(t, p.visible("#f-repeat_monthday"))
	p.do(chromedp.SendKeys(chromedp.ID("f-key"), "montags"))
	p.choose("f-project", "personalpool")
	p.setValue("#f-repeat_at", "07:00")
	p.screenshot("builder-weekly-de-1366")
	require.EqualValues(t, http.StatusOK, p.submit(`#schedule-form button[type=submit]`))
	require.Contains(t, p.text("#def-title + dl"), "montags um 07:00")
	sc, err := e.svc.ScheduleGet(ctx, e.ws, "montags")
	require.NoError(t, err)
	require.Equal(t, "0 7 * * 1", sc.Cron)

	p.open("/schedules/leer")
	require.Contains(t, p.text("#unhandled"), "Kein aktiver Ablauf reagiert auf contact.nothing – es würde nichts gesendet.")
	p.screenshot("unhandled-de-1366")
	require.EqualValues(t, http.StatusOK, p.submit(`#run-now`))
	p.check("run confirmation")
	require.Contains(t, p.text("h1"), "„Ohne Ablauf“ jetzt ausführen?")
	p.screenshot("run-confirm-de-1366")
	require.EqualValues(t, http.StatusOK, p.submit(`#run-confirm`))
	runs, err := e.svc.ScheduleRuns(ctx, e.ws, "leer", service.PageParams{})
	require.NoError(t, err)
	require.Len(t, runs.Items, 1)
	id := runs.Items[0].ID
	apptest.Eventually(t, deliveryWait, func() bool {
		r, err := e.svc.ScheduleRunReport(ctx, e.ws, "leer", id)
		return err == nil && r.Mail.Done
	}, "the run is done")
	p.open("/schedules/leer/runs/" + id)
	require.Contains(t, p.text("#report-outcome"), "aber keine Nachricht erzeugt – es wurde nichts gesendet.")
	p.screenshot("run-report-de-1366")

	p.do(chromedp.EmulateViewport(390, 844))
	p.open("/schedules/_new")
	require.EqualValues(t, http.StatusOK, p.submit(`form.lang button[value=en]`))
	p.choose("f-repeat", "monthly")
	require.True(t, p.visible("#f-repeat_monthday"))
	require.Contains(t, p.text("#repeat-builder"), "Day of the month")
	p.fitsWidth("schedule builder")
	p.screenshot("builder-monthly-en-390")
	p.open("/schedules/leer/run")
	require.Contains(t, p.text("#unhandled"), "No active flow reacts to contact.nothing – nothing would be sent.")
	p.fitsWidth("run confirmation")
	p.screenshot("run-confirm-en-390")
	p.open("/schedules/leer/runs/" + id)
	require.Contains(t, p.text("#report-outcome"), "but no message was created – nothing was sent.")
	p.fitsWidth("run report")
	p.screenshot("run-report-en-390")
}

// TestBrowserRecipientPicker: a recipient picked from the list joins the
// recipients at once (the script), and the form fits a phone. At 1366 px
// in German and 390 px in English.
func TestBrowserRecipientPicker(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	p := e.germanDesktop(t)
	p.open("/flows/standard/notifications/_new")
	p.check("notification form")
	p.do(chromedp.SendKeys(chromedp.ID("f-recipients"), "role:promoter"))
	p.setValue("#f-add_recipients", "contact:p-anna")
	p.do(chromedp.Evaluate[chromedp.Void](`document.getElementById('f-add_recipients').dispatchEvent(new Event('change'))`))
	require.Equal(t, "role:promoter\ncontact:p-anna", mustValue(t, p, "#f-recipients"))
	require.Empty(t, mustValue(t, p, "#f-add_recipients"))
	require.Contains(t, p.text("#hint-add_recipients"), "Aus der Liste wählen")
	p.screenshot("recipients-de-1366")

	p.do(chromedp.EmulateViewport(390, 844))
	require.EqualValues(t, http.StatusOK, p.submit(`form.lang button[value=en]`))
	require.Contains(t, p.text("#hint-add_recipients"), "Pick from the list")
	p.fitsWidth("notification form")
	p.screenshot("recipients-en-390")
}
