-- The in-app feed: one row per in-app message delivered to a contact.
-- seq numbers a contact's items in arrival order (paging, "all up to N");
-- version is the contact's change counter at the item's last change, so
-- a reconnecting browser asks for "everything changed after version V"
-- (Server-Sent Events' Last-Event-ID). feed_heads holds both counters per
-- contact; bumping it serialises a contact's writes.
-- feed_settings holds a workspace's token secret (and the previous one
-- during a rotation) and the origins allowed to call the feed.

-- +goose Up
CREATE TABLE feed_heads (
    workspace_id INTEGER NOT NULL,
    contact      TEXT    NOT NULL,
    last_seq     INTEGER NOT NULL,
    version      INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, contact)
);
CREATE TABLE feed_items (
    workspace_id  INTEGER NOT NULL,
    contact       TEXT    NOT NULL,
    seq           INTEGER NOT NULL,
    version       INTEGER NOT NULL,
    message_id    TEXT    NOT NULL,
    category      TEXT    NOT NULL DEFAULT '',
    item          TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    seen_at       INTEGER,
    read_at       INTEGER,
    archived_at   INTEGER,
    snoozed_until INTEGER,
    PRIMARY KEY (workspace_id, contact, seq)
);
CREATE UNIQUE INDEX feed_items_message ON feed_items (workspace_id, message_id);
CREATE INDEX feed_items_version ON feed_items (workspace_id, contact, version);
CREATE INDEX feed_items_created ON feed_items (workspace_id, created_at);
CREATE TABLE feed_settings (
    workspace_id    INTEGER PRIMARY KEY,
    secret          TEXT    NOT NULL DEFAULT '',
    previous_secret TEXT    NOT NULL DEFAULT '',
    origins         TEXT    NOT NULL DEFAULT '[]',
    updated_at      INTEGER NOT NULL
);

-- +goose Down
DROP TABLE feed_settings;
DROP TABLE feed_items;
DROP TABLE feed_heads;
