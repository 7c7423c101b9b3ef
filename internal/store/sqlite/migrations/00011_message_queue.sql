-- Messages are their own delivery queue. A queued message is due at
-- due_at; a sender claims due messages with a lease (lease_owner, and
-- due_at moved to when the lease runs out), sends them and records the
-- outcome in the same row. The timeline moves into the row as a JSON
-- array, so a delivered message costs no timeline rows of its own, and the
-- capture mailbox becomes a mark on the message (its .eml is built from
-- the rendered copy, as for every other message). The rendered bodies move
-- to a table of their own, written once: claiming and recording rewrite a
-- message row, which is then a few hundred bytes instead of kilobytes.

-- +goose Up
ALTER TABLE messages ADD COLUMN due_at INTEGER;
ALTER TABLE messages ADD COLUMN lease_owner TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN timeline TEXT NOT NULL DEFAULT '[]';
ALTER TABLE messages ADD COLUMN captured_at INTEGER;
ALTER TABLE messages ADD COLUMN captured_size INTEGER NOT NULL DEFAULT 0;

UPDATE messages SET timeline = (
    SELECT json_group_array(json(entry)) FROM (
        SELECT json_object(
                   'at', strftime('%Y-%m-%dT%H:%M:%S', e.at / 1000, 'unixepoch') || '.' || printf('%03d', e.at % 1000) || 'Z',
                   'status', e.status, 'attempt', e.attempt, 'actor', e.actor, 'detail', e.detail,
                   'next_attempt_at', CASE WHEN e.next_attempt_at IS NULL THEN NULL ELSE
                       strftime('%Y-%m-%dT%H:%M:%S', e.next_attempt_at / 1000, 'unixepoch') || '.' ||
                       printf('%03d', e.next_attempt_at % 1000) || 'Z' END) AS entry
        FROM message_events e WHERE e.message_id = messages.id ORDER BY e.id))
WHERE EXISTS (SELECT 1 FROM message_events e WHERE e.message_id = messages.id);

UPDATE messages SET captured_at = c.captured_at, captured_size = length(c.raw)
FROM captured_mails c WHERE c.message_id = messages.id;

UPDATE messages SET due_at = COALESCE(next_attempt_at, queued_at, created_at)
WHERE status IN ('queued', 'retrying', 'sending');

DROP TABLE message_events;
DROP TABLE captured_mails;

CREATE TABLE message_contents (
    message_id TEXT PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
    html       TEXT NOT NULL DEFAULT '',
    text       TEXT NOT NULL DEFAULT ''
);
INSERT INTO message_contents (message_id, html, text)
SELECT id, html, text FROM messages WHERE html <> '' OR text <> '';
ALTER TABLE messages DROP COLUMN html;
ALTER TABLE messages DROP COLUMN text;

CREATE INDEX messages_due ON messages (due_at) WHERE status IN ('queued', 'retrying', 'sending');
CREATE INDEX messages_captured ON messages (workspace_id, id) WHERE captured_at IS NOT NULL;
-- Only confirmations expire: index those alone, so that every other
-- message's status changes leave this index untouched.
DROP INDEX messages_expiring;
CREATE INDEX messages_expiring ON messages (expires_at) WHERE status = 'awaiting_confirmation';

-- +goose Down
ALTER TABLE messages ADD COLUMN html TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN text TEXT NOT NULL DEFAULT '';
UPDATE messages SET html = c.html, text = c.text FROM message_contents c WHERE c.message_id = messages.id;
DROP TABLE message_contents;
DROP INDEX messages_expiring;
CREATE INDEX messages_expiring ON messages (status, expires_at);
DROP INDEX messages_captured;
DROP INDEX messages_due;
CREATE TABLE captured_mails (
    message_id   TEXT    PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
    workspace_id INTEGER NOT NULL,
    raw          BLOB    NOT NULL,
    captured_at  INTEGER NOT NULL
);
CREATE INDEX captured_mails_workspace ON captured_mails (workspace_id, captured_at);
CREATE INDEX captured_mails_workspace_id ON captured_mails (workspace_id, message_id);
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
ALTER TABLE messages DROP COLUMN captured_size;
ALTER TABLE messages DROP COLUMN captured_at;
ALTER TABLE messages DROP COLUMN timeline;
ALTER TABLE messages DROP COLUMN lease_owner;
ALTER TABLE messages DROP COLUMN due_at;
