-- Broadcasts: one-off mailings with their own content and data. A
-- broadcast is its own queue entry, like a schedule run: a sender claims
-- a due one (scheduled or running, due_at passed) with a lease, sends one
-- paced batch, stores its progress (cursor and counts) with the batch's
-- events, and sets when it is due next. The spec (content, data,
-- audience, pacing) is one JSON document. Its messages are found by the
-- partial index on messages: event type 'broadcast', notification key
-- 'broadcast:KEY'.

-- +goose Up
CREATE TABLE broadcasts (
    workspace_id  INTEGER NOT NULL REFERENCES workspaces (id),
    key           TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    spec          TEXT    NOT NULL,
    status        TEXT    NOT NULL,
    start_at      INTEGER,
    due_at        INTEGER,
    lease_owner   TEXT    NOT NULL DEFAULT '',
    cursor        TEXT    NOT NULL DEFAULT '',
    scanned       INTEGER NOT NULL DEFAULT 0,
    matched       INTEGER NOT NULL DEFAULT 0,
    errors        INTEGER NOT NULL DEFAULT 0,
    error_samples TEXT    NOT NULL DEFAULT '[]',
    started_at    INTEGER,
    finished_at   INTEGER,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, key)
);
CREATE INDEX broadcasts_due ON broadcasts (due_at) WHERE status IN ('scheduled', 'running');
CREATE INDEX messages_broadcast ON messages (workspace_id, notification_key, status) WHERE event_type = 'broadcast';

-- +goose Down
DROP INDEX messages_broadcast;
DROP TABLE broadcasts;
