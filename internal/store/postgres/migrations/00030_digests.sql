-- Digests (Sammelnachrichten): a notification's digest spec, and the
-- digests it collects. An open digest is one row per (workspace, flow,
-- notification, recipient, key), kept unique by a partial index so that
-- concurrent events for one key add to one digest (INSERT … ON CONFLICT);
-- its items are rows of their own, numbered by the digest's total. A
-- digest that reached its max_items is 'full': out of the unique index,
-- so the next item opens a new digest, and due at once.

-- +goose Up
ALTER TABLE notifications ADD COLUMN digest TEXT NOT NULL DEFAULT '';

CREATE TABLE digests (
    id               TEXT    PRIMARY KEY,
    workspace_id     BIGINT NOT NULL REFERENCES workspaces (id),
    flow_key         TEXT    NOT NULL,
    notification_key TEXT    NOT NULL,
    recipient        TEXT    NOT NULL,
    digest_key       TEXT    NOT NULL,
    to_contact       TEXT    NOT NULL DEFAULT '',
    to_email         TEXT    NOT NULL DEFAULT '',
    to_name          TEXT    NOT NULL DEFAULT '',
    status           TEXT    NOT NULL,
    sliding          BOOLEAN NOT NULL,
    max_items        INTEGER NOT NULL,
    total            INTEGER NOT NULL,
    first_event_id   TEXT    NOT NULL,
    data             TEXT    NOT NULL,
    opened_at        TIMESTAMPTZ NOT NULL,
    closes_at        TIMESTAMPTZ NOT NULL,
    deadline         TIMESTAMPTZ NOT NULL,
    closed_at        TIMESTAMPTZ,
    message_id       TEXT    NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX digests_open ON digests (workspace_id, flow_key, notification_key, recipient, digest_key)
    WHERE status = 'open';
CREATE INDEX digests_due ON digests (closes_at) WHERE status IN ('open', 'full');
CREATE INDEX digests_closed ON digests (workspace_id, closed_at) WHERE status = 'closed';

CREATE TABLE digest_items (
    digest_id    TEXT    NOT NULL REFERENCES digests (id) ON DELETE CASCADE,
    seq          INTEGER NOT NULL,
    workspace_id BIGINT NOT NULL,
    event_id     TEXT    NOT NULL,
    data         TEXT    NOT NULL,
    PRIMARY KEY (digest_id, seq)
);
CREATE INDEX digest_items_event ON digest_items (workspace_id, event_id);

-- +goose Down
DROP TABLE digest_items;
DROP TABLE digests;
ALTER TABLE notifications DROP COLUMN digest;
