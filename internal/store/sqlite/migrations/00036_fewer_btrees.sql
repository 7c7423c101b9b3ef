-- Fewer b-trees written per event and per message on the writer's turn
-- (issue 11, docs/decisions.md).
--
-- Most events carry no idempotency key, yet each one added an entry
-- (workspace, NULL) to events_idempotency that no query reads. The index
-- now holds the events with a key only; every query that reads it compares
-- the key (idempotency_key = ? or IN (...)), which implies IS NOT NULL, so
-- the planner still uses it, and uniqueness per workspace is unchanged.
--
-- schedule_run_events (one row per event of a schedule run, a few dozen
-- bytes) was a rowid table plus the index of its primary key; WITHOUT
-- ROWID it is the primary key's b-tree alone, which the run's queries
-- read anyway. schedule_run_events_event stays: a purged event's rows are
-- found through it.

-- +goose Up
DROP INDEX events_idempotency;
CREATE UNIQUE INDEX events_idempotency ON events (workspace_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;

CREATE TABLE schedule_run_events_new (
    run_id       TEXT   NOT NULL REFERENCES schedule_runs (id) ON DELETE CASCADE,
    event_id     TEXT   NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    workspace_id INTEGER NOT NULL,
    excluded     TEXT   NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, event_id)
) WITHOUT ROWID;
-- Only rows whose run and event exist (all of them, with foreign keys on
-- as Herold always has them): a stray row must not stop the upgrade.
INSERT INTO schedule_run_events_new (run_id, event_id, workspace_id, excluded)
    SELECT r.run_id, r.event_id, r.workspace_id, r.excluded FROM schedule_run_events r
    WHERE EXISTS (SELECT 1 FROM schedule_runs s WHERE s.id = r.run_id)
      AND EXISTS (SELECT 1 FROM events e WHERE e.id = r.event_id);
DROP TABLE schedule_run_events;
ALTER TABLE schedule_run_events_new RENAME TO schedule_run_events;
CREATE INDEX schedule_run_events_event ON schedule_run_events (event_id);

-- +goose Down
CREATE TABLE schedule_run_events_old (
    run_id       TEXT   NOT NULL REFERENCES schedule_runs (id) ON DELETE CASCADE,
    event_id     TEXT   NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    workspace_id INTEGER NOT NULL,
    excluded     TEXT   NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, event_id)
);
INSERT INTO schedule_run_events_old (run_id, event_id, workspace_id, excluded)
    SELECT run_id, event_id, workspace_id, excluded FROM schedule_run_events;
DROP TABLE schedule_run_events;
ALTER TABLE schedule_run_events_old RENAME TO schedule_run_events;
CREATE INDEX schedule_run_events_event ON schedule_run_events (event_id);

DROP INDEX events_idempotency;
CREATE UNIQUE INDEX events_idempotency ON events (workspace_id, idempotency_key);
