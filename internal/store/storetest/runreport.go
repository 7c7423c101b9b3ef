package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// A run's report counts what became of its events: excluded ones by
// reason, the messages of the others by status and reason as they stand.
func init() {
	pipelineCases = append(pipelineCases, storeCase{"RunOutcome", testRunOutcome},
		storeCase{"RunsAwaitingReport", testRunsAwaitingReport})
}

func testRunOutcome(t *testing.T, b *bundle) {
	run := queuedRun(t, b, b.ws, "run-1", base)
	other := queuedRun(t, b, b.other, "run-2", base)
	var events []*model.Event
	for i := range 5 {
		events = append(events, sampleEvent(fmt.Sprintf("e-%d", i), base))
		events[i].IdempotencyKey = fmt.Sprintf("schedule:birthdays:%d", i)
	}
	require.NoError(t, b.s.WithTx(b.ctx, func(tx store.Tx) error {
		if err := tx.EventInsertMany(b.ctx, b.ws.ID, events); err != nil {
			return err
		}
		sup := sampleMessage("m-2", "e-2", model.MsgSuppressed, base)
		sup.Reason = string(model.ReasonOptedOut)
		if err := tx.MessageInsertMany(b.ctx, b.ws.ID, []*model.Message{
			sampleMessage("m-0", "e-0", model.MsgSent, base), sampleMessage("m-1", "e-1", model.MsgSent, base),
			sup, sampleMessage("m-3", "e-3", model.MsgQueued, base),
		}); err != nil {
			return err
		}
		return tx.ScheduleRunEventsAdd(b.ctx, b.ws.ID, run.ID, []store.RunEvent{
			{EventID: "e-0"}, {EventID: "e-1"}, {EventID: "e-2"}, {EventID: "e-3"}, {EventID: "e-4", Excluded: "no_consent"}})
	}))
	require.NoError(t, b.s.ScheduleRunEventsAdd(b.ctx, b.ws.ID, run.ID, nil), "nothing to add")

	out, err := b.s.ScheduleRunOutcome(b.ctx, b.ws.ID, run.ID)
	require.NoError(t, err)
	require.Equal(t, map[string]int{"no_consent": 1}, out.Excluded)
	require.ElementsMatch(t, []store.MessageCount{
		{Status: model.MsgSent, Count: 2}, {Status: model.MsgSuppressed, Reason: "opted_out", Count: 1},
		{Status: model.MsgQueued, Count: 1}}, out.Messages)

	// Another workspace sees nothing of it, nor its own run anything.
	for _, q := range []struct {
		ws  int64
		run string
	}{{b.other.ID, run.ID}, {b.other.ID, other.ID}, {b.ws.ID, other.ID}} {
		out, err := b.s.ScheduleRunOutcome(b.ctx, q.ws, q.run)
		require.NoError(t, err)
		require.Empty(t, out.Excluded)
		require.Empty(t, out.Messages)
	}

	// Delivery moves on: the counts follow the messages.
	at := base.Add(time.Minute)
	ok, err := b.s.MessageTransition(b.ctx, &store.MessageTransitionParams{WorkspaceID: b.ws.ID, ID: "m-3",
		From: []model.MessageStatus{model.MsgQueued}, To: model.MsgSent, SentAt: &at, At: at,
		Entry: model.MessageEvent{At: at, Status: model.MsgSent}})
	require.NoError(t, err)
	require.True(t, ok)
	out, err = b.s.ScheduleRunOutcome(b.ctx, b.ws.ID, run.ID)
	require.NoError(t, err)
	require.ElementsMatch(t, []store.MessageCount{
		{Status: model.MsgSent, Count: 3}, {Status: model.MsgSuppressed, Reason: "opted_out", Count: 1}}, out.Messages)
}

func testRunsAwaitingReport(t *testing.T, b *bundle) {
	finish := func(ws *model.Workspace, id string, at time.Time) *model.ScheduleRun {
		r := queuedRun(t, b, ws, id, at)
		r.Status, r.FinishedAt = model.RunFinished, &at
		require.NoError(t, b.s.ScheduleRunUpdate(b.ctx, ws.ID, r))
		return r
	}
	ended := finish(b.ws, "run-1", base)
	finish(b.other, "run-2", base.Add(time.Minute))
	finish(b.ws, "run-old", base.Add(-48*time.Hour))
	queuedRun(t, b, b.ws, "run-open", base)
	silent := sampleSchedule("silent", nil)
	silent.ReportTo = ""
	require.NoError(t, upsert(b, b.ws.ID, silent))
	r := &model.ScheduleRun{ID: "run-silent", Schedule: "silent", Trigger: model.TriggerManual, Status: model.RunFinished,
		StartedAt: base, FinishedAt: &base, ErrorSamples: []string{}}
	require.NoError(t, b.s.ScheduleRunInsert(b.ctx, b.ws.ID, r))

	ids := func() []string {
		runs, err := b.s.ScheduleRunsAwaitingReport(b.ctx, base.Add(-time.Hour), 10)
		require.NoError(t, err)
		var out []string
		for _, c := range runs {
			out = append(out, fmt.Sprintf("%d/%s", c.WorkspaceID, c.ID))
		}
		return out
	}
	require.Equal(t, []string{fmt.Sprintf("%d/run-1", b.ws.ID), fmt.Sprintf("%d/run-2", b.other.ID)}, ids(),
		"ended, with a report recipient, in every workspace, oldest first")
	ended.ReportMessage = "m-1"
	require.NoError(t, b.s.ScheduleRunUpdate(b.ctx, b.ws.ID, ended))
	require.Equal(t, []string{fmt.Sprintf("%d/run-2", b.other.ID)}, ids(), "reported")
}
