package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/client"
	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/smtptest"
	"github.com/herold-dev/herold/internal/store"
)

// Quiet hours on the night of the spring DST change: a ping at 22:30 in
// Berlin is held, an urgent alarm sent after it goes at once, and the
// real delivery engine sends the held ping to the SMTP server when the
// clock reaches 07:00 CEST (05:00 UTC, after a night of 7 hours).
func TestQuietHoursHoldAndRelease(t *testing.T) {
	t.Parallel()
	srv, e, c := quietEnv(t, time.Date(2026, 3, 28, 21, 30, 0, 0, time.UTC), "22:00-07:00")
	ctx := context.Background()
	w, err := c.Workspace(ctx)
	require.NoError(t, err)
	require.Equal(t, "22:00-07:00", w.QuietHours)
	held, err := c.SendEvent(ctx, ping(1, inline("c1", "c1@example.org")))
	require.NoError(t, err)
	heldID := held.Messages[0].ID
	alarm := urgentAlarm(2)
	urgent, err := c.SendEvent(ctx, alarm)
	require.NoError(t, err)
	e.WaitStatus(urgent.Messages[0].ID, "sent", wait)
	require.Equal(t, "queued", e.MessageStatus(heldID), "the delivery engine ran and left the held ping alone")
	require.Equal(t, 1, srv.Count())

	ex, err := c.Explain(ctx, held.ID, "en")
	require.NoError(t, err)
	require.Contains(t, allStepTexts(ex), "The message to Person c1 <c1@example.org> was queued and is held until 07:00 on 2026-03-29 (quiet hours of the workspace, Europe/Berlin).")
	ex, err = c.Explain(ctx, held.ID, "de")
	require.NoError(t, err)
	require.Contains(t, allStepTexts(ex), "Die Nachricht an Person c1 <c1@example.org> wurde eingereiht und wird bis 07:00 Uhr am 29.03.2026 zurückgehalten (Ruhezeiten des Mandanten, Europe/Berlin).")

	e.Clock.Set(time.Date(2026, 3, 29, 4, 59, 59, 0, time.UTC))
	urgent, err = c.SendEvent(ctx, alarm)
	require.NoError(t, err)
	e.WaitStatus(urgent.Messages[0].ID, "sent", wait)
	require.Equal(t, "queued", e.MessageStatus(heldID), "a second before 07:00")

	e.Clock.Set(time.Date(2026, 3, 29, 5, 0, 0, 0, time.UTC))
	e.WaitStatus(heldID, "sent", wait)
	require.Equal(t, 3, srv.Count())
	m, err := c.Message(ctx, heldID)
	require.NoError(t, err)
	require.Equal(t, []string{"planned", "queued", "sending", "sent"}, timelineStatuses(m))
}

// A contact's own quiet hours (attribute quiet_hours) in the contact's
// time zone replace the workspace's; a bad value is refused with its
// field path, and so is a bad throttle rule.
func TestQuietHoursOfContactAndValidation(t *testing.T) {
	t.Parallel()
	e, c := simpleEnv(t)
	r := e.Do("PUT", "/v1/contacts/c1", map[string]any{"email": "c1@example.org", "attributes": map[string]any{"quiet_hours": "25:00-07:00"}})
	require.Equal(t, 422, r.Status, string(r.Body))
	require.Contains(t, string(r.Body), `"field":"attributes.quiet_hours"`)
	r = e.Do("PATCH", "/v1/workspace", map[string]any{"quiet_hours": "22:00"})
	require.Equal(t, 422, r.Status, string(r.Body))
	require.Contains(t, string(r.Body), `"field":"quiet_hours"`)
	r = e.Do("PUT", "/v1/flows/f", map[string]any{"notifications": []any{
		map[string]any{"key": "ping", "event_type": "ping", "template": "ping", "recipients": []string{"role:to"},
			"throttle": []any{map[string]any{"max": 5, "window": "1h"}, map[string]any{"max": 0, "window": "1h", "scope": "key"}}},
	}})
	require.Equal(t, 422, r.Status, string(r.Body))
	require.Contains(t, string(r.Body), `"field":"notifications[0].throttle[1].max"`)
	require.Contains(t, string(r.Body), `"field":"notifications[0].throttle[1].key"`)

	// 08:00 UTC on 2 March: 09:00 in Berlin (no quiet hours there), 03:00
	// in New York, where c1's own quiet hours 23:00-06:30 hold until
	// 06:30 New York time.
	e.Must(200, "PATCH", "/v1/workspace", map[string]any{"quiet_hours": "22:00-07:00"})
	e.Must(201, "PUT", "/v1/contacts/c1", map[string]any{"email": "c1@example.org", "timezone": "America/New_York",
		"attributes": map[string]any{"quiet_hours": "23:00-06:30"}})
	e.Must(201, "PUT", "/v1/contacts/c2", map[string]any{"email": "c2@example.org"})
	ctx := context.Background()
	res, err := c.SendEvent(ctx, ping(1, client.ContactID("c1"), client.ContactID("c2")))
	require.NoError(t, err)
	byTo := map[string]*client.Message{}
	for _, m := range res.Messages {
		got, err := c.Message(ctx, m.ID)
		require.NoError(t, err)
		byTo[got.To.Contact] = got
	}
	require.NotNil(t, byTo["c1"].NextAttemptAt)
	require.Equal(t, time.Date(2026, 3, 2, 11, 30, 0, 0, time.UTC), byTo["c1"].NextAttemptAt.UTC())
	require.Nil(t, byTo["c2"].NextAttemptAt, "09:00 in Berlin is not quiet")
	ex, err := c.Explain(ctx, res.ID, "en")
	require.NoError(t, err)
	require.Contains(t, allStepTexts(ex), "held until 06:30 on 2026-03-02 (quiet hours of the contact, America/New_York).")
}

// allStepTexts joins the sentences of an explanation.
func allStepTexts(ex *client.Explanation) string {
	var out strings.Builder
	for _, s := range ex.Steps {
		out.WriteString(s.Text + "\n")
	}
	return out.String()
}

// A throttle of 2 per hour for category support: the third ticket mail
// within the hour is suppressed as throttled and explained with the
// rule and the count; an hour later mail goes again.
func TestThrottleThroughTheAPI(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	e, c := simpleEnv(t, apptest.WithSMTP(srv))
	e.Must(200, "PUT", "/v1/flows/f", map[string]any{"notifications": []any{
		map[string]any{"key": "ping", "event_type": "ping", "template": "ping", "recipients": []string{"role:to"},
			"throttle": []any{map[string]any{"max": 2, "window": "1h"}}},
	}})
	ctx := context.Background()
	var ids []string
	var last *client.EventResult
	for i := range 3 {
		res, err := c.SendEvent(ctx, ping(i, inline("c1", "c1@example.org")))
		require.NoError(t, err)
		ids = append(ids, res.Messages[0].ID)
		last = res
	}
	e.WaitStatus(ids[0], "sent", wait)
	e.WaitStatus(ids[1], "sent", wait)
	require.Equal(t, "suppressed", e.MessageStatus(ids[2]))
	m, err := c.Message(ctx, ids[2])
	require.NoError(t, err)
	require.Equal(t, "throttled", m.Reason)
	ex, err := c.Explain(ctx, last.ID, "en")
	require.NoError(t, err)
	require.Contains(t, allStepTexts(ex), "No message to Person c1 <c1@example.org>: throttled: 2 of at most 2 per 1 h for category transactional (rule 1 of the notification; the window ends on 2026-03-02 at 10:00).")

	e.Clock.Advance(time.Hour)
	res, err := c.SendEvent(ctx, ping(4, inline("c1", "c1@example.org")))
	require.NoError(t, err)
	e.WaitStatus(res.Messages[0].ID, "sent", wait)
	require.Equal(t, 3, srv.Count())

	// The retention job deletes the counters of ended windows.
	e.Clock.Advance(time.Hour + time.Millisecond)
	require.NoError(t, e.App.Service().Purge(ctx))
	left, err := e.App.Store().ThrottleCountPurge(ctx, &store.PurgeParams{WorkspaceID: e.App.Bootstrapped.Workspace.ID,
		Before: e.Clock.Now().Add(24 * time.Hour), Limit: 100})
	require.NoError(t, err)
	require.Zero(t, left, "both windows' counters were purged already")
}
