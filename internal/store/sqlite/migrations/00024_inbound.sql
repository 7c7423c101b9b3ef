-- Inbound mail: the suppression list, the addresses a workspace does not
-- mail, with the evidence that put them there (a bounce's reply, a
-- complaint, an administrator's note) and an optional expiry; and the
-- messages received.

-- +goose Up
CREATE TABLE suppressions (
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    email        TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    evidence     TEXT    NOT NULL DEFAULT '',
    message_id   TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER,
    PRIMARY KEY (workspace_id, email)
);

-- Every message the inbound listener received, raw, with what it was
-- classified as and the evidence (JSON); unique per Message-ID and content
-- hash so that a message delivered twice is processed once. Purged with
-- the workspace's retention.
CREATE TABLE inbound_messages (
    id           TEXT    PRIMARY KEY,
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    header_id    TEXT    NOT NULL DEFAULT '',
    content_hash TEXT    NOT NULL,
    mail_from    TEXT    NOT NULL DEFAULT '',
    rcpt_to      TEXT    NOT NULL DEFAULT '',
    kind         TEXT    NOT NULL,
    address      TEXT    NOT NULL DEFAULT '',
    object       TEXT    NOT NULL DEFAULT '',
    evidence     TEXT    NOT NULL DEFAULT '',
    message_id   TEXT    NOT NULL DEFAULT '',
    event_id     TEXT    NOT NULL DEFAULT '',
    raw          BLOB    NOT NULL,
    received_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX inbound_messages_dedup ON inbound_messages (workspace_id, header_id, content_hash);
CREATE INDEX inbound_messages_received ON inbound_messages (workspace_id, received_at);
CREATE INDEX inbound_messages_address ON inbound_messages (workspace_id, address, kind, object, received_at);

-- +goose Down
DROP TABLE inbound_messages;
DROP TABLE suppressions;
