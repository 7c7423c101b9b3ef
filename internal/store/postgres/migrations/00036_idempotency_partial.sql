-- Most events carry no idempotency key, yet each one added an entry
-- (workspace, NULL) to events_idempotency: one b-tree insert per event on
-- the writer's turn that no query reads. The index now holds the events
-- with a key only; every query that reads it compares the key
-- (idempotency_key = ? or IN (...)), which implies IS NOT NULL, so the
-- planner still uses it, and uniqueness per workspace is unchanged.

-- +goose Up
DROP INDEX events_idempotency;
CREATE UNIQUE INDEX events_idempotency ON events (workspace_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;

-- +goose Down
DROP INDEX events_idempotency;
CREATE UNIQUE INDEX events_idempotency ON events (workspace_id, idempotency_key);
