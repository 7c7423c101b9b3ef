-- Events with their decision traces, messages with their rendered copies
-- and status timelines, the capture mailbox, and daily statistics that
-- outlive the retention purge.

-- +goose Up
CREATE TABLE events (
    id                TEXT        PRIMARY KEY,
    workspace_id      BIGINT      NOT NULL REFERENCES workspaces (id),
    type              TEXT        NOT NULL,
    project_key       TEXT        NOT NULL,
    object_collection TEXT        NOT NULL DEFAULT '',
    object_id         TEXT        NOT NULL DEFAULT '',
    contact_id        TEXT        NOT NULL DEFAULT '',
    actors            JSONB       NOT NULL,
    data              JSONB       NOT NULL,
    occurred_at       TIMESTAMPTZ NOT NULL,
    received_at       TIMESTAMPTZ NOT NULL,
    idempotency_key   TEXT,
    source            TEXT        NOT NULL,
    trace             JSONB       NOT NULL
);
CREATE UNIQUE INDEX events_idempotency ON events (workspace_id, idempotency_key);
CREATE INDEX events_received ON events (workspace_id, received_at);
CREATE INDEX events_list ON events (workspace_id, id);

CREATE TABLE messages (
    id                TEXT        PRIMARY KEY,
    workspace_id      BIGINT      NOT NULL REFERENCES workspaces (id),
    event_id          TEXT        NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    event_type        TEXT        NOT NULL,
    project_key       TEXT        NOT NULL DEFAULT '',
    flow_key          TEXT        NOT NULL DEFAULT '',
    flow_version      INTEGER     NOT NULL DEFAULT 0,
    notification_key  TEXT        NOT NULL DEFAULT '',
    template_key      TEXT        NOT NULL DEFAULT '',
    channel           TEXT        NOT NULL,
    category          TEXT        NOT NULL,
    locale            TEXT        NOT NULL DEFAULT '',
    to_contact        TEXT        NOT NULL DEFAULT '',
    to_email          TEXT        NOT NULL DEFAULT '',
    to_name           TEXT        NOT NULL DEFAULT '',
    cc                JSONB       NOT NULL,
    bcc               JSONB       NOT NULL,
    from_addr         TEXT        NOT NULL DEFAULT '',
    reply_to          TEXT        NOT NULL DEFAULT '',
    subject           TEXT        NOT NULL DEFAULT '',
    html              TEXT        NOT NULL DEFAULT '',
    text              TEXT        NOT NULL DEFAULT '',
    message_id_header TEXT        NOT NULL,
    status            TEXT        NOT NULL,
    reason            TEXT        NOT NULL DEFAULT '',
    attempts          INTEGER     NOT NULL DEFAULT 0,
    next_attempt_at   TIMESTAMPTZ,
    expires_at        TIMESTAMPTZ,
    queued_at         TIMESTAMPTZ,
    last_reply        TEXT        NOT NULL DEFAULT '',
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    sent_at           TIMESTAMPTZ
);
CREATE INDEX messages_event ON messages (event_id);
CREATE INDEX messages_list ON messages (workspace_id, id);
CREATE INDEX messages_status ON messages (workspace_id, status, id);
CREATE INDEX messages_contact ON messages (workspace_id, to_contact, id);
CREATE INDEX messages_expiring ON messages (expires_at) WHERE status = 'awaiting_confirmation';
CREATE INDEX messages_pending ON messages (created_at) WHERE status IN ('queued', 'sending', 'retrying');

CREATE TABLE message_events (
    id              BIGSERIAL   PRIMARY KEY,
    message_id      TEXT        NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    workspace_id    BIGINT      NOT NULL,
    at              TIMESTAMPTZ NOT NULL,
    status          TEXT        NOT NULL,
    attempt         INTEGER     NOT NULL DEFAULT 0,
    actor           TEXT        NOT NULL DEFAULT '',
    detail          TEXT        NOT NULL DEFAULT '',
    next_attempt_at TIMESTAMPTZ
);
CREATE INDEX message_events_message ON message_events (message_id, id);

CREATE TABLE captured_mails (
    message_id   TEXT        PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
    workspace_id BIGINT      NOT NULL,
    raw          BYTEA       NOT NULL,
    captured_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX captured_mails_workspace ON captured_mails (workspace_id, message_id);

CREATE TABLE daily_stats (
    workspace_id BIGINT NOT NULL,
    day          TEXT   NOT NULL,
    status       TEXT   NOT NULL,
    reason       TEXT   NOT NULL DEFAULT '',
    count        BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, day, status, reason)
);

-- +goose Down
DROP TABLE daily_stats;
DROP TABLE captured_mails;
DROP TABLE message_events;
DROP TABLE messages;
DROP TABLE events;
