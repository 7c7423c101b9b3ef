package e2e_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/client"
	"github.com/herold-dev/herold/internal/smtptest"
)

// TestSummaryScheduleAt1730: the workspace sends summaries at 17:30.
// Anna (Berlin) and ben (New York) chose a daily summary of news on
// Saturday 28 March 2026. Anna's leaves at 17:30 CET (16:30 UTC, not a
// minute earlier), ben's at 17:30 EDT (21:30 UTC), each one mail through
// the SMTP server. The admin moves the time to 19:00 while both are
// open: they keep 17:30 (an item added after the change joins them),
// and the next summary, opened that night, leaves at 19:00 CEST on
// Sunday, the day the clocks go forward (17:00 UTC). A wrong time or
// weekday is refused with its field path.
func TestSummaryScheduleAt1730(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	e, c := summaryEnv(t, srv, nil, time.Date(2026, 3, 28, 12, 0, 0, 0, time.UTC))
	ctx := context.Background()

	r := e.Do("PATCH", "/v1/workspace", map[string]any{"summary_schedule": map[string]any{"at": "5pm", "weekday": "Friday"}})
	require.Equal(t, 422, r.Status, string(r.Body))
	require.Contains(t, string(r.Body), `"field":"summary_schedule.at"`)
	require.Contains(t, string(r.Body), `"field":"summary_schedule.weekday"`)
	e.Must(200, "PATCH", "/v1/workspace", map[string]any{"summary_schedule": map[string]any{"at": "17:30"}})
	w, err := c.Workspace(ctx)
	require.NoError(t, err)
	require.Equal(t, client.SummarySchedule{At: "17:30"}, w.SummarySchedule)

	for _, who := range []string{"anna", "ben"} {
		_, err := c.SetPreferences(ctx, who, []client.PreferenceUpdate{{Category: "news", Frequency: "daily"}})
		require.NoError(t, err)
	}
	send := func(n int, to string) {
		t.Helper()
		res, err := c.SendEvent(ctx, newsFor("news", n, to))
		require.NoError(t, err)
		require.Empty(t, res.Messages, "collected into the daily summary")
	}
	send(1, "anna")
	send(2, "ben")
	e.Clock.Advance(10 * time.Minute)
	e.Must(200, "PATCH", "/v1/workspace", map[string]any{"summary_schedule": map[string]any{"at": "19:00"}})
	send(3, "anna")
	send(4, "ben")

	e.Clock.Set(time.Date(2026, 3, 28, 16, 29, 0, 0, time.UTC))
	require.Zero(t, closeDue(t, e), "17:29 in Berlin")
	e.Clock.Set(time.Date(2026, 3, 28, 16, 30, 0, 0, time.UTC))
	require.Equal(t, 1, closeDue(t, e), "17:30 CET: anna's summary, opened before the change")
	anna := srv.WaitForMails(t, 1, wait)[0]
	require.Equal(t, []string{"anna@example.org"}, anna.Rcpts)
	require.Equal(t, "Ihre Zusammenfassung: 2 Benachrichtigungen", anna.Header.Get("Subject"))
	require.Contains(t, anna.Text, "Neuigkeit 1")
	require.Contains(t, anna.Text, "Neuigkeit 3")

	e.Clock.Set(time.Date(2026, 3, 28, 21, 29, 0, 0, time.UTC))
	require.Zero(t, closeDue(t, e), "17:29 in New York")
	e.Clock.Set(time.Date(2026, 3, 28, 21, 30, 0, 0, time.UTC))
	require.Equal(t, 1, closeDue(t, e), "17:30 EDT")
	ben := srv.WaitForMails(t, 2, wait)[1]
	require.Equal(t, []string{"ben@example.org"}, ben.Rcpts)
	require.Equal(t, "Your summary: 2 notifications", ben.Header.Get("Subject"))

	// A summary opened after the change closes at the new time.
	send(5, "anna")
	e.Clock.Set(time.Date(2026, 3, 29, 16, 59, 0, 0, time.UTC))
	require.Zero(t, closeDue(t, e), "18:59 CEST")
	e.Clock.Set(time.Date(2026, 3, 29, 17, 0, 0, 0, time.UTC))
	require.Equal(t, 1, closeDue(t, e), "19:00 CEST on the day the clocks go forward")
	next := srv.WaitForMails(t, 3, wait)[2]
	require.Equal(t, []string{"anna@example.org"}, next.Rcpts)
	require.Equal(t, "Ihre Zusammenfassung: 1 Benachrichtigung", next.Header.Get("Subject"))
	require.Contains(t, next.Text, "Neuigkeit 5")
	require.Equal(t, 3, srv.Count(), "never a second mail")
}
