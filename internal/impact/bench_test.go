package impact_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/impact"
	"github.com/herold-dev/herold/internal/pgtest"
)

// BenchmarkReplay replays the default limit of 10,000 events (7,800
// recorded messages) with one notification removed, on SQLite and, when
// HEROLD_TEST_POSTGRES is set, on PostgreSQL:
//
//	go test ./internal/impact/ -run '^$' -bench Replay -benchtime 3x
func BenchmarkReplay(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchmarkReplay(b, apptest.NewDatabase) })
	b.Run("postgres", func(b *testing.B) {
		pgtest.ServerURL(b)
		benchmarkReplay(b, pgtest.NewDatabase)
	})
}

func benchmarkReplay(b *testing.B, database func(testing.TB) string) {
	e := setup(b, database)
	for range 100 {
		evs := make([]map[string]any, 100)
		for i := range evs {
			evs[i] = e.events[i%len(e.events)]
		}
		e.Must(http.StatusOK, "POST", "/v1/events/batch", map[string]any{"events": evs})
		e.Clock.Advance(time.Second)
	}
	e.Clock.Advance(time.Minute)
	cfg := e.config(current()[1:])
	for b.Loop() {
		rep := e.replay(cfg, impact.Options{})
		if rep.Events != impact.DefaultMaxEvents || !rep.Truncated {
			b.Fatalf("replayed %d events, truncated %v", rep.Events, rep.Truncated)
		}
	}
}
