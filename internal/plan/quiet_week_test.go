package plan

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
)

// Business hours of the workspace hold a Saturday e-mail until Monday
// 08:00 in each recipient's zone and note the weekday for explain when
// the release is beyond tomorrow; a contact's own weekday rules replace
// the workspace's.
func TestPlanBusinessHoursHold(t *testing.T) {
	in := baseInput()
	in.Workspace.QuietHours = "open Mon-Fri 08:00-18:00"
	in.Contacts["anna"].Timezone = "America/New_York"
	byTo := func(out Output) map[string]Message {
		m := map[string]Message{}
		for _, msg := range out.Messages {
			m[msg.To.Contact.ID] = msg
		}
		return m
	}
	// Saturday 2026-03-28 10:00 UTC: 11:00 in Berlin, 06:00 in New York.
	out := planAt(t, in, time.Date(2026, 3, 28, 10, 0, 0, 0, time.UTC), notif("n", "job.requested"))
	got := byTo(out)
	require.Equal(t, time.Date(2026, 3, 30, 6, 0, 0, 0, time.UTC), got["ben"].HeldUntil, "Monday 08:00 CEST, after the spring change")
	require.Equal(t, time.Date(2026, 3, 30, 12, 0, 0, 0, time.UTC), got["anna"].HeldUntil, "Monday 08:00 EDT")
	p := out.Trace[got["ben"].Step].Params
	require.Equal(t, "08:00", p["held_local"])
	require.Equal(t, "2026-03-30", p["held_date"])
	require.Equal(t, "monday", p["held_weekday"])
	require.Equal(t, "workspace", p["held_by"])

	// Sunday 23:59 in Berlin: released tomorrow, no weekday needed.
	out = planAt(t, in, time.Date(2026, 3, 29, 21, 59, 0, 0, time.UTC), notif("n", "job.requested"))
	p = out.Trace[byTo(out)["ben"].Step].Params
	require.Equal(t, "2026-03-30", p["held_date"])
	require.Empty(t, p["held_weekday"])

	// Monday 08:00 in Berlin is open; ben's own rule (quiet on Mondays
	// until noon) holds him, in the workspace's zone.
	in.Contacts["ben"].Attributes = map[string]any{model.ContactQuietHoursAttribute: "Mo 00:00-12:00"}
	out = planAt(t, in, time.Date(2026, 3, 30, 6, 0, 0, 0, time.UTC), notif("n", "job.requested"))
	got = byTo(out)
	require.Equal(t, time.Date(2026, 3, 30, 10, 0, 0, 0, time.UTC), got["ben"].HeldUntil)
	require.Equal(t, "contact", out.Trace[got["ben"].Step].Params["held_by"])
	require.Equal(t, time.Date(2026, 3, 30, 12, 0, 0, 0, time.UTC), got["anna"].HeldUntil, "02:00 in New York")
}
