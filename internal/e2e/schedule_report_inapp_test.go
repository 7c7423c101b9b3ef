package e2e_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/client"
	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/smtptest"
)

// TestScheduleReportInApp: a schedule whose report goes to the board
// member's in-app feed (report_channels ["inapp"]) puts the run report
// there, with the run's figures, as the one report message of the run;
// the board member has no e-mail address, so an e-mail report could not
// have been what arrived.
func TestScheduleReportInApp(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	e := apptest.Start(t, apptest.WithSMTP(srv))
	e.Must(200, "PATCH", "/v1/workspace", map[string]any{"sender": map[string]any{"from": "Verein <info@verein.example>"}})
	e.Must(201, "PUT", "/v1/templates/ping", map[string]any{"locales": map[string]any{"de": map[string]any{
		"subject": "Ping", "text": "Hallo {{ .recipient.name }}"}}})
	e.Must(201, "PUT", "/v1/flows/f", map[string]any{"notifications": []any{
		map[string]any{"key": "ping", "event_type": "ping", "template": "ping", "recipients": []string{"role:to"}},
	}})
	e.Must(201, "PUT", "/v1/projects/p", map[string]any{"flow": "f"})
	ws := e.Must(200, "GET", "/v1/workspace", nil).Map(t)["key"].(string)
	secret := e.Must(201, "POST", "/v1/inbox/secret", nil).Map(t)["secret"].(string)
	e.Must(200, "POST", "/v1/contacts/bulk", map[string]any{"contacts": []any{
		map[string]any{"id": "anna", "name": "Anna", "email": "anna@example.org"},
		map[string]any{"id": "bert", "name": "Bert", "email": "bert@example.org"},
		map[string]any{"id": "vorstand", "name": "Vorstand"},
	}})
	e.Must(201, "PUT", "/v1/schedules/pings", map[string]any{"name": "Pings", "project": "p", "role": "to",
		"every_minutes": 60, "source": map[string]any{"kind": "contacts"}, "condition": `contact.id != "vorstand"`,
		"event_type": "ping", "occurrence_key": "{{ .contact.id }}",
		"report_to": "contact:vorstand", "report_channels": []string{"inapp"}})
	var sc struct {
		ReportChannels []string `json:"report_channels"`
	}
	e.Must(200, "GET", "/v1/schedules/pings", nil).JSON(t, &sc)
	require.Equal(t, []string{"inapp"}, sc.ReportChannels)

	run := runNow(t, e, "pings")
	require.Equal(t, 3, run.Scanned)
	require.Equal(t, 2, run.Emitted)
	var r runReportView
	apptest.Eventually(t, wait, func() bool {
		e.Must(200, "GET", "/v1/schedules/pings/runs/"+run.ID, nil).JSON(t, &r)
		return r.ReportMessage != ""
	}, "the run records its report")
	require.True(t, r.Mail.Done)
	require.Equal(t, 2, r.Mail.Sent, "%+v", r.Mail)
	require.Equal(t, 2, srv.Count(), "anna's and bert's pings, no e-mail report")

	var msg struct {
		Channel string `json:"channel"`
		Status  string `json:"status"`
	}
	e.Must(200, "GET", "/v1/messages/"+r.ReportMessage, nil).JSON(t, &msg)
	require.Equal(t, "inapp", msg.Channel)

	tok := client.FeedToken(secret, ws, "vorstand", e.Clock.Now().Add(time.Hour))
	var pg struct{ Items []feedItem }
	apptest.Eventually(t, wait, func() bool {
		e.WithKey(tok).Must(200, "GET", "/v1/feed/"+ws+"/items", nil).JSON(t, &pg)
		return len(pg.Items) == 1
	}, "the report in the board member's feed")
	require.Equal(t, "Pings: 2 gesendet, 0 unterdrückt, 0 Fehler", pg.Items[0].Title)
	require.Regexp(t, `Geprüft: +3\n`, pg.Items[0].Body)
	require.Regexp(t, `Zutreffend: +2\n`, pg.Items[0].Body)
	require.Regexp(t, `Gesendet: +2\n`, pg.Items[0].Body)
}
