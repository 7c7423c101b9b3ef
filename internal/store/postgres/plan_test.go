package postgres

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/herold-dev/herold/internal/pgtest"
)

// The lookups of an event's messages read messages_event on its own, also
// when PostgreSQL has no statistics of the tables yet: during the first
// large mailing of a new installation autovacuum has not analysed the
// growing tables. With messages_event on event_id alone the planner then
// combined it with the workspace's index (BitmapAnd), and each of a run's
// events read every index entry of the workspace: the run's report of a
// 100,000-message mailing ran for more than 30 s per request.
func TestEventLookupsKeepTheirIndexOnStaleStatistics(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, err := Open(ctx, pgtest.NewDatabase(t), Options{MaxConns: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	db := s.Pool()
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := db.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	exec(`INSERT INTO workspaces (id, key, name, default_locale, timezone, retention_days, confirmation_expiry_hours, created_at, updated_at)
		VALUES (1, 'w', 'W', 'de', 'Europe/Berlin', 30, 168, now(), now())`)
	exec(`INSERT INTO schedules (workspace_id, key, name, enabled, source_kind, condition, event_type, project_key, occurrence_key, created_at, updated_at)
		VALUES (1, 's', 'S', true, 'contacts', 'true', 't', 'p', 'o', now(), now())`)
	exec(`INSERT INTO schedule_runs (id, workspace_id, schedule_key, trigger, status, started_at) VALUES ('run', 1, 's', 'manual', 'running', now())`)
	for _, table := range []string{"events", "messages", "schedule_run_events"} {
		exec(`ALTER TABLE ` + table + ` SET (autovacuum_enabled = false)`)
	}
	// n events of the run, each with one message.
	add := func(from, to int) {
		exec(`INSERT INTO events (id, workspace_id, type, project_key, actors, data, occurred_at, received_at, source, trace)
			SELECT 'e' || i, 1, 't', 'p', '{}', '{}', now(), now(), 'schedule', '[]' FROM generate_series($1::int, $2::int) AS i`, from, to)
		exec(`INSERT INTO schedule_run_events (run_id, event_id, workspace_id) SELECT 'run', 'e' || i, 1 FROM generate_series($1::int, $2::int) AS i`, from, to)
		exec(`INSERT INTO messages (id, workspace_id, event_id, event_type, channel, category, cc, bcc, message_id_header, status, created_at, updated_at)
			SELECT 'm' || i, 1, 'e' || i, 't', 'email', 'c', '[]', '[]', 'm' || i || '@x', 'sent', now(), now()
			FROM generate_series($1::int, $2::int) AS i`, from, to)
	}
	add(1, 20000) // not analysed yet

	for _, q := range []struct {
		name string
		args []any
	}{
		{"ScheduleRunMessages", []any{int64(1), "run"}},
		{"MessageCountByEvents", []any{int64(1), []string{"e1", "e2", "e3"}}},
		{"ScheduleRunMatchMessages", []any{int64(1), []string{"e1", "e2", "e3"}}},
		{"MessageListEvent", []any{int64(1), "e1", "", "", "", []string{}, nil, nil, "", 50}},
	} {
		var plan []byte
		if err := db.QueryRow(ctx, "EXPLAIN (FORMAT JSON) "+query(q.name), q.args...).Scan(&plan); err != nil {
			t.Fatalf("%s: %v", q.name, err)
		}
		var nodes []struct{ Plan planNode }
		if err := json.Unmarshal(plan, &nodes); err != nil {
			t.Fatal(err)
		}
		nodes[0].Plan.walk(func(n *planNode) {
			if n.Type == "BitmapAnd" {
				t.Errorf("%s combines indexes (BitmapAnd):\n%s", q.name, plan)
			}
			if strings.HasPrefix(n.Index, "messages_") && n.Index != "messages_event" {
				t.Errorf("%s reads messages through %s:\n%s", q.name, n.Index, plan)
			}
		})
	}
}

// planNode is a node of EXPLAIN (FORMAT JSON).
type planNode struct {
	Type  string     `json:"Node Type"`
	Index string     `json:"Index Name"`
	Plans []planNode `json:"Plans"`
}

func (n *planNode) walk(f func(*planNode)) {
	f(n)
	for i := range n.Plans {
		n.Plans[i].walk(f)
	}
}
