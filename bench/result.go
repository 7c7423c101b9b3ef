package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Result is one workload's outcome: one JSON line, one table row.
type Result struct {
	Workload string `json:"workload"`
	Title    string `json:"title"`
	// Skipped says why a workload did not run (e.g. a missing feature).
	Skipped string `json:"skipped,omitempty"`
	// Error is why a workload failed; its other figures may be partial.
	Error string `json:"error,omitempty"`

	// Rate is the headline figure in Unit, over Seconds.
	Rate    float64 `json:"rate"`
	Unit    string  `json:"unit"`
	Seconds float64 `json:"seconds"`
	// Count is what Rate counts (events accepted, messages delivered).
	Count int64 `json:"count"`
	// Failed counts failed requests or messages; Errors groups them.
	Failed        int               `json:"failed"`
	Errors        map[string]int    `json:"errors,omitempty"`
	ErrorExamples map[string]string `json:"error_examples,omitempty"`

	// Latency is the workload's latency of interest, described by
	// LatencyOf; AcceptLatency is the API's answer time where that is a
	// second figure.
	Latency       *Latency `json:"latency,omitempty"`
	LatencyOf     string   `json:"latency_of,omitempty"`
	AcceptLatency *Latency `json:"accept_latency,omitempty"`

	Delivery *Delivery  `json:"delivery,omitempty"`
	Sink     *SinkStats `json:"sink,omitempty"`
	// Params are the workload's settings (rates, durations, sizes).
	Params map[string]any `json:"params,omitempty"`

	// Server and Harness are the CPU time and peak memory of the herold
	// process and of this harness (load generator and sink) during the
	// measurement.
	Server *Usage `json:"server,omitempty"`
	// ServerLoad is the server's usage during the load alone, without
	// the wait for delivery that follows (W1).
	ServerLoad *Usage `json:"server_load,omitempty"`
	Harness    *Usage `json:"harness,omitempty"`
	// Replicas is each server process's usage when there are several
	// (Server is then their sum).
	Replicas []*Usage `json:"replicas,omitempty"`
	// Database is "sqlite" or "postgres"; ReplicaCount the herold serve
	// processes on it.
	Database     string `json:"database,omitempty"`
	ReplicaCount int    `json:"replica_count,omitempty"`
	// DatabaseCPU is the PostgreSQL server's CPU during the measurement,
	// when the harness could find its processes.
	DatabaseCPU *Usage `json:"database_cpu,omitempty"`
	// Others is CPU used by other processes on the machine meanwhile.
	Others      *OtherCPU `json:"other_processes,omitempty"`
	StopSeconds float64   `json:"server_stop_s,omitempty"`
	ServerLog   string    `json:"server_log,omitempty"`
	Notes       []string  `json:"notes,omitempty"`
}

// Delivery tracks accepted messages until they are delivered.
type Delivery struct {
	// Queued is how many messages the accepted events queued.
	Queued int64 `json:"queued"`
	// AtEnd were delivered when the load stopped; Drained by the end of
	// the drain wait, DrainSeconds later.
	AtEnd        int64   `json:"delivered_at_end"`
	Drained      int64   `json:"delivered_after_drain"`
	DrainSeconds float64 `json:"drain_s"`
	// Rate is messages delivered per second from the start of the load to
	// the end of the drain wait.
	Rate    float64 `json:"rate_per_s"`
	Failed  int64   `json:"failed"`
	Retries int64   `json:"retries"`
	// ScrapeErrors counts failed reads of /metrics while waiting.
	ScrapeErrors int `json:"metrics_scrape_errors,omitempty"`
}

// jsonLine encodes r on one line.
func (r *Result) jsonLine() []byte {
	b, err := json.Marshal(r)
	if err != nil {
		return []byte(fmt.Sprintf(`{"workload":%q,"error":%q}`, r.Workload, err.Error()))
	}
	return b
}

// setErrors copies a load run's errors into r.
func (r *Result) setErrors(st *loadStats) {
	r.Failed = st.Sent - st.OK
	if len(st.Errors) > 0 {
		r.Errors, r.ErrorExamples = st.Errors, st.Example
	}
}

// errorSummary is "3 (HTTP 500: 2, timeout: 1)" or "0".
func (r *Result) errorSummary() string {
	if r.Failed == 0 {
		return "0"
	}
	classes := make([]string, 0, len(r.Errors))
	for c, n := range r.Errors {
		classes = append(classes, fmt.Sprintf("%s: %d", c, n))
	}
	sort.Strings(classes)
	if len(classes) == 0 {
		return fmt.Sprint(r.Failed)
	}
	return fmt.Sprintf("%d (%s)", r.Failed, strings.Join(classes, ", "))
}
