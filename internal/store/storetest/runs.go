package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// A schedule run is its own queue entry: claimed with a lease, renewed
// while it works, given up when it ends, taken over when its runner dies.
func init() {
	pipelineCases = append(pipelineCases, []storeCase{
		{"RunClaim", testRunClaim},
		{"RunLeaseLostStopsUpdates", testRunLeaseLostStopsUpdates},
		{"RunLeaseExpire", testRunLeaseExpire},
	}...)
}

// queuedRun stores a schedule with a queued run, queued at at.
func queuedRun(t *testing.T, b *bundle, ws *model.Workspace, id string, at time.Time) *model.ScheduleRun {
	t.Helper()
	if _, err := b.s.ScheduleGet(b.ctx, ws.ID, "birthdays"); err != nil {
		require.NoError(t, upsert(b, ws.ID, sampleSchedule("birthdays", nil)))
	}
	r := &model.ScheduleRun{ID: id, Schedule: "birthdays", Trigger: model.TriggerManual, Status: model.RunQueued,
		StartedAt: at, ErrorSamples: []string{}}
	require.NoError(t, b.s.ScheduleRunInsert(b.ctx, ws.ID, r))
	return r
}

func claimRun(t *testing.T, b *bundle, owner string, now time.Time) *store.ClaimedRun {
	t.Helper()
	c, err := b.s.ScheduleRunClaim(b.ctx, &store.RunClaimParams{Owner: owner, Now: now, LeaseUntil: now.Add(time.Minute)})
	if err != nil {
		require.ErrorIs(t, err, store.ErrNotFound)
		return nil
	}
	return c
}

func testRunClaim(t *testing.T, b *bundle) {
	next, err := b.s.ScheduleRunNextDue(b.ctx, "p1")
	require.NoError(t, err)
	require.Nil(t, next)
	queuedRun(t, b, b.ws, "run-1", base)
	queuedRun(t, b, b.other, "run-2", base.Add(time.Second))
	next, err = b.s.ScheduleRunNextDue(b.ctx, "p1")
	require.NoError(t, err)
	require.True(t, next.Equal(base), "a queued run is due at once: %v", next)

	require.Nil(t, claimRun(t, b, "p1", base.Add(-time.Second)), "not before it is due")
	c := claimRun(t, b, "p1", base.Add(10*time.Second))
	require.NotNil(t, c)
	require.Equal(t, "run-1", c.ID, "the one due first")
	require.Equal(t, b.ws.ID, c.WorkspaceID)
	require.Equal(t, model.RunRunning, c.Status)
	require.Equal(t, "p1", c.Owner)
	require.True(t, c.StartedAt.Equal(base.Add(10*time.Second)), "a claimed run starts when claimed: %v", c.StartedAt)
	c2 := claimRun(t, b, "p2", base.Add(10*time.Second))
	require.Equal(t, "run-2", c2.ID, "the other workspace's run, by another runner")
	require.Nil(t, claimRun(t, b, "p3", base.Add(10*time.Second)), "both are leased")

	ok, err := b.s.ScheduleRunLeaseRenew(b.ctx, "p1", b.ws.ID, "run-1", base.Add(5*time.Minute))
	require.NoError(t, err)
	require.True(t, ok)
	ok, err = b.s.ScheduleRunLeaseRenew(b.ctx, "p9", b.ws.ID, "run-1", base.Add(time.Hour))
	require.NoError(t, err)
	require.False(t, ok, "only the owner renews")
	ok, err = b.s.ScheduleRunLeaseRenew(b.ctx, "p1", b.other.ID, "run-1", base.Add(time.Hour))
	require.NoError(t, err)
	require.False(t, ok, "not across workspaces")
	c3 := claimRun(t, b, "p3", base.Add(4*time.Minute))
	require.Equal(t, "run-2", c3.ID, "run-2's lease ran out at 1m10s; run-1's renewed lease holds")
	require.Nil(t, claimRun(t, b, "p3", base.Add(4*time.Minute)))
	again := claimRun(t, b, "p4", base.Add(6*time.Minute))
	require.NotNil(t, again, "a lease that ran out is taken over")
	require.Equal(t, "run-1", again.ID)
	require.True(t, again.StartedAt.Equal(base.Add(10*time.Second)), "a taken-over run keeps its start")

	// Finishing gives the lease up: nothing is due any more.
	fin := base.Add(7 * time.Minute)
	again.Status, again.FinishedAt, again.Scanned, again.Cursor = model.RunFinished, &fin, 42, "c-42"
	require.NoError(t, b.s.ScheduleRunUpdate(b.ctx, b.ws.ID, again.ScheduleRun))
	got, err := b.s.ScheduleRunGet(b.ctx, b.ws.ID, "run-1")
	require.NoError(t, err)
	require.Equal(t, model.RunFinished, got.Status)
	require.Equal(t, 42, got.Scanned)
	require.Nil(t, claimRun(t, b, "p5", base.Add(4*time.Minute+30*time.Second)), "run-1 finished, run-2 is p3's")
	next, err = b.s.ScheduleRunNextDue(b.ctx, "p5")
	require.NoError(t, err)
	require.True(t, next.Equal(base.Add(5*time.Minute)), "only p3's lease is left: %v", next)
}

// A runner whose lease was taken over cannot store the run any more: the
// new owner's progress is not overwritten.
func testRunLeaseLostStopsUpdates(t *testing.T, b *bundle) {
	queuedRun(t, b, b.ws, "run-1", base)
	slow := claimRun(t, b, "slow", base)
	fresh := claimRun(t, b, "fresh", base.Add(2*time.Minute))
	require.NotNil(t, fresh)
	slow.Scanned, slow.Cursor = 10, "c-10"
	require.ErrorIs(t, b.s.ScheduleRunUpdate(b.ctx, b.ws.ID, slow.ScheduleRun), store.ErrNotFound)
	fresh.Scanned, fresh.Cursor = 20, "c-20"
	require.NoError(t, b.s.ScheduleRunUpdate(b.ctx, b.ws.ID, fresh.ScheduleRun))
	got, err := b.s.ScheduleRunGet(b.ctx, b.ws.ID, "run-1")
	require.NoError(t, err)
	require.Equal(t, "c-20", got.Cursor)
	// Without an owner (an admin's change) the update applies.
	got.Failure = "x"
	require.NoError(t, b.s.ScheduleRunUpdate(b.ctx, b.ws.ID, got))
}

func testRunLeaseExpire(t *testing.T, b *bundle) {
	queuedRun(t, b, b.ws, "run-1", base)
	queuedRun(t, b, b.ws, "run-2", base)
	require.NotNil(t, claimRun(t, b, "dead", base))
	mine := claimRun(t, b, "me", base)
	require.NotNil(t, mine)
	n, err := b.s.ScheduleRunLeaseExpire(b.ctx, "me", base.Add(time.Second))
	require.NoError(t, err)
	require.Equal(t, 1, n)
	got := claimRun(t, b, "me", base.Add(time.Second))
	require.NotNil(t, got, "the dead runner's run is due at once")
	require.NotEqual(t, mine.ID, got.ID)

	// A runner that gives a run up (it stops, or failed) may claim it
	// again itself once it is due.
	ok, err := b.s.ScheduleRunRelease(b.ctx, "other", b.ws.ID, mine.ID, base.Add(time.Minute))
	require.NoError(t, err)
	require.False(t, ok, "only the owner releases")
	ok, err = b.s.ScheduleRunRelease(b.ctx, "me", b.ws.ID, mine.ID, base.Add(time.Minute))
	require.NoError(t, err)
	require.True(t, ok)
	require.Nil(t, claimRun(t, b, "me", base.Add(59*time.Second)))
	back := claimRun(t, b, "me", base.Add(time.Minute))
	require.NotNil(t, back)
	require.Equal(t, mine.ID, back.ID)

	// Runs claimed with a lost answer are given up; the kept one stays.
	n, err = b.s.ScheduleRunReleaseOwn(b.ctx, "me", []string{got.ID}, base.Add(time.Minute))
	require.NoError(t, err)
	require.Equal(t, 1, n, "back, not got")
	again := claimRun(t, b, "other", base.Add(time.Minute))
	require.NotNil(t, again)
	require.Equal(t, back.ID, again.ID)
}
