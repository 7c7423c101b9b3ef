package plan

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/condition"
	"github.com/herold-dev/herold/internal/model"
)

// TestOriginStartsTheTrace: an origin is the trace's first step, before
// the plan's own, and takes a manual plan's manual step's place; the
// messages' step indices point at their steps in that trace. The trace
// of a one-message event is allocated once, with the room its flow
// suggests (it grew from nothing before, and ingest then copied it
// behind the origin).
func TestOriginStartsTheTrace(t *testing.T) {
	t.Parallel()
	env, err := condition.New()
	require.NoError(t, err)
	in := baseInput()
	in.Event.Actors = map[string][]string{"promoter": {"anna"}}
	n := notif("n", "job.requested")
	in.Flow.Notifications = []model.Notification{n}
	origin := model.Step{Code: model.StepScheduled, Params: map[string]string{"schedule": "s", "run": "r1"}}
	ctx := context.Background()

	plain := Plan(ctx, in, celEval{env})
	in.Origin = &origin
	got := Plan(ctx, in, celEval{env})
	require.Equal(t, append([]model.Step{origin}, plain.Trace...), got.Trace)
	require.Len(t, got.Messages, 1)
	require.Equal(t, plain.Messages[0].Step+1, got.Messages[0].Step)
	require.Equal(t, "anna@example.org", got.Messages[0].To.Address.Email)
	require.Len(t, got.Trace, 5, "origin, event, flow, notification, message")
	require.Equal(t, 6, cap(got.Trace), "the trace did not grow")

	in.Origin = nil
	manual := PlanManual(ctx, in, &n, celEval{env})
	require.Equal(t, model.StepManual, manual.Trace[0].Code)
	in.Origin = &origin
	got = PlanManual(ctx, in, &n, celEval{env})
	require.Equal(t, append([]model.Step{origin}, manual.Trace[1:]...), got.Trace)
	require.Equal(t, manual.Messages[0].Step, got.Messages[0].Step)
}

// TestTraceRoomFitsW1: an event of W1's shape (3 notifications, 2
// recipients each) fills the room its trace starts with, without growing.
func TestTraceRoomFitsW1(t *testing.T) {
	t.Parallel()
	env, err := condition.New()
	require.NoError(t, err)
	in := baseInput()
	in.Event.Actors = map[string][]string{"promoter": {"anna", "ben"}}
	in.Flow.Notifications = []model.Notification{notif("a", "job.requested"), notif("b", "job.requested"), notif("c", "job.requested")}
	out := Plan(context.Background(), in, celEval{env})
	require.Len(t, out.Messages, 6)
	require.Len(t, out.Trace, 11)
	require.Equal(t, 12, cap(out.Trace), "the trace did not grow")
}
