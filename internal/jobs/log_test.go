package jobs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestRiverCancellationsAreNotErrors(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	log := slog.New(quietCancel{slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo})}).With("component", "jobs")
	log.Error("maintenance.PeriodicJobEnqueuer: Error starting transaction", "error", context.Canceled)
	log.Error("producer: fetch failed", "error", fmt.Errorf("fetch: %w", context.Canceled))
	log.Error("producer: fetch failed", slog.String("error", "context canceled"))
	if buf.Len() != 0 {
		t.Fatalf("cancellations logged at info level:\n%s", buf.String())
	}
	log.Error("producer: fetch failed", "error", errors.New("database is locked"))
	if !strings.Contains(buf.String(), "level=ERROR") || !strings.Contains(buf.String(), "database is locked") {
		t.Fatalf("a real error was lost: %q", buf.String())
	}
	buf.Reset()
	debug := slog.New(quietCancel{slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})})
	debug.Error("stopping", "error", context.Canceled)
	if !strings.Contains(buf.String(), "level=DEBUG") {
		t.Fatalf("with debug logging the cancellation is kept at debug: %q", buf.String())
	}
}
