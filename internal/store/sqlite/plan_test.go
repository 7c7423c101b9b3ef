package sqlite

import (
	"strings"
	"testing"
)

// SQLite plans without statistics, and a wrong guess turns a lookup by id
// into a walk over a workspace's whole history (a mass mailing then slows
// down as it goes). The queries that run per message, per page or per
// batch must keep the plans written here.
func TestHotQueriesKeepTheirPlans(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	const (
		copiesByContact = "SEARCH message_copies USING COVERING INDEX message_copies_contact (workspace_id=? AND contact=?)"
		copiesByEmail   = "SEARCH message_copies USING COVERING INDEX message_copies_email (workspace_id=? AND email=?)"
	)
	tests := []struct {
		query string
		want  []string // every plan line that reads a table, in order
	}{
		{"MessageGetMany", []string{"SEARCH m USING INDEX sqlite_autoindex_messages_1 (id=?)",
			"SEARCH c USING INDEX sqlite_autoindex_message_contents_1 (message_id=?) LEFT-JOIN"}},
		{"MessageContentGet", []string{"SEARCH message_contents USING INDEX sqlite_autoindex_message_contents_1 (message_id=?)"}},
		{"MessageClaim", []string{"SEARCH messages USING COVERING INDEX sqlite_autoindex_messages_1 (id=?)",
			"SEARCH messages USING INDEX messages_due (due_at<?)"}},
		{"MessageRecord", []string{"SEARCH messages USING INDEX sqlite_autoindex_messages_1 (id=?)"}},
		{"MessageNextDue", []string{"SCAN messages USING INDEX messages_due"}},
		{"MessageLeaseRenew", []string{"SEARCH messages USING INDEX sqlite_autoindex_messages_1 (id=?)"}},
		{"MessageLeaseExpire", []string{"SEARCH messages USING INDEX messages_due (due_at>?)"}},
		{"MessageExpiring", []string{"SEARCH messages USING INDEX messages_expiring (expires_at<?)"}},
		{"MessageGet", []string{"SEARCH m USING INDEX messages_workspace_id (workspace_id=? AND id=?)",
			"SEARCH c USING INDEX sqlite_autoindex_message_contents_1 (message_id=?) LEFT-JOIN"}},
		// The contact and address filters also match CC and BCC copies,
		// through the index of message_copies (a list built once).
		{"MessageList", []string{"SEARCH messages USING INDEX messages_workspace_id (workspace_id=? AND id<?)",
			copiesByContact, copiesByEmail}},
		{"MessageListEvent", []string{"SEARCH messages USING INDEX messages_event (event_id=?)",
			copiesByContact, copiesByEmail, "USE TEMP B-TREE FOR ORDER BY"}},
		// A contact's history: the ids of its messages and of its copies,
		// each from its index, walked newest first by primary key.
		{"MessageListContact", []string{"SEARCH messages USING INDEX sqlite_autoindex_messages_1 (id=?)",
			"SEARCH messages USING COVERING INDEX messages_to_contact (workspace_id=? AND to_contact=? AND id<?)",
			"SEARCH message_copies USING COVERING INDEX message_copies_contact (workspace_id=? AND contact=? AND message_id<?)",
			copiesByEmail}},
		{"MessageListOpen", []string{"SEARCH messages USING INDEX messages_open (workspace_id=? AND id<?)",
			copiesByContact, copiesByEmail}},
		// The "silent" filter probes each event's messages by index.
		{"EventList", []string{"SEARCH events USING INDEX events_workspace_id (workspace_id=? AND id<?)",
			"SEARCH m USING COVERING INDEX messages_event (event_id=?)"}},
		{"CaptureList", []string{"SEARCH messages USING INDEX messages_captured (workspace_id=? AND id<?)"}},
		{"ScheduleRunList", []string{"SEARCH schedule_runs USING INDEX schedule_runs_schedule (workspace_id=? AND schedule_key=? AND id<?)"}},
		{"ContactList", []string{"SEARCH contacts USING INDEX sqlite_autoindex_contacts_1 (workspace_id=? AND id>?)"}},
		// p (the page's count and end, from the key) is the outer loop;
		// the sort is of the contacts not left out.
		{"ContactScan", []string{"SEARCH contacts USING COVERING INDEX sqlite_autoindex_contacts_1 (workspace_id=? AND id>?)",
			"SCAN (subquery-1)", "SCAN p", "SEARCH c USING INDEX sqlite_autoindex_contacts_1 (workspace_id=? AND id>? AND id<?)",
			"USE TEMP B-TREE FOR ORDER BY"}},
		{"ContactGetMany", []string{"SEARCH contacts USING INDEX sqlite_autoindex_contacts_1 (workspace_id=? AND id=?)"}},
		{"EventIdempotencyKeys", []string{"SEARCH events USING COVERING INDEX events_idempotency (workspace_id=? AND idempotency_key=?)"}},
		// events_idempotency holds only events with a key (00036): the
		// comparison of the key lets the planner use it.
		// A run's events are schedule_run_events' own b-tree (WITHOUT
		// ROWID since 00036); their messages are found by event, never
		// by walking the workspace's messages.
		{"ScheduleRunMatchList", []string{"SEARCH r USING PRIMARY KEY (run_id=? AND event_id>?)",
			"SEARCH m USING INDEX messages_event (event_id=?)",
			"SEARCH e USING INDEX events_workspace_id (workspace_id=? AND id=?)",
			"SEARCH c USING INDEX sqlite_autoindex_contacts_1 (workspace_id=? AND id=?) LEFT-JOIN"}},
		{"ScheduleRunExcluded", []string{"SEARCH schedule_run_events USING PRIMARY KEY (run_id=?)", "USE TEMP B-TREE FOR GROUP BY"}},
		{"ScheduleRunMessages", []string{"SEARCH r USING PRIMARY KEY (run_id=?)",
			"SEARCH m USING INDEX messages_event (event_id=?)", "USE TEMP B-TREE FOR GROUP BY"}},
		{"EventGetByIdempotencyKey", []string{"SEARCH events USING INDEX events_idempotency (workspace_id=? AND idempotency_key=?)"}},
	}
	for _, tt := range tests {
		q := query(tt.query)
		if strings.Contains(q, "/*ROWS*/") { // as many rows as one statement takes
			q = s.rows.replaceRows(tt.query, tt.query+"Row", maxRowsPerInsert)
		}
		var got []string
		for _, line := range explain(t, s, q) {
			// json_each and VALUES rows are the query's own inputs.
			input := strings.Contains(line, "json_each") || strings.Contains(line, "VIRTUAL TABLE") ||
				strings.Contains(line, "CONSTANT ROW") || line == "SCAN v"
			if !input && (strings.HasPrefix(line, "SEARCH ") || strings.HasPrefix(line, "SCAN ") || strings.Contains(line, "TEMP B-TREE")) {
				got = append(got, line)
			}
		}
		if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
			t.Errorf("%s plan:\n  %s\nwant:\n  %s", tt.query, strings.Join(got, "\n  "), strings.Join(tt.want, "\n  "))
		}
	}
}

// explain returns the plan of q's statement, its parameters unbound.
func explain(t *testing.T, s *Store, q string) []string {
	t.Helper()
	var args []any
	for {
		rows, err := s.rdb.Query("EXPLAIN QUERY PLAN "+q, args...)
		if err != nil && strings.Contains(err.Error(), "missing") && len(args) < 2000 {
			args = append(args, nil)
			continue
		}
		if err != nil {
			t.Fatalf("explain %s: %v", q, err)
		}
		defer rows.Close()
		var lines []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			lines = append(lines, detail)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return lines
	}
}
