package main

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// The stage note counts only what happened between the two readings.
func TestStagesNoteCountsTheLoadAlone(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)
	reading := func(at time.Time, events, secsPerStage, busy float64) *stageReading {
		r := &stageReading{at: at, vals: map[string]float64{metricGroupBusy: busy}}
		for _, st := range acceptStages {
			r.vals[fmt.Sprintf(metricStageNOf, st)] = events
			r.vals[fmt.Sprintf(metricStageSumOf, st)] = secsPerStage
		}
		return r
	}
	res := &Result{Params: map[string]any{}}
	// 100 events during setup (1 s in each stage), then 1,000 more taking
	// 2 s in each stage; the writer busy 3 s of setup, then 5 of 20 s.
	stagesNote(res, reading(t0, 100, 1, 3), reading(t0.Add(20*time.Second), 1100, 3, 8), nil)
	means := res.Params["accept_stage_mean_ms"].(map[string]float64)
	for _, st := range acceptStages {
		if means[st] != 2 {
			t.Errorf("stage %s: mean %v ms, want 2", st, means[st])
		}
	}
	if got := res.Params["sqlite_writer_busy"]; got != 0.25 {
		t.Errorf("writer busy %v, want 0.25", got)
	}
	if len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "busy 25 %") {
		t.Errorf("notes %q", res.Notes)
	}

	res = &Result{Params: map[string]any{}}
	stagesNote(res, nil, nil, errors.New("scrape metrics: HTTP 500"))
	if len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "HTTP 500") || res.Params["accept_stage_mean_ms"] != nil {
		t.Errorf("a failed reading: notes %q, params %v", res.Notes, res.Params)
	}
}
