package main

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Where an accepted event's time went, from Herold's own metrics
// (herold_ingest_stage_duration_seconds, see docs/operations.md), and
// how busy the SQLite writer was: read before and after a load, so that
// the setup's writes do not count.

// acceptStages are the ingest stages in the order an event passes them.
var acceptStages = []string{"load", "plan", "queue", "turn", "write"}

const (
	metricStage      = "herold_ingest_stage_duration_seconds"
	metricBatchSum   = "herold_db_write_batch_duration_seconds_sum"
	metricGroupBusy  = metricBatchSum + `{batch="sqlite_group_commit"}`
	metricStageSumOf = metricStage + `_sum{stage="%s"}`
	metricStageNOf   = metricStage + `_count{stage="%s"}`
)

// stageReading is one reading of the counters, summed over replicas.
type stageReading struct {
	at   time.Time
	vals map[string]float64
}

// readStages reads the stage sums and counts and the writer's busy time
// of every replica.
func readStages(ctx context.Context, urls []string) (*stageReading, error) {
	r := &stageReading{at: time.Now(), vals: map[string]float64{}}
	for _, url := range urls {
		m, err := scrapeMetrics(ctx, url, metricStage+"_sum", metricStage+"_count", metricBatchSum)
		if err != nil {
			return nil, err
		}
		for k, v := range m {
			r.vals[k] += v
		}
	}
	return r, nil
}

// stagesNote fills res with the mean time per stage between two readings
// and the share of the time the SQLite writer spent in group commits, or
// says why it cannot.
func stagesNote(res *Result, before, after *stageReading, err error) {
	if err != nil {
		res.Notes = append(res.Notes, "accept stages not read: "+err.Error())
		return
	}
	means := map[string]float64{}
	var parts []string
	for _, st := range acceptStages {
		n := after.vals[fmt.Sprintf(metricStageNOf, st)] - before.vals[fmt.Sprintf(metricStageNOf, st)]
		if n <= 0 {
			return // no events accepted through the grouped path
		}
		sum := after.vals[fmt.Sprintf(metricStageSumOf, st)] - before.vals[fmt.Sprintf(metricStageSumOf, st)]
		means[st] = round(sum/n*1000, 2)
		parts = append(parts, fmt.Sprintf("%s %.2f", st, means[st]))
	}
	res.Params["accept_stage_mean_ms"] = means
	note := "accept stages, mean ms: " + strings.Join(parts, ", ")
	if busy := writerBusy(res, before, after); busy != "" {
		note += "; " + busy
	}
	res.Notes = append(res.Notes, note)
}

// writerBusy puts the share of the time between two readings that the
// SQLite writer spent in group commits into res and says it, or returns
// "" when the server has no such writer (PostgreSQL).
func writerBusy(res *Result, before, after *stageReading) string {
	busy, ok := after.vals[metricGroupBusy]
	if !ok {
		return ""
	}
	share := (busy - before.vals[metricGroupBusy]) / after.at.Sub(before.at).Seconds()
	res.Params["sqlite_writer_busy"] = round(share, 3)
	return fmt.Sprintf("the SQLite writer was busy %.0f %% of the load's time", share*100)
}
