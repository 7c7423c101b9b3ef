// Package metrics defines Herold's Prometheus metrics. Nothing is global: the
// app builds one Metrics on its own registry and passes it down.
package metrics

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
)

// QueueStatser reports undelivered mail (the store implements it).
type QueueStatser interface {
	QueueStats(ctx context.Context) (depth int, oldest *time.Time, err error)
}

// Metrics are the collectors the engine updates.
type Metrics struct {
	// EventsReceived counts accepted events by source (api, schedule,
	// manual) and whether they were duplicates.
	EventsReceived *prometheus.CounterVec
	// Messages counts messages entering a status.
	Messages *prometheus.CounterVec
	// DeliveryAttempts counts delivery attempts by result (sent, retry,
	// failed).
	DeliveryAttempts *prometheus.CounterVec
	// DeliveryDuration observes how long one delivery attempt took.
	DeliveryDuration prometheus.Histogram
	// HTTPRequests observes how long each HTTP request took, by handler
	// (api, cockpit), route pattern (the Go mux pattern such as
	// "GET /v1/flows/{key}", never the raw path, so the label values stay
	// few; "unmatched" for no route) and status code. Its _count counts
	// the requests.
	HTTPRequests *prometheus.HistogramVec
	// ScheduleRuns counts schedule runs a runner ended, by outcome:
	// finished, failed, interrupted (a stop; it goes on at the next
	// start), taken_over (another runner took its lease), error (retried
	// after a lease's time), schedule_deleted.
	ScheduleRuns *prometheus.CounterVec
	// WriteBatchDuration observes how long one grouped database write took
	// to commit, by batch: sqlite_group_commit (the SQLite writer's group
	// of transactions), events (a group of accepted events), delivery_outcomes
	// (a group of recorded delivery outcomes).
	WriteBatchDuration *prometheus.HistogramVec
	// WriteBatchSize observes how many transactions, events or outcomes
	// one grouped write held, by batch as above.
	WriteBatchSize *prometheus.HistogramVec
	// WebhookAttempts counts webhook attempts by verdict: delivered,
	// retry, failed, gone.
	WebhookAttempts *prometheus.CounterVec
	// WebhookDuration observes how long one webhook attempt took.
	WebhookDuration prometheus.Histogram
	// IngestStage observes how long an event accepted on its own (an API
	// event, a manual send, an inbound mail's event) spent in each stage
	// of the ingest path, by stage (see the Stage constants): where a
	// slow request's time went.
	IngestStage *prometheus.HistogramVec
}

// Stages of the ingest path, the values of IngestStage's stage label.
const (
	// StageLoad is reading the event's snapshot (contacts, suppressions,
	// configuration version), waiting for a group read included.
	StageLoad = "load"
	// StagePlan is deciding, rendering and encoding the event's messages.
	StagePlan = "plan"
	// StageQueue is from joining the group commit until the group's
	// transaction was asked for: the wait for the group before.
	StageQueue = "queue"
	// StageTurn is the group's wait for its transaction: on SQLite the
	// one writer's turn (other writers' transactions, checkpoints), on
	// PostgreSQL the BEGIN.
	StageTurn = "turn"
	// StageWrite is the group's statements and its commit.
	StageWrite = "write"
)

// Write batches, the values of the batch label.
const (
	BatchSQLite   = "sqlite_group_commit"
	BatchEvents   = "events"
	BatchOutcomes = "delivery_outcomes"
)

// ObserveWriteBatch records one grouped write of n items that took d.
func (m *Metrics) ObserveWriteBatch(batch string, n int, d time.Duration) {
	m.WriteBatchDuration.WithLabelValues(batch).Observe(d.Seconds())
	m.WriteBatchSize.WithLabelValues(batch).Observe(float64(n))
}

// New registers Herold's metrics on reg, including the queue gauges read
// from qs at scrape time.
func New(reg prometheus.Registerer, qs QueueStatser, now func() time.Time) *Metrics {
	m := build()
	reg.MustRegister(m.EventsReceived, m.Messages, m.DeliveryAttempts, m.DeliveryDuration, m.HTTPRequests,
		m.ScheduleRuns, m.WriteBatchDuration, m.WriteBatchSize, m.WebhookAttempts, m.WebhookDuration, m.IngestStage)
	if qs != nil {
		reg.MustRegister(&queueCollector{qs: qs, now: now,
			depth: prometheus.NewDesc("herold_queue_depth", "Messages queued, sending or waiting for a retry.", nil, nil),
			age: prometheus.NewDesc("herold_queue_oldest_age_seconds",
				"Age of the oldest undelivered message (0 when the queue is empty).", nil, nil),
		})
	}
	return m
}

// CounterValue reads a counter's current value (for tests: Discard's
// metrics count too, they are only registered nowhere).
func CounterValue(c prometheus.Counter) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		return 0
	}
	return m.GetCounter().GetValue()
}

// Discard returns metrics that are recorded nowhere.
func Discard() *Metrics { return build() }

func build() *Metrics {
	return &Metrics{
		EventsReceived: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herold_events_received_total", Help: "Events accepted, by source and duplicate.",
		}, []string{"source", "duplicate"}),
		Messages: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herold_messages_total", Help: "Messages entering a status.",
		}, []string{"status"}),
		DeliveryAttempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herold_delivery_attempts_total", Help: "Delivery attempts by result: sent, retry, failed.",
		}, []string{"result"}),
		DeliveryDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "herold_delivery_duration_seconds",
			Help:    "Duration of one delivery attempt (channel send).",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}),
		HTTPRequests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "herold_http_request_duration_seconds",
			Help:    "Duration of HTTP requests by handler (api, cockpit), route pattern and status code.",
			Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"handler", "route", "code"}),
		ScheduleRuns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herold_schedule_runs_total",
			Help: "Schedule runs ended by a runner, by outcome: finished, failed, interrupted, taken_over, error, schedule_deleted.",
		}, []string{"outcome"}),
		WriteBatchDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "herold_db_write_batch_duration_seconds",
			Help:    "Duration of one grouped database write, by batch: sqlite_group_commit, events, delivery_outcomes.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"batch"}),
		WriteBatchSize: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "herold_db_write_batch_size",
			Help:    "Transactions, events or outcomes in one grouped database write, by batch.",
			Buckets: []float64{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024},
		}, []string{"batch"}),
		WebhookAttempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herold_webhook_attempts_total", Help: "Webhook attempts by verdict: delivered, retry, failed, gone.",
		}, []string{"verdict"}),
		WebhookDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "herold_webhook_duration_seconds",
			Help:    "Duration of one webhook attempt, from dialling to the response's excerpt.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}),
		IngestStage: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "herold_ingest_stage_duration_seconds",
			Help:    "Time an accepted event spent in each stage of the ingest path: load, plan, queue, turn, write.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .02, .05, .1, .25, .5, 1, 2.5},
		}, []string{"stage"}),
	}
}

type queueCollector struct {
	qs         QueueStatser
	now        func() time.Time
	depth, age *prometheus.Desc
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.depth
	ch <- c.age
}

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	depth, oldest, err := c.qs.QueueStats(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.depth, err)
		return
	}
	age := 0.0
	if oldest != nil {
		age = c.now().Sub(*oldest).Seconds()
	}
	ch <- prometheus.MustNewConstMetric(c.depth, prometheus.GaugeValue, float64(depth))
	ch <- prometheus.MustNewConstMetric(c.age, prometheus.GaugeValue, age)
}

// Handler serves the registry's metrics. A metric that cannot be gathered
// (the queue figures while the database is slow) is left out and logged;
// the rest is still served, so a busy server does not lose its whole scrape.
func Handler(g prometheus.Gatherer, logger *slog.Logger) http.Handler {
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError, ErrorLog: errorLog{logger}})
}

// errorLog adapts slog to promhttp's error log.
type errorLog struct{ l *slog.Logger }

func (e errorLog) Println(v ...any) { e.l.Warn("gather metrics", "error", fmt.Sprint(v...)) }
