-- Messages are their own delivery queue. A queued message is due at
-- due_at; a sender claims due messages with a lease (lease_owner, and
-- due_at moved to when the lease runs out; replicas skip each other's
-- rows with FOR UPDATE SKIP LOCKED), sends them and records the outcome in
-- the same row. The timeline moves into the row as a JSON array, so a
-- delivered message costs no timeline rows of its own, and the capture
-- mailbox becomes a mark on the message (its .eml is built from the
-- rendered copy, as for every other message). The rendered bodies move to
-- a table of their own, written once: claiming and recording write a new
-- version of a message row, which is then a few hundred bytes instead of
-- kilobytes.

-- +goose Up
ALTER TABLE messages ADD COLUMN due_at TIMESTAMPTZ;
ALTER TABLE messages ADD COLUMN lease_owner TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN timeline JSONB NOT NULL DEFAULT '[]';
ALTER TABLE messages ADD COLUMN captured_at TIMESTAMPTZ;
ALTER TABLE messages ADD COLUMN captured_size INTEGER NOT NULL DEFAULT 0;

UPDATE messages m SET timeline = e.timeline
FROM (SELECT message_id,
             jsonb_agg(jsonb_build_object('at', at, 'status', status, 'attempt', attempt, 'actor', actor,
                                          'detail', detail, 'next_attempt_at', next_attempt_at) ORDER BY id) AS timeline
      FROM message_events GROUP BY message_id) e
WHERE m.id = e.message_id;

UPDATE messages m SET captured_at = c.captured_at, captured_size = length(c.raw)
FROM captured_mails c WHERE c.message_id = m.id;

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
DROP INDEX messages_pending;

CREATE INDEX messages_due ON messages (due_at) WHERE status IN ('queued', 'retrying', 'sending');
CREATE INDEX messages_captured ON messages (workspace_id, id) WHERE captured_at IS NOT NULL;

-- +goose Down
ALTER TABLE messages ADD COLUMN html TEXT NOT NULL DEFAULT '';
ALTER TABLE messages ADD COLUMN text TEXT NOT NULL DEFAULT '';
UPDATE messages m SET html = c.html, text = c.text FROM message_contents c WHERE c.message_id = m.id;
DROP TABLE message_contents;
DROP INDEX messages_captured;
DROP INDEX messages_due;
CREATE INDEX messages_pending ON messages (created_at) WHERE status IN ('queued', 'sending', 'retrying');
CREATE TABLE captured_mails (
    message_id   TEXT        PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
    workspace_id BIGINT      NOT NULL,
    raw          BYTEA       NOT NULL,
    captured_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX captured_mails_workspace ON captured_mails (workspace_id, message_id);
CREATE INDEX captured_mails_workspace_id ON captured_mails (workspace_id, message_id);
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
ALTER TABLE messages DROP COLUMN captured_size;
ALTER TABLE messages DROP COLUMN captured_at;
ALTER TABLE messages DROP COLUMN timeline;
ALTER TABLE messages DROP COLUMN lease_owner;
ALTER TABLE messages DROP COLUMN due_at;
