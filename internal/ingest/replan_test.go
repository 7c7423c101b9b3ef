package ingest

import (
	"testing"

	"github.com/herold-dev/herold/internal/model"
)

// TestReplayable: events a schedule emitted replay like any other; manual
// sends and events a schedule excluded do not.
func TestReplayable(t *testing.T) {
	received := model.Step{Code: model.StepEventReceived}
	for _, tc := range []struct {
		name string
		ev   model.Event
		want bool
	}{
		{"api", model.Event{Source: model.SourceAPI, Trace: []model.Step{received}}, true},
		{"scheduled", model.Event{Source: model.SourceSchedule, Trace: []model.Step{{Code: model.StepScheduled}, received}}, true},
		{"excluded", model.Event{Source: model.SourceSchedule, Trace: []model.Step{{Code: model.StepScheduled}, received, {Code: model.StepScheduleExcluded}}}, false},
		{"errored", model.Event{Source: model.SourceSchedule, Trace: []model.Step{{Code: model.StepScheduled}, received, {Code: model.StepScheduleError}}}, false},
		{"broadcast", model.Event{Source: model.SourceBroadcast, Trace: []model.Step{{Code: model.StepBroadcast}, received}}, false},
		{"manual", model.Event{Source: model.SourceManual, Trace: []model.Step{{Code: model.StepManual}}}, false},
		{"manual step", model.Event{Source: model.SourceAPI, Trace: []model.Step{{Code: model.StepManual}}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Replayable(&tc.ev); got != tc.want {
				t.Fatalf("Replayable = %v, want %v", got, tc.want)
			}
		})
	}
}
