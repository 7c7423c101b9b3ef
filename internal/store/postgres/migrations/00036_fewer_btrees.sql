-- Fewer index entries written per event (issue 11, docs/decisions.md).
-- SQLite's 00036 also makes schedule_run_events WITHOUT ROWID; PostgreSQL
-- keeps its rows in a heap with the primary key as an index either way.
--
-- Most events carry no idempotency key, yet each one added an entry
-- (workspace, NULL) to events_idempotency that no query reads. The index
-- now holds the events with a key only; every query that reads it compares
-- the key (idempotency_key = $2 or = ANY($2)), which implies IS NOT NULL,
-- so the planner still uses it, and uniqueness per workspace is unchanged.

-- +goose Up
DROP INDEX events_idempotency;
CREATE UNIQUE INDEX events_idempotency ON events (workspace_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;

-- +goose Down
DROP INDEX events_idempotency;
CREATE UNIQUE INDEX events_idempotency ON events (workspace_id, idempotency_key);
