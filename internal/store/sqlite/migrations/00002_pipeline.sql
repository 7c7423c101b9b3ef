-- Events with their decision traces, messages with their rendered copies
-- and status timelines, the capture mailbox, and daily statistics that
-- outlive the retention purge.

-- +goose Up
CREATE TABLE events (
    id                TEXT    PRIMARY KEY,
    workspace_id      INTEGER NOT NULL REFERENCES workspaces (id),
    type              TEXT    NOT NULL,
    project_key       TEXT    NOT NULL,
    object_collection TEXT    NOT NULL DEFAULT '',
    object_id         TEXT    NOT NULL DEFAULT '',
    contact_id        TEXT    NOT NULL DEFAULT '',
    actors            TEXT    NOT NULL,
    data              TEXT    NOT NULL,
    occurred_at       INTEGER NOT NULL,
    received_at       INTEGER NOT NULL,
    idempotency_key   TEXT,
    source            TEXT    NOT NULL,
    trace             TEXT    NOT NULL
);
CREATE UNIQUE INDEX events_idempotency ON events (workspace_id, idempotency_key);
CREATE INDEX events_received ON events (workspace_id, received_at);

CREATE TABLE messages (
    id                TEXT    PRIMARY KEY,
    workspace_id      INTEGER NOT NULL REFERENCES workspaces (id),
    event_id          TEXT    NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    event_type        TEXT    NOT NULL,
    project_key       TEXT    NOT NULL DEFAULT '',
    flow_key          TEXT    NOT NULL DEFAULT '',
    flow_version      INTEGER NOT NULL DEFAULT 0,
    notification_key  TEXT    NOT NULL DEFAULT '',
    template_key      TEXT    NOT NULL DEFAULT '',
    channel           TEXT    NOT NULL,
    category          TEXT    NOT NULL,
    locale            TEXT    NOT NULL DEFAULT '',
    to_contact        TEXT    NOT NULL DEFAULT '',
    to_email          TEXT    NOT NULL DEFAULT '',
    to_name           TEXT    NOT NULL DEFAULT '',
    cc                TEXT    NOT NULL,
    bcc               TEXT    NOT NULL,
    from_addr         TEXT    NOT NULL DEFAULT '',
    reply_to          TEXT    NOT NULL DEFAULT '',
    subject           TEXT    NOT NULL DEFAULT '',
    html              TEXT    NOT NULL DEFAULT '',
    text              TEXT    NOT NULL DEFAULT '',
    message_id_header TEXT    NOT NULL,
    status            TEXT    NOT NULL,
    reason            TEXT    NOT NULL DEFAULT '',
    attempts          INTEGER NOT NULL DEFAULT 0,
    next_attempt_at   INTEGER,
    expires_at        INTEGER,
    queued_at         INTEGER,
    last_reply        TEXT    NOT NULL DEFAULT '',
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    sent_at           INTEGER
);
CREATE INDEX messages_event ON messages (event_id);
CREATE INDEX messages_created ON messages (workspace_id, created_at);
CREATE INDEX messages_status ON messages (workspace_id, status, created_at);
CREATE INDEX messages_contact ON messages (workspace_id, to_contact, created_at);
CREATE INDEX messages_expiring ON messages (status, expires_at);

CREATE TABLE message_events (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id      TEXT    NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    workspace_id    INTEGER NOT NULL,
    at              INTEGER NOT NULL,
    status          TEXT    NOT NULL,
    attempt         INTEGER NOT NULL DEFAULT 0,
    actor           TEXT    NOT NULL DEFAULT '',
    detail          TEXT    NOT NULL DEFAULT '',
    next_attempt_at INTEGER
);
CREATE INDEX message_events_message ON message_events (message_id, id);

CREATE TABLE captured_mails (
    message_id   TEXT    PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
    workspace_id INTEGER NOT NULL,
    raw          BLOB    NOT NULL,
    captured_at  INTEGER NOT NULL
);
CREATE INDEX captured_mails_workspace ON captured_mails (workspace_id, captured_at);

CREATE TABLE daily_stats (
    workspace_id INTEGER NOT NULL,
    day          TEXT    NOT NULL,
    status       TEXT    NOT NULL,
    reason       TEXT    NOT NULL DEFAULT '',
    count        INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, day, status, reason)
);

-- +goose Down
DROP TABLE daily_stats;
DROP TABLE captured_mails;
DROP TABLE message_events;
DROP TABLE messages;
DROP TABLE events;
