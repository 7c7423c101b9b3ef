package web_test

import (
	"context"
	"net/http"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/smtptest"
)

// runBirthdays runs the demo's birthday schedule (two members have their
// birthday on the demo's first day) and returns the run's id once its
// mail is done.
func (e *cockpitEnv) runBirthdays(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	run, err := e.svc.ScheduleRunNow(ctx, e.ws, "geburtstagsgruesse")
	require.NoError(t, err)
	apptest.Eventually(t, deliveryWait, func() bool {
		r, err := e.svc.ScheduleRunReport(ctx, e.ws, "geburtstagsgruesse", run.ID)
		return err == nil && r.Mail.Done && r.Mail.Sent > 0
	}, "the run's mail is done")
	return run.ID
}

// runReportMail runs the demo's birthday schedule and returns the
// summary and the mail part of its report page in German.
func runReportMail(t *testing.T, e *cockpitEnv) (outcome, mail string) {
	t.Helper()
	run := e.runBirthdays(t)
	c := newClient(t, e.URL)
	c.lang = "de"
	c.signIn(e.Email, e.Password)
	resp, body := c.get("/schedules/geburtstagsgruesse/runs/" + run)
	if resp.StatusCode == http.StatusSeeOther {
		resp, body = c.get(resp.Header.Get("Location"))
	}
	require.Equal(t, http.StatusOK, resp.StatusCode)
	mail = regexp.MustCompile(`(?s)id="report-mail".*?</dl>`).FindString(body)
	require.NotEmpty(t, mail, body)
	outcome = regexp.MustCompile(`(?s)id="report-outcome".*?</p>`).FindString(body)
	require.NotEmpty(t, outcome, body)
	return outcome, mail
}

// TestRunReportSaysWhereTheMailWent: a run report counts the mail "im
// Testpostfach (nicht gesendet)" while no SMTP server is configured, and
// "Gesendet" once one is; so does the summary above the counts.
func TestRunReportSaysWhereTheMailWent(t *testing.T) {
	t.Parallel()
	outcome, captured := runReportMail(t, demoCockpit(t))
	require.Regexp(t, `<dt>Im Testpostfach \(nicht gesendet\)</dt><dd>2<`, captured)
	require.NotContains(t, captured, "Gesendet")
	require.Contains(t, outcome, "Nachrichten: 2 · davon im Testpostfach (nicht gesendet): 2.")
	require.NotContains(t, outcome, "davon gesendet")

	srv := smtptest.Start(t)
	outcome, sent := runReportMail(t, demoCockpit(t, apptest.WithSMTP(srv)))
	require.Regexp(t, `<dt>Gesendet</dt><dd>2<`, sent)
	require.NotContains(t, sent, "Testpostfach")
	require.Contains(t, outcome, "Nachrichten: 2 · davon gesendet: 2.")
}
