package service

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/schedule"
	"github.com/herold-dev/herold/internal/store"
)

// outcomeCounting counts how often the store counts a run's mail
// (counts) and a broadcast's (broadcasts).
type outcomeCounting struct {
	store.Store
	counts     atomic.Int64
	broadcasts atomic.Int64
}

func (o *outcomeCounting) BroadcastMessageCounts(ctx context.Context, ws int64, key string) ([]store.StatusCount, error) {
	o.broadcasts.Add(1)
	return o.Store.BroadcastMessageCounts(ctx, ws, key)
}

func (o *outcomeCounting) ScheduleRunOutcome(ctx context.Context, ws int64, run string) (*store.RunOutcome, error) {
	o.counts.Add(1)
	return o.Store.ScheduleRunOutcome(ctx, ws, run)
}

// TestRunReportKeepsLargeCounts: a run page asked for again and again
// counts a large run's mail once per window (proportional to the run's
// size) and says when it counted; a count taken while the run went on is
// never reused once it has ended; small runs are counted on every request;
// counts are kept per workspace and run, and only a bounded number.
func TestRunReportKeepsLargeCounts(t *testing.T) {
	t.Parallel()
	e := newEdges(t, time.Date(2026, 5, 17, 5, 0, 0, 0, time.UTC))
	ctx, s, clk, ws := e.ctx, e.s, e.clk, e.ws
	st := &outcomeCounting{Store: s.store}
	s.store = st // run reports count through st
	// Three members born today without the birthday consent: the run
	// excludes all three (no_consent), three rows to count.
	var cs []*model.Contact
	for i := range 3 {
		cs = append(cs, &model.Contact{ID: fmt.Sprintf("c-%d", i), Email: fmt.Sprintf("c%d@example.org", i),
			Attributes: map[string]any{"birthday": "1990-05-17"}})
	}
	res, err := s.ContactBulkUpsert(ctx, ws, cs)
	require.NoError(t, err)
	require.Empty(t, res.Errors)
	_, err = s.SchedulePut(ctx, ws, &model.Schedule{Key: "birthdays", Project: "verein", Role: "member"},
		&schedule.PresetParams{Kind: schedule.PresetBirthday, ConsentCategory: "birthday"})
	require.NoError(t, err)

	run, err := s.ScheduleRunNow(ctx, ws, "birthdays")
	require.NoError(t, err)
	report := func() *RunReport {
		t.Helper()
		r, err := s.ScheduleRunReport(ctx, ws, "birthdays", run.ID)
		require.NoError(t, err)
		return r
	}
	s.counts.minRows, s.counts.perRow = 3, time.Hour

	// Before the run has emitted anything: nothing to keep (0 rows).
	require.Equal(t, model.RunQueued, report().Status)
	require.Equal(t, model.RunQueued, report().Status)
	require.EqualValues(t, 2, st.counts.Load(), "a count below the threshold is never kept")

	c, err := s.store.ScheduleRunClaim(ctx, &store.RunClaimParams{Owner: "test", Now: clk.Now(), LeaseUntil: clk.Now().Add(time.Hour)})
	require.NoError(t, err)
	require.NoError(t, s.executeRun(ctx, c))

	first := report()
	require.Equal(t, model.RunFinished, first.Status)
	require.Equal(t, []RunCount{s.runCount("no_consent", 3)}, first.ExcludedBy)
	require.Equal(t, clk.Now(), first.Mail.At)
	require.EqualValues(t, 3, st.counts.Load())

	clk.Advance(time.Minute)
	again := report()
	require.EqualValues(t, 3, st.counts.Load(), "a young count of a large run is handed out again")
	require.Equal(t, first.ExcludedBy, again.ExcludedBy)
	require.Equal(t, first.Mail, again.Mail, "including when it was counted")

	// A count taken while the run was going on is not reused after it
	// ended.
	s.counts.mu.Lock()
	key := countKey{ws.ID, countRun, run.ID}
	kept := s.counts.m[key]
	kept.ended = false
	s.counts.m[key] = kept
	s.counts.mu.Unlock()
	fresh := report()
	require.EqualValues(t, 4, st.counts.Load())
	require.Equal(t, clk.Now(), fresh.Mail.At)

	// Another workspace asking for the same run id gets nothing of it.
	other, err := s.WorkspaceCreate(ctx, WorkspaceCreateParams{Key: "andere",
		WorkspaceSettings: WorkspaceSettings{Timezone: "Europe/Berlin"}})
	require.NoError(t, err)
	out, _, err := s.counts.runOutcome(ctx, s, other.Workspace.ID, fresh.ScheduleRun)
	require.NoError(t, err)
	require.Empty(t, out.Excluded)
	require.EqualValues(t, 5, st.counts.Load())

	// The window is proportional to how long the count took: with a
	// nanosecond per row, a count is still kept for a billion times its
	// duration (up to the maximum age).
	s.counts.perRow, s.counts.times = time.Nanosecond, 1e9
	s.counts.forget(key)
	report()
	report()
	require.EqualValues(t, 6, st.counts.Load(), "kept for the time it took")

	// The window is proportional to the rows counted: at 10 ms a row, the
	// count is taken again within a few tens of milliseconds.
	s.counts.perRow, s.counts.times = 10*time.Millisecond, 1
	s.counts.forget(key)
	report()
	require.EqualValues(t, 7, st.counts.Load())
	deadline := time.Now().Add(5 * time.Second)
	for st.counts.Load() == 7 && time.Now().Before(deadline) {
		report()
		time.Sleep(time.Millisecond)
	}
	require.EqualValues(t, 8, st.counts.Load(), "counted again once the window passed")

	// Below the threshold every request counts.
	s.counts.minRows = 4
	s.counts.forget(key)
	report()
	report()
	require.EqualValues(t, 10, st.counts.Load())

	// At most maxRuns counts are kept.
	s.counts.minRows, s.counts.perRow, s.counts.maxKept = 3, time.Hour, 1
	report()
	s.counts.mu.Lock()
	s.counts.m[countKey{ws.ID, countRun, "another"}] = keptCount{out: &store.RunOutcome{}, until: time.Now().Add(time.Hour)}
	s.counts.mu.Unlock()
	s.counts.forget(key)
	report()
	s.counts.mu.Lock()
	require.Len(t, s.counts.m, 1)
	s.counts.mu.Unlock()
}

// TestBroadcastReportKeepsLargeCounts: a broadcast's report asked for
// again and again counts a large broadcast's messages once per window and
// says when it counted; a count taken while the broadcast was sending is
// not reused once it is done; small broadcasts are counted on every
// request; counts are kept per workspace.
func TestBroadcastReportKeepsLargeCounts(t *testing.T) {
	t.Parallel()
	b := newBroadcastSetup(t)
	st := &outcomeCounting{Store: b.s.store}
	b.s.store = st // broadcast reports count through st
	b.members(t, 30)
	nl := newsletter("nl")
	nl.PerMinute = 20
	_, err := b.s.BroadcastPut(b.ctx, b.ws, nl)
	require.NoError(t, err)
	_, err = b.s.BroadcastStart(b.ctx, b.ws, "nl", nil)
	require.NoError(t, err)
	b.s.counts.minRows, b.s.counts.perRow = 20, time.Hour

	// counted reports a count taken now, the store's nth in all.
	counted := func(status model.BroadcastStatus, messages int, n int64) *BroadcastReport {
		t.Helper()
		r := b.report(t, "nl")
		require.Equal(t, status, r.Status)
		require.Equal(t, messages, r.Messages)
		require.Equal(t, b.clk.Now(), r.CountedAt)
		require.EqualValues(t, n, st.broadcasts.Load())
		return r
	}

	require.True(t, b.step(t)) // the first 20 messages
	first := counted(model.BroadcastRunning, 20, 1)

	b.clk.Advance(time.Minute)
	again := b.report(t, "nl")
	require.EqualValues(t, 1, st.broadcasts.Load(), "a young count of a large broadcast is handed out again")
	require.Equal(t, first.CountedAt, again.CountedAt, "with when it was counted")
	require.Equal(t, 20, again.Messages)

	// The last 10 messages: the broadcast is done, and its report counts
	// them although the count taken while it was sending is still young.
	require.True(t, b.step(t))
	done := counted(model.BroadcastDone, 30, 2)
	b.clk.Advance(time.Second)
	require.Equal(t, done.CountedAt, b.report(t, "nl").CountedAt)
	require.EqualValues(t, 2, st.broadcasts.Load(), "the count of the done broadcast is kept")

	// Another workspace asking for the same key gets nothing of it.
	other, err := b.s.WorkspaceCreate(b.ctx, WorkspaceCreateParams{Key: "andere",
		WorkspaceSettings: WorkspaceSettings{Timezone: "Europe/Berlin"}})
	require.NoError(t, err)
	counts, _, err := b.s.counts.broadcastMessages(b.ctx, b.s, other.Workspace.ID, &model.Broadcast{Key: "nl", Status: model.BroadcastDone})
	require.NoError(t, err)
	require.Empty(t, counts)
	require.EqualValues(t, 3, st.broadcasts.Load())

	// Below the threshold every request counts.
	b.s.counts.minRows = 31
	b.s.counts.forget(countKey{b.ws.ID, countBroadcast, "nl"})
	b.report(t, "nl")
	b.report(t, "nl")
	require.EqualValues(t, 5, st.broadcasts.Load())
}
