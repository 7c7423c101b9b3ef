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
}

// New registers Herold's metrics on reg, including the queue gauges read
// from qs at scrape time.
func New(reg prometheus.Registerer, qs QueueStatser, now func() time.Time) *Metrics {
	m := build()
	reg.MustRegister(m.EventsReceived, m.Messages, m.DeliveryAttempts, m.DeliveryDuration)
	if qs != nil {
		reg.MustRegister(&queueCollector{qs: qs, now: now,
			depth: prometheus.NewDesc("herold_queue_depth", "Messages queued, sending or waiting for a retry.", nil, nil),
			age: prometheus.NewDesc("herold_queue_oldest_age_seconds",
				"Age of the oldest undelivered message (0 when the queue is empty).", nil, nil),
		})
	}
	return m
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
