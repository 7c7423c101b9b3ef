package plan

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/condition"
	"github.com/herold-dev/herold/internal/model"
)

// planAt plans in at now with one notification.
func planAt(t *testing.T, in Input, now time.Time, n model.Notification) Output {
	t.Helper()
	env, err := condition.New()
	require.NoError(t, err)
	in.Now = now
	in.Flow.Notifications = []model.Notification{n}
	return Plan(context.Background(), in, celEval{env})
}

func TestPlanQuietHoursHold(t *testing.T) {
	in := baseInput()
	in.Workspace.QuietHours = "22:00-07:00"
	// anna lives in New York; ben has no zone (the workspace's, Berlin)
	// and quiet hours of his own.
	in.Contacts["anna"].Timezone = "America/New_York"
	in.Contacts["ben"].Attributes = map[string]any{model.ContactQuietHoursAttribute: "22:00-09:30"}
	night := time.Date(2026, 3, 2, 22, 30, 0, 0, time.UTC) // 23:30 in Berlin, 17:30 in New York
	out := planAt(t, in, night, notif("n", "job.requested"))
	require.Len(t, out.Messages, 2)
	byTo := map[string]Message{}
	for _, m := range out.Messages {
		byTo[m.To.Contact.ID] = m
	}
	require.True(t, byTo["anna"].HeldUntil.IsZero(), "17:30 in New York is not quiet")
	ben := byTo["ben"]
	require.Equal(t, time.Date(2026, 3, 3, 8, 30, 0, 0, time.UTC), ben.HeldUntil) // 09:30 Berlin
	s := out.Trace[ben.Step]
	require.Equal(t, model.StepMessageQueued, s.Code)
	require.Equal(t, "09:30", s.Params["held_local"])
	require.Equal(t, "contact", s.Params["held_by"])
	require.Equal(t, "Europe/Berlin", s.Params["zone"])

	// At 04:00 UTC it is 05:00 in Berlin (ben held until 09:30) and
	// 23:00 in New York: anna is held until 07:00 New York time under the
	// workspace's quiet hours.
	out = planAt(t, in, time.Date(2026, 3, 3, 4, 0, 0, 0, time.UTC), notif("n", "job.requested"))
	for _, m := range out.Messages {
		if m.To.Contact.ID == "anna" {
			require.Equal(t, time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC), m.HeldUntil)
			require.Equal(t, "workspace", out.Trace[m.Step].Params["held_by"])
			require.Equal(t, "America/New_York", out.Trace[m.Step].Params["zone"])
		}
	}

	// Urgent bypasses; in-app items are never held.
	out = planAt(t, in, night, notif("n", "job.requested", func(n *model.Notification) { n.Urgent = true }))
	for _, m := range out.Messages {
		require.True(t, m.HeldUntil.IsZero(), m.To.Contact.ID)
		require.Empty(t, out.Trace[m.Step].Params["held_until"])
	}
	out = planAt(t, in, night, notif("n", "job.requested", func(n *model.Notification) { n.Channels = []string{model.ChannelInApp} }))
	require.Len(t, out.Messages, 2)
	for _, m := range out.Messages {
		require.Equal(t, model.MsgQueued, m.Status)
		require.True(t, m.HeldUntil.IsZero())
	}
}

func TestPlanThrottleCounters(t *testing.T) {
	in := baseInput()
	in.Object = &model.Object{Collection: "tickets", ID: "T-7"}
	n := notif("n", "job.requested", func(n *model.Notification) {
		n.Category = "support"
		n.Throttle = []model.ThrottleRule{{Max: 5, Window: "1h"}, {Max: 2, Window: "24h", Scope: model.ThrottleNotification},
			{Max: 1, Window: "15m", Scope: model.ThrottleKey, Key: "{{.object.id}}"}}
	})
	in.Contacts["anna"].Consents = []string{"support"}
	in.Contacts["ben"].Consents = []string{"support"}
	out := planAt(t, in, time.Date(2026, 3, 2, 9, 59, 0, 0, time.UTC), n)
	require.Len(t, out.Messages, 2)
	cs := out.Messages[0].Throttles
	require.Len(t, cs, 3)
	who := "c:" + out.Messages[0].To.Contact.ID
	require.Equal(t, "category:support|1h0m0s|"+who, cs[0].Key)
	require.Equal(t, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), cs[0].Start)
	require.Equal(t, "notification:standard/n|24h0m0s|"+who, cs[1].Key)
	require.Equal(t, "key:T-7|15m0s|"+who, cs[2].Key)
	require.Equal(t, time.Date(2026, 3, 2, 9, 45, 0, 0, time.UTC), cs[2].Start)

	// A key template that does not compile counts under its source.
	broken := n
	broken.Throttle = []model.ThrottleRule{{Max: 1, Window: "1h", Scope: model.ThrottleKey, Key: "{{ .object.id "}}
	bout := planAt(t, in, time.Date(2026, 3, 2, 9, 59, 0, 0, time.UTC), broken)
	require.Equal(t, "key:{{ .object.id |1h0m0s|"+who, bout.Messages[0].Throttles[0].Key)

	// The decision: full at the limit, free one below.
	m := out.Messages[0]
	_, _, full := Throttle(&m, func(c ThrottleCounter) int { return c.Rule.Max - 1 })
	require.False(t, full)
	c, count, full := Throttle(&m, func(c ThrottleCounter) int {
		if c.Index == 1 {
			return 2
		}
		return 0
	})
	require.True(t, full)
	require.Equal(t, 1, c.Index)
	require.Equal(t, 2, count)
	s := out.Trace[m.Step]
	Throttled(&m, &s, c, count)
	require.Equal(t, model.MsgSuppressed, m.Status)
	require.Equal(t, model.StepRecipientSuppressed, s.Code)
	require.Equal(t, map[string]string{"reason": "throttled", "category": "support", "via": m.To.Via, "field": "to",
		"channel": "", "rule": "2", "scope": "notification", "scope_value": "standard/n", "count": "2", "max": "2",
		"window": "1 d", "window_end": "2026-03-03T00:00:00Z"}, s.Params)
}
