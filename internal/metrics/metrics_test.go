package metrics

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

type failingQueue struct{}

func (failingQueue) QueueStats(context.Context) (int, *time.Time, error) {
	return 0, nil, errors.New("statement timeout")
}

type queue struct{ depth int }

func (q queue) QueueStats(context.Context) (int, *time.Time, error) { return q.depth, nil, nil }

func scrape(t *testing.T, qs QueueStatser) (int, string) {
	t.Helper()
	reg := prometheus.NewRegistry()
	m := New(reg, qs, time.Now)
	m.DeliveryAttempts.WithLabelValues("sent").Add(3)
	rec := httptest.NewRecorder()
	Handler(reg, slog.New(slog.NewTextHandler(io.Discard, nil))).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	return rec.Code, rec.Body.String()
}

func TestScrapeServesQueueFigures(t *testing.T) {
	t.Parallel()
	code, body := scrape(t, queue{depth: 7})
	if code != 200 || !strings.Contains(body, "herold_queue_depth 7") || !strings.Contains(body, `herold_delivery_attempts_total{result="sent"} 3`) {
		t.Fatalf("scrape = %d\n%s", code, body)
	}
}

// A slow database must not turn the whole scrape into an error.
func TestScrapeSurvivesFailingQueueStats(t *testing.T) {
	t.Parallel()
	code, body := scrape(t, failingQueue{})
	if code != 200 {
		t.Fatalf("scrape = %d, want 200\n%s", code, body)
	}
	if !strings.Contains(body, `herold_delivery_attempts_total{result="sent"} 3`) {
		t.Fatalf("other metrics missing:\n%s", body)
	}
	if strings.Contains(body, "herold_queue_depth") {
		t.Fatalf("queue depth served although it could not be read:\n%s", body)
	}
}
