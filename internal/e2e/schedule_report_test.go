package e2e_test

import (
	"context"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/smtptest"
)

// runReportView is a run with what became of its mail (GET …/runs/{id}).
type runReportView struct {
	runView
	ExcludedBy []struct {
		Reason string `json:"reason"`
		Count  int    `json:"count"`
	} `json:"excluded_by"`
	Mail struct {
		Sent         int `json:"sent"`
		Suppressed   int `json:"suppressed"`
		SuppressedBy []struct {
			Reason string `json:"reason"`
			Count  int    `json:"count"`
		} `json:"suppressed_by"`
		AwaitingConfirmation int  `json:"awaiting_confirmation"`
		Failed               int  `json:"failed"`
		Queued               int  `json:"queued"`
		Done                 bool `json:"done"`
	} `json:"mail"`
}

// TestScheduleReportCountsTheMail: a birthday run on a real SMTP server
// whose report counts what happened to the mail — sent, suppressed by
// reason, awaiting confirmation — from the messages themselves: the run
// page's figures equal what the server received and fill in as a
// confirmation is approved; the e-mail report goes out once the run's
// mail is done, says the same in German only, and lists the record that
// could not be read with its error.
func TestScheduleReportCountsTheMail(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	e, c := associationEnv(t, srv, time.Date(2026, 5, 17, 3, 0, 0, 0, time.UTC))
	// Each birthday also goes to the board for approval (a list they
	// sign), so some mail awaits confirmation.
	e.Must(201, "PUT", "/v1/templates/board", map[string]any{"locales": map[string]any{"de": map[string]any{
		"subject": "Geburtstag: {{ .contact.name }}", "text": "Bitte unterschreiben."}}})
	e.Must(200, "PUT", "/v1/flows/verein", map[string]any{"notifications": []any{
		map[string]any{"key": "birthday", "event_type": "contact.birthday", "template": "birthday",
			"recipients": []string{"role:member"}, "category": "birthday"},
		map[string]any{"key": "board", "event_type": "contact.birthday", "template": "board",
			"recipients": []string{"email:liste@tv-musterstadt.example"}, "category": "transactional", "status": "confirm"},
	}})
	gina := member("gina", "1999-05-17", "active", true)
	gina["opt_outs"] = []string{"birthday"}
	e.Must(200, "POST", "/v1/contacts/bulk", map[string]any{"contacts": []any{
		member("anna", "1980-05-17", "active", true),  // sent
		member("emil", "2001-05-17", "active", true),  // sent
		member("carl", "1990-05-17", "active", false), // suppressed: no consent
		gina, // suppressed: opted out
		member("bert", "1975-05-17", "cancelled", true), // excluded by the rule
		member("hans", "unbekannt", "active", true),     // errored: the birthday cannot be read
		member("dora", "1985-05-18", "active", true),    // not due
	}})
	e.Must(201, "PUT", "/v1/schedules/birthdays", map[string]any{
		"name": "Geburtstage", "project": "verein", "role": "member",
		"preset":    map[string]any{"kind": "birthday", "exclude_field": "membership_status", "exclude_values": []string{"cancelled"}},
		"report_to": "email:vorstand@tv-musterstadt.example",
	})

	run := runNow(t, e, "birthdays")
	require.Equal(t, 7, run.Scanned)
	require.Equal(t, 5, run.Matched)
	require.Equal(t, 1, run.Excluded)
	require.Equal(t, 4, run.Emitted)
	require.Equal(t, 1, run.Errors)

	// The report goes out once the run's mail is done: after the two
	// greetings, with nothing sent for the others.
	mails := srv.WaitForMails(t, 3, wait)
	byRcpt := map[string][]smtptest.Mail{}
	for _, m := range mails {
		byRcpt[m.Rcpts[0]] = append(byRcpt[m.Rcpts[0]], m)
	}
	greetings := len(byRcpt["anna@example.org"]) + len(byRcpt["emil@example.org"])
	require.Equal(t, 2, greetings)
	require.Len(t, byRcpt["vorstand@tv-musterstadt.example"], 1)

	get := func() runReportView {
		var r runReportView
		e.Must(200, "GET", "/v1/schedules/birthdays/runs/"+run.ID, nil).JSON(t, &r)
		return r
	}
	var r runReportView
	apptest.Eventually(t, wait, func() bool {
		r = get()
		return r.ReportMessage != ""
	}, "the run records its report")
	require.Equal(t, greetings, r.Mail.Sent, "sent = what the server received")
	require.Equal(t, 2, r.Mail.Suppressed)
	require.ElementsMatch(t, []struct {
		Reason string `json:"reason"`
		Count  int    `json:"count"`
	}{{"no_consent", 1}, {"opted_out", 1}}, r.Mail.SuppressedBy)
	require.Equal(t, 4, r.Mail.AwaitingConfirmation, "one list entry per event, none sent")
	require.Zero(t, r.Mail.Queued)
	require.Zero(t, r.Mail.Failed)
	require.True(t, r.Mail.Done)
	require.Len(t, r.ExcludedBy, 1)
	require.Equal(t, "exclude", r.ExcludedBy[0].Reason)
	require.Equal(t, 3, srv.Count(), "nothing for the suppressed ones, nothing before approval")

	report := byRcpt["vorstand@tv-musterstadt.example"][0]
	require.Equal(t, "Geburtstage: 2 gesendet, 2 unterdrückt, 1 Fehler", report.Subject)
	line := func(label string, n int) {
		t.Helper()
		require.Regexp(t, regexp.MustCompile(`(?m)^\s*`+regexp.QuoteMeta(label)+`:\s+`+strconv.Itoa(n)+`\r?$`), report.Text)
	}
	line("Geprüft", 7)
	line("Zutreffend", 5)
	line("Ausgeschlossen", 1)
	line("Ausschlussregel", 1)
	line("Gesendet", 2)
	line("Unterdrückt", 2)
	line("keine Einwilligung", 1)
	line("abgemeldet", 1)
	line("Warten auf Bestätigung", 4)
	line("Noch in der Warteschlange", 0)
	line("Fehler", 1)
	require.Contains(t, report.Text, "contact hans: ")
	require.Contains(t, report.Text, "unbekannt")
	require.Contains(t, report.Text, "Ergebnis:        fertig")
	require.Contains(t, report.Text, "Anlass:          von Hand")
	for _, english := range []string{"Status", "finished", "manual", "Trigger", "sent", "emitted"} {
		require.NotContains(t, report.Text, english, "the German report is German only")
	}

	// Explain tells hans why he got nothing, in German only.
	var evs struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	e.Must(200, "GET", "/v1/events?contact=hans", nil).JSON(t, &evs)
	require.Len(t, evs.Items, 1, "the record that could not be read has its event")
	ex, err := c.Explain(context.Background(), evs.Items[0].ID, "de")
	require.NoError(t, err)
	var texts []string
	for _, s := range ex.Steps {
		texts = append(texts, s.Text)
	}
	require.Contains(t, texts, `Nichts wurde gesendet: Der zeitgesteuerte Versand birthdays konnte diesen Datensatz nicht auswerten `+
		`(is_birthday: „unbekannt“ ist kein Datum (erwartet wird JJJJ-MM-TT, TT.MM.JJJJ oder RFC 3339)).`)
	// The same day again: hans is not recorded twice, nor counted as done.
	again := runNow(t, e, "birthdays")
	require.Equal(t, 1, again.Errors)
	require.Equal(t, 5, again.Skipped)
	e.Must(200, "GET", "/v1/events?contact=hans", nil).JSON(t, &evs)
	require.Len(t, evs.Items, 1)

	// Approving one list entry: the run page fills in, the server gets it.
	var conf struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	e.Must(200, "GET", "/v1/confirmations", nil).JSON(t, &conf)
	require.Len(t, conf.Items, 4)
	e.Must(200, "POST", "/v1/messages/"+conf.Items[0].ID+"/approve", nil)
	srv.WaitForMails(t, 5, wait) // the greetings, two reports, the approved entry
	apptest.Eventually(t, wait, func() bool {
		r = get()
		return r.Mail.Sent == 3
	}, "the approved entry counts as sent")
	require.Equal(t, 3, r.Mail.AwaitingConfirmation)
	require.Equal(t, srv.Count()-2, r.Mail.Sent, "sent = the server's mails but the two reports")
}

// TestSchedulePreviewShowsTheMailOfADay: the preview for a chosen day
// shows the mail one match would get, rendered as of that day ("in 10
// Tagen" on 20 March for a qualification expiring on 30 March, although
// the server's day is 10 March), sending nothing.
func TestSchedulePreviewShowsTheMailOfADay(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	e, _ := associationEnv(t, srv, time.Date(2026, 3, 10, 5, 0, 0, 0, time.UTC))
	e.Must(201, "PUT", "/v1/contacts/vera", map[string]any{"email": "vera@example.org", "name": "Vera"})
	e.Must(201, "PUT", "/v1/objects/qualifications/q-vera", map[string]any{
		"attributes": map[string]any{"name": "Trainer B", "expires_on": "2026-03-30", "lead_days": 30, "licence": "L-1"},
		"contacts":   map[string]any{"holder": []string{"vera"}}})
	e.Must(201, "PUT", "/v1/schedules/qual-expiring", map[string]any{"project": "verein",
		"preset": map[string]any{"kind": "date_within_lead", "collection": "qualifications", "lead_field": "lead_days"}})

	var pv struct {
		Matched int `json:"matched"`
		Mail    struct {
			Matched  bool `json:"matched"`
			Messages []struct {
				To      string `json:"to"`
				Status  string `json:"status"`
				Subject string `json:"subject"`
				Text    string `json:"text"`
			} `json:"messages"`
		} `json:"mail"`
	}
	e.Must(200, "POST", "/v1/schedules/qual-expiring/preview", map[string]any{"date": "2026-03-20", "mail_for": "q-vera"}).JSON(t, &pv)
	require.Equal(t, 1, pv.Matched)
	require.True(t, pv.Mail.Matched)
	require.Len(t, pv.Mail.Messages, 1)
	m := pv.Mail.Messages[0]
	require.Equal(t, "vera@example.org", m.To)
	require.Equal(t, "queued", m.Status)
	require.Equal(t, "Läuft bald ab: Trainer B", m.Subject)
	require.Contains(t, m.Text, "läuft am 30.03.2026 ab, in 10 Tagen.")
	e.Must(404, "POST", "/v1/schedules/qual-expiring/preview", map[string]any{"mail_for": "q-nobody"})
	require.Zero(t, srv.Count(), "a preview sends nothing")
	var evs struct {
		Items []any `json:"items"`
	}
	e.Must(200, "GET", "/v1/events", nil).JSON(t, &evs)
	require.Empty(t, evs.Items, "and stores nothing")
}

// TestScheduleReportWithoutSenderFails: in a workspace without a sender
// address the run's report cannot be built; the run says so (report:
// failed, with what to do, in German and English) instead of naming only
// its report message, and explain tells the report's event why in the
// reader's language.
func TestScheduleReportWithoutSenderFails(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	e.Must(201, "PUT", "/v1/projects/verein", map[string]any{"name": "TV Musterstadt"})
	e.Must(201, "PUT", "/v1/schedules/birthdays", map[string]any{
		"name": "Geburtstage", "project": "verein", "role": "member", "preset": map[string]any{"kind": "birthday"},
		"report_to": "email:vorstand@tv-musterstadt.example",
	})
	run := runNow(t, e, "birthdays")
	var r struct {
		runReportView
		Report *struct {
			MessageID string `json:"message_id"`
			Channel   string `json:"channel"`
			Status    string `json:"status"`
			Failed    bool   `json:"failed"`
			Reason    string `json:"reason"`
			DE        string `json:"de"`
			EN        string `json:"en"`
		} `json:"report"`
	}
	apptest.Eventually(t, wait, func() bool {
		e.Must(200, "GET", "/v1/schedules/birthdays/runs/"+run.ID, nil).JSON(t, &r)
		return r.ReportMessage != ""
	}, "the run records its report")
	require.NotNil(t, r.Report, "the run says what became of its report")
	require.Equal(t, r.ReportMessage, r.Report.MessageID)
	require.Equal(t, "email", r.Report.Channel)
	require.Equal(t, "failed", r.Report.Status)
	require.True(t, r.Report.Failed)
	require.Equal(t, "no sender address: set sender.from on the template, its flow or the workspace", r.Report.Reason)
	require.Equal(t, "The report could not be sent: no sender address is set. Enter one for the workspace under Settings, "+
		"or give the report template a sender (sender.from); the next run sends its report.", r.Report.EN)
	require.Equal(t, "Der Bericht konnte nicht gesendet werden: Es ist keine Absenderadresse eingetragen. Tragen Sie unter Einstellungen "+
		"eine für den Mandanten ein, oder geben Sie der Berichtsvorlage einen Absender (sender.from); der nächste Lauf sendet seinen Bericht.", r.Report.DE)

	var m struct {
		EventID string `json:"event_id"`
	}
	e.Must(200, "GET", "/v1/messages/"+r.ReportMessage, nil).JSON(t, &m)
	var ex struct {
		Steps []struct {
			Code string `json:"code"`
			Text string `json:"text"`
		} `json:"steps"`
	}
	e.Must(200, "GET", "/v1/events/"+m.EventID+"/explain?lang=de", nil).JSON(t, &ex)
	var failed []string
	for _, s := range ex.Steps {
		if s.Code == "message.render_failed" {
			failed = append(failed, s.Text)
		}
	}
	require.Equal(t, []string{"Die Nachricht an vorstand@tv-musterstadt.example ließ sich nicht erstellen: Es gibt keine Absenderadresse. " +
		"Tragen Sie unter Einstellungen eine für den Mandanten ein, oder geben Sie der Vorlage schedule-report oder ihrem Benachrichtigungsablauf einen Absender (sender.from)."},
		failed)
}
