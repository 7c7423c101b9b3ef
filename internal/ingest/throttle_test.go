package ingest

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// throttlePing gives the fixture's "ping" notification the rules.
func (f *fixture) throttlePing(rules ...model.ThrottleRule) {
	f.t.Helper()
	fl, err := f.st.FlowGet(f.ctx, f.ws.ID, "f")
	require.NoError(f.t, err)
	fl.Notifications[0].Throttle = rules
	fl.Notifications[0].Normalize()
	_, err = f.st.FlowUpsert(f.ctx, f.ws.ID, fl)
	require.NoError(f.t, err)
	require.NoError(f.t, f.st.WorkspaceConfigBump(f.ctx, f.ws.ID))
}

// sendPing accepts a ping to anna and returns her message.
func (f *fixture) sendPing() (*model.Message, *model.Event) {
	f.t.Helper()
	res, err := f.g.Accept(f.ctx, f.ws, ping("anna"))
	require.NoError(f.t, err)
	require.Len(f.t, res.Messages, 1)
	m, err := f.st.MessageGet(f.ctx, f.ws.ID, res.Messages[0].ID)
	require.NoError(f.t, err)
	ev, err := f.st.EventGet(f.ctx, f.ws.ID, res.Event.ID)
	require.NoError(f.t, err)
	return m, ev
}

// At most 2 per hour: the second passes at the limit, the third is
// throttled with the rule and the count in its trace, still one a
// millisecond before the window ends, and exactly at the window's end a
// new window lets one go.
func TestThrottleLimitAndWindow(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.contacts(contact("anna"))
	f.throttlePing(model.ThrottleRule{Max: 2, Window: "1h", Scope: model.ThrottleNotification})
	hour := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	f.clock.Set(hour.Add(10 * time.Minute))
	for range 2 {
		m, _ := f.sendPing()
		require.Equal(t, model.MsgQueued, m.Status)
	}
	f.clock.Set(hour.Add(20 * time.Minute))
	m, ev := f.sendPing()
	require.Equal(t, model.MsgSuppressed, m.Status)
	require.Equal(t, "throttled", m.Reason)
	var step *model.Step
	for i := range ev.Trace {
		if ev.Trace[i].Message == m.ID {
			step = &ev.Trace[i]
		}
	}
	require.NotNil(t, step)
	require.Equal(t, model.StepRecipientSuppressed, step.Code)
	require.Equal(t, "2", step.Params["count"])
	require.Equal(t, "2", step.Params["max"])
	require.Equal(t, "1 h", step.Params["window"])
	require.Equal(t, "f/ping", step.Params["scope_value"])
	require.Equal(t, "2026-03-02T10:00:00Z", step.Params["window_end"])

	f.clock.Set(hour.Add(time.Hour - time.Millisecond))
	m, _ = f.sendPing()
	require.Equal(t, model.MsgSuppressed, m.Status, "a millisecond before the window ends")
	f.clock.Set(hour.Add(time.Hour))
	m, _ = f.sendPing()
	require.Equal(t, model.MsgQueued, m.Status, "exactly at the window's end a new window begins")
	stats, err := f.st.StatsList(f.ctx, f.ws.ID, "2026-03-01", "2026-03-03")
	require.NoError(t, err)
	throttled := 0
	for _, s := range stats {
		if s.Reason == "throttled" {
			throttled += s.Count
		}
	}
	require.Equal(t, 2, throttled, "the dashboard counts throttled messages")
}

// Events at once for one recipient with slots for 3: exactly 3 go, on
// SQLite and PostgreSQL, each event in its own transaction and (SQLite)
// grouped by the committer.
func TestThrottleConcurrentEvents(t *testing.T) {
	t.Parallel()
	run := func(t *testing.T, f *fixture) {
		f.contacts(contact("anna"))
		f.throttlePing(model.ThrottleRule{Max: 3, Window: "24h"})
		f.clock.Set(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
		var wg sync.WaitGroup
		statuses := make(chan model.MessageStatus, 12)
		for range 12 {
			wg.Go(func() {
				res, err := f.g.Accept(f.ctx, f.ws, ping("anna"))
				if err == nil {
					statuses <- res.Messages[0].Status
				}
				require.NoError(t, err)
			})
		}
		wg.Wait()
		close(statuses)
		counts := map[model.MessageStatus]int{}
		for s := range statuses {
			counts[s]++
		}
		require.Equal(t, map[model.MessageStatus]int{model.MsgQueued: 3, model.MsgSuppressed: 9}, counts)
		msgs, err := f.st.MessageList(f.ctx, &store.MessageListParams{WorkspaceID: f.ws.ID, Statuses: []model.MessageStatus{model.MsgQueued}, Limit: 100})
		require.NoError(t, err)
		require.Len(t, msgs, 3, "what is stored agrees")
	}
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); run(t, newFixture(t)) })
	t.Run("sqlite-grouped", func(t *testing.T) {
		t.Parallel()
		f := newFixture(t)
		f.g.Start()
		t.Cleanup(f.g.Stop)
		run(t, f)
	})
	t.Run("postgres", func(t *testing.T) { t.Parallel(); run(t, newPostgresFixture(t)) })
}

// Quiet hours hold a queued e-mail as due_at at the window's end; an
// urgent notification goes at once.
func TestQuietHoursHoldAsDueAt(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.contacts(contact("anna"))
	ws := *f.ws
	ws.QuietHours = "22:00-07:00"
	require.NoError(t, f.st.WorkspaceUpdate(f.ctx, &ws))
	f.ws = &ws
	// 2026-10-24 22:30 in Berlin (CEST); the night of the DST change ends at
	// 07:00 CET = 06:00 UTC.
	f.clock.Set(time.Date(2026, 10, 24, 20, 30, 0, 0, time.UTC))
	m, _ := f.sendPing()
	require.Equal(t, model.MsgQueued, m.Status)
	require.NotNil(t, m.NextAttemptAt)
	require.Equal(t, time.Date(2026, 10, 25, 6, 0, 0, 0, time.UTC), m.NextAttemptAt.UTC())
	claimed, err := f.st.MessageClaim(f.ctx, &store.MessageClaimParams{Owner: "x", Now: time.Date(2026, 10, 25, 5, 59, 59, 0, time.UTC),
		LeaseUntil: time.Date(2026, 10, 25, 7, 0, 0, 0, time.UTC), Limit: 10})
	require.NoError(t, err)
	require.Empty(t, claimed, "held until the window ends")
	claimed, err = f.st.MessageClaim(f.ctx, &store.MessageClaimParams{Owner: "x", Now: time.Date(2026, 10, 25, 6, 0, 0, 0, time.UTC),
		LeaseUntil: time.Date(2026, 10, 25, 7, 0, 0, 0, time.UTC), Limit: 10})
	require.NoError(t, err)
	require.Len(t, claimed, 1)

	fl, err := f.st.FlowGet(f.ctx, f.ws.ID, "f")
	require.NoError(t, err)
	fl.Notifications[0].Urgent = true
	_, err = f.st.FlowUpsert(f.ctx, f.ws.ID, fl)
	require.NoError(t, err)
	require.NoError(t, f.st.WorkspaceConfigBump(f.ctx, f.ws.ID)) // as the service does with every change
	m, _ = f.sendPing()
	require.Equal(t, model.MsgQueued, m.Status)
	require.Nil(t, m.NextAttemptAt, "urgent mail is not held")
}
