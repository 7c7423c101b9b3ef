package e2e_test

import (
	"context"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDemoSchedulesFindTodaysBirthdaysAndExpiringQualifications: the
// demo's two schedules, run now, mail the members whose birthday is today
// (not the one whose birthday is next week) and the holders of
// qualifications expiring within 30 days (not the one in 200 days), with
// BCC to the agency, through the ordinary delivery path.
func TestDemoSchedulesFindTodaysBirthdaysAndExpiringQualifications(t *testing.T) {
	t.Parallel()
	e, _, srv := demoEnv(t)
	ctx := context.Background()
	svc, ws := e.App.Service(), e.App.Demo.Workspace

	pv, err := svc.SchedulePreviewAt(ctx, ws, "geburtstagsgruesse", svc.Now())
	require.NoError(t, err)
	require.Equal(t, 2, pv.Matched, "%+v", pv.Matches)
	pv, err = svc.SchedulePreviewAt(ctx, ws, "qualifikationen-ablauf", svc.Now())
	require.NoError(t, err)
	require.Equal(t, 2, pv.Matched, "%+v", pv.Matches)

	_, err = svc.ScheduleRunNow(ctx, ws, "geburtstagsgruesse")
	require.NoError(t, err)
	_, err = svc.ScheduleRunNow(ctx, ws, "qualifikationen-ablauf")
	require.NoError(t, err)
	mails := srv.WaitForMails(t, 4, wait)
	var got []string
	for _, m := range mails {
		subject := m.Subject
		switch {
		case strings.HasPrefix(subject, "Hygieneschulung expires on "), strings.HasPrefix(subject, "Staplerschein läuft am "):
			require.Contains(t, m.Rcpts, "dispo@agentur-nord.example", "BCC to the agency: %s", subject)
			subject, _, _ = strings.Cut(subject, " ")
		}
		got = append(got, subject)
	}
	sort.Strings(got)
	require.Equal(t, []string{"Alles Gute zum Geburtstag, Dora Kühn!", "Happy birthday, Emil Sørensen!",
		"Hygieneschulung", "Staplerschein"}, got)
	require.Equal(t, 4, srv.Count())
}
