package e2e_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/client"
	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/smtptest"
)

// Business hours "open Mon-Fri 08:00-18:00": a ping on Saturday is held
// over the weekend of the spring DST change, explained with the weekday,
// and the real delivery engine sends it to the SMTP server on Monday at
// 08:00 CEST (06:00 UTC), not a second before.
func TestBusinessHoursHoldOverTheWeekend(t *testing.T) {
	t.Parallel()
	// Saturday 2026-03-28, 10:00 in Berlin.
	srv, e, c := quietEnv(t, time.Date(2026, 3, 28, 9, 0, 0, 0, time.UTC), "open Mon-Fri 08:00-18:00")
	ctx := context.Background()
	held, err := c.SendEvent(ctx, ping(1, inline("c1", "c1@example.org")))
	require.NoError(t, err)
	heldID := held.Messages[0].ID
	m, err := c.Message(ctx, heldID)
	require.NoError(t, err)
	require.NotNil(t, m.NextAttemptAt)
	require.Equal(t, time.Date(2026, 3, 30, 6, 0, 0, 0, time.UTC), m.NextAttemptAt.UTC())

	ex, err := c.Explain(ctx, held.ID, "en")
	require.NoError(t, err)
	require.Contains(t, allStepTexts(ex), "The message to Person c1 <c1@example.org> was queued and is held until 08:00 on Monday 2026-03-30 (quiet hours of the workspace, Europe/Berlin).")
	ex, err = c.Explain(ctx, held.ID, "de")
	require.NoError(t, err)
	require.Contains(t, allStepTexts(ex), "Die Nachricht an Person c1 <c1@example.org> wurde eingereiht und wird bis 08:00 Uhr am Montag, 30.03.2026 zurückgehalten (Ruhezeiten des Mandanten, Europe/Berlin).")

	// Monday 07:59:59 CEST: a second ping is held too; an urgent alarm
	// goes at once, so the engine ran, and it left the pings alone.
	e.Clock.Set(time.Date(2026, 3, 30, 5, 59, 59, 0, time.UTC))
	early, err := c.SendEvent(ctx, ping(2, inline("c1", "c1@example.org")))
	require.NoError(t, err)
	m, err = c.Message(ctx, early.Messages[0].ID)
	require.NoError(t, err)
	require.Equal(t, time.Date(2026, 3, 30, 6, 0, 0, 0, time.UTC), m.NextAttemptAt.UTC())
	urgent, err := c.SendEvent(ctx, urgentAlarm(3))
	require.NoError(t, err)
	e.WaitStatus(urgent.Messages[0].ID, "sent", wait)
	require.Equal(t, "queued", e.MessageStatus(heldID))
	require.Equal(t, "queued", e.MessageStatus(early.Messages[0].ID))
	require.Equal(t, 1, srv.Count())

	// 08:00 CEST: both go out.
	e.Clock.Set(time.Date(2026, 3, 30, 6, 0, 0, 0, time.UTC))
	e.WaitStatus(heldID, "sent", wait)
	e.WaitStatus(early.Messages[0].ID, "sent", wait)
	require.Equal(t, 3, srv.Count())
	m, err = c.Message(ctx, heldID)
	require.NoError(t, err)
	require.Equal(t, []string{"planned", "queued", "sending", "sent"}, timelineStatuses(m))
}

// quietEnv starts an app at now whose delivery engine sends to a real
// SMTP server, with the workspace's quiet hours and two notifications:
// ping (held by them) and alarm (urgent, never held).
func quietEnv(t *testing.T, now time.Time, quiet string) (*smtptest.Server, *apptest.Env, *client.Client) {
	t.Helper()
	srv := smtptest.Start(t)
	e, c := simpleEnv(t, apptest.WithSMTP(srv), func(s *apptest.Setup) { s.Clock.Set(now) })
	e.Must(200, "PATCH", "/v1/workspace", map[string]any{"quiet_hours": quiet})
	e.Must(200, "PUT", "/v1/flows/f", map[string]any{"notifications": []any{
		map[string]any{"key": "ping", "event_type": "ping", "template": "ping", "recipients": []string{"role:to"}},
		map[string]any{"key": "alarm", "event_type": "alarm", "template": "ping", "recipients": []string{"role:to"}, "urgent": true},
	}})
	return srv, e, c
}

// urgentAlarm is an urgent event to c1: it goes at once, so when it is
// sent the delivery engine has run.
func urgentAlarm(n int) *client.Event {
	ev := ping(n, inline("c1", "c1@example.org"))
	ev.Type = "alarm"
	return ev
}
