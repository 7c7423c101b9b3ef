package service

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// weekly is the newsletter as a recurring broadcast, paced so an edition
// takes several batches.
func weekly(cron string) *model.Broadcast {
	nl := newsletter("nl")
	nl.Recurrence, nl.PerMinute = cron, 20
	return nl
}

// start saves nl and starts it.
func (b *broadcastSetup) start(t *testing.T, nl *model.Broadcast) *model.Broadcast {
	t.Helper()
	_, err := b.s.BroadcastPut(b.ctx, b.ws, nl)
	require.NoError(t, err)
	started, err := b.s.BroadcastStart(b.ctx, b.ws, nl.Key, nil)
	require.NoError(t, err)
	return started
}

// finishEdition sends the due batches until the edition's scan is done,
// moving the clock as its pacing says; it returns its report.
func (b *broadcastSetup) finishEdition(t *testing.T, s *Service, key string) *BroadcastReport {
	t.Helper()
	for range 100 {
		r := b.report(t, key)
		if r.Status == model.BroadcastDone {
			return r
		}
		worked, err := s.SendDueBroadcast(b.ctx, "test", 30*time.Second)
		require.NoError(t, err)
		if !worked {
			b.clk.Advance(time.Minute)
		}
	}
	t.Fatalf("edition %s did not finish", key)
	return nil
}

// TestRecurringBroadcastEditions: a weekly newsletter opens nothing
// before its occurrence (not a minute early), then one edition per
// week; each edition reaches every member once, with its own progress,
// report and idempotency keys, even though a stop in the middle of the
// first edition rolled a batch back and another server went on with it.
func TestRecurringBroadcastEditions(t *testing.T) {
	t.Parallel()
	b := newBroadcastSetup(t) // Monday 1 March 2027, 09:00 UTC; the workspace's zone is Europe/Berlin
	b.members(t, 60)
	require.Equal(t, model.BroadcastScheduled, b.start(t, weekly("0 8 * * MON")).Status)
	first := time.Date(2027, 3, 8, 7, 0, 0, 0, time.UTC) // 08:00 CET
	require.Equal(t, first, *b.report(t, "nl").NextEditionAt)

	b.clk.Set(first.Add(-time.Minute))
	require.False(t, b.step(t), "a minute before the occurrence")
	b.clk.Set(first)
	require.True(t, b.step(t), "the occurrence opens edition 1")
	r := b.report(t, "nl")
	require.Len(t, r.Editions, 1)
	require.Equal(t, "nl:000001", r.Editions[0].Key)
	require.Equal(t, 1, r.Editions[0].Edition)
	require.Equal(t, "nl", r.Editions[0].Series)
	require.Equal(t, first.AddDate(0, 0, 7), *r.NextEditionAt)

	// The first batch of 20; then a stop in the middle of the second,
	// and another server goes on.
	require.True(t, b.step(t))
	require.Equal(t, 20, b.report(t, "nl:000001").Scanned)
	b.clk.Advance(time.Minute)
	ctx, cancel := context.WithCancel(b.ctx)
	stopping, err := New(Config{Store: &stoppingStore{Store: b.s.store, cancel: cancel}, Clock: b.clk})
	require.NoError(t, err)
	_, err = stopping.SendDueBroadcast(ctx, "stopping", 30*time.Second)
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, 20, b.report(t, "nl:000001").Scanned, "the stopped batch was rolled back")
	other, err := New(Config{Store: b.s.store, Clock: b.clk})
	require.NoError(t, err)
	e1 := b.finishEdition(t, other, "nl:000001")
	require.Equal(t, 60, e1.Scanned)
	require.Equal(t, 60, e1.Messages, "one message per member, none twice")
	require.Equal(t, 6, e1.SuppressedBy["no_consent"])
	require.Equal(t, 3, e1.SuppressedBy["opted_out"])

	// Nothing more until next Monday 08:00.
	b.clk.Set(first.AddDate(0, 0, 7).Add(-time.Minute))
	require.False(t, b.step(t))
	b.clk.Set(first.AddDate(0, 0, 7))
	require.True(t, b.step(t), "edition 2")
	e2 := b.finishEdition(t, b.s, "nl:000002")
	require.Equal(t, 60, e2.Messages)
	for _, id := range []string{"m-0001", "m-0002", "m-0060"} {
		for _, ed := range []string{"nl:000001", "nl:000002"} {
			ev, err := b.s.store.EventGetByIdempotencyKey(b.ctx, b.ws.ID, "broadcast:"+ed+":"+id)
			require.NoError(t, err, "%s got edition %s", id, ed)
			ms, err := b.s.store.MessageList(b.ctx, &store.MessageListParams{WorkspaceID: b.ws.ID, EventID: ev.ID, Limit: 5})
			require.NoError(t, err)
			require.Len(t, ms, 1, "%s: one message for edition %s", id, ed)
		}
	}
	r = b.report(t, "nl")
	require.Equal(t, model.BroadcastRunning, r.Status, "a recurring broadcast goes on")
	require.Zero(t, r.Messages, "the editions send, not the series")
	require.Len(t, r.Editions, 2)
	require.Equal(t, []string{"nl:000002", "nl:000001"}, []string{r.Editions[0].Key, r.Editions[1].Key}, "newest first")
	require.Equal(t, 60, r.Editions[0].Messages)
	require.Equal(t, 60, r.Editions[1].Messages)
}

// TestRecurringBroadcastDST: "0 8 * * SUN" in Europe/Berlin opens its
// edition at 08:00 local time on the Sundays daylight saving time starts
// and ends (06:00 and 07:00 UTC).
func TestRecurringBroadcastDST(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		startAt     time.Time
		first, next time.Time
	}{
		{"spring forward", time.Date(2027, 3, 27, 12, 0, 0, 0, time.UTC),
			time.Date(2027, 3, 28, 6, 0, 0, 0, time.UTC), time.Date(2027, 4, 4, 6, 0, 0, 0, time.UTC)},
		{"fall back", time.Date(2027, 10, 30, 12, 0, 0, 0, time.UTC),
			time.Date(2027, 10, 31, 7, 0, 0, 0, time.UTC), time.Date(2027, 11, 7, 7, 0, 0, 0, time.UTC)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := newBroadcastSetup(t)
			berlin := "Europe/Berlin"
			ws, err := b.s.WorkspaceUpdate(b.ctx, b.ws, WorkspacePatch{Timezone: &berlin})
			require.NoError(t, err)
			b.ws = ws
			b.members(t, 3)
			nl := weekly("0 8 * * SUN")
			nl.StartAt = &tc.startAt
			b.start(t, nl)
			require.Equal(t, tc.first, *b.report(t, "nl").NextEditionAt)
			b.clk.Set(tc.first.Add(-time.Minute))
			require.False(t, b.step(t))
			b.clk.Set(tc.first)
			require.True(t, b.step(t))
			r := b.report(t, "nl")
			require.Len(t, r.Editions, 1)
			require.Equal(t, tc.next, *r.NextEditionAt)
		})
	}
}

// TestRecurringBroadcastPauseCancel: pausing the series pauses its
// running edition and opens none while paused; resuming goes on with the
// edition; cancelling cancels it (its waiting messages suppressed) and
// opens no more editions.
func TestRecurringBroadcastPauseCancel(t *testing.T) {
	t.Parallel()
	b := newBroadcastSetup(t)
	b.members(t, 60)
	b.start(t, weekly("0 8 * * MON"))
	first := time.Date(2027, 3, 8, 7, 0, 0, 0, time.UTC)
	b.clk.Set(first)
	require.True(t, b.step(t)) // edition 1
	require.True(t, b.step(t)) // its first batch
	_, err := b.s.BroadcastPause(b.ctx, b.ws, "nl")
	require.NoError(t, err)
	require.Equal(t, model.BroadcastPaused, b.report(t, "nl:000001").Status)
	b.clk.Advance(8 * 24 * time.Hour)
	require.False(t, b.step(t), "paused: no batch and no new edition")

	_, err = b.s.BroadcastResume(b.ctx, b.ws, "nl")
	require.NoError(t, err)
	require.Equal(t, model.BroadcastRunning, b.report(t, "nl:000001").Status)
	require.True(t, b.step(t))
	require.Equal(t, 40, b.report(t, "nl:000001").Scanned, "the edition went on where it stopped")
	require.Len(t, b.report(t, "nl").Editions, 1, "the occurrence that passed while paused is skipped")
	require.Equal(t, first.AddDate(0, 0, 14), *b.report(t, "nl").NextEditionAt)

	_, err = b.s.BroadcastCancel(b.ctx, b.ws, "nl")
	require.NoError(t, err)
	e1 := b.report(t, "nl:000001")
	require.Equal(t, model.BroadcastCancelled, e1.Status)
	require.Positive(t, e1.SuppressedBy["broadcast_cancelled"], "%+v", e1)
	r := b.report(t, "nl")
	require.Nil(t, r.NextEditionAt)
	b.clk.Advance(14 * 24 * time.Hour)
	require.False(t, b.step(t))
	require.Len(t, b.report(t, "nl").Editions, 1, "no edition after the cancel")
}

// TestRecurringBroadcastRejected: a recurrence that is not a cron, or
// never occurs, is refused under "recurrence".
func TestRecurringBroadcastRejected(t *testing.T) {
	t.Parallel()
	b := newBroadcastSetup(t)
	for _, cron := range []string{"0 8 * *", "every monday", "0 8 30 2 *", "@every 1h"} {
		_, err := b.s.BroadcastPut(b.ctx, b.ws, weekly(cron))
		var verr *ValidationError
		require.ErrorAs(t, err, &verr, cron)
		require.Len(t, verr.Fields, 1, cron)
		require.Equal(t, "recurrence", verr.Fields[0].Field, cron)
	}
}
