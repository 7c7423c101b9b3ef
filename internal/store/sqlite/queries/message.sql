-- name: MessageInsert
INSERT INTO messages (id, workspace_id, event_id, event_type, project_key, flow_key, flow_version,
                      notification_key, template_key, channel, category, locale, to_contact, to_email,
                      to_name, cc, bcc, from_addr, reply_to, subject, html, text, message_id_header,
                      status, reason, attempts, next_attempt_at, expires_at, queued_at, last_reply,
                      created_at, updated_at, sent_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: MessageEventInsert
INSERT INTO message_events (message_id, workspace_id, at, status, attempt, actor, detail, next_attempt_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?);

-- name: MessageGet
SELECT id, event_id, event_type, project_key, flow_key, flow_version, notification_key, template_key,
       channel, category, locale, to_contact, to_email, to_name, cc, bcc, from_addr, reply_to, subject,
       html, text, message_id_header, status, reason, attempts, next_attempt_at, expires_at, queued_at,
       last_reply, created_at, updated_at, sent_at
FROM messages WHERE workspace_id = ? AND id = ?;

-- name: MessageGetMany
SELECT id, event_id, event_type, project_key, flow_key, flow_version, notification_key, template_key,
       channel, category, locale, to_contact, to_email, to_name, cc, bcc, from_addr, reply_to, subject,
       html, text, message_id_header, status, reason, attempts, next_attempt_at, expires_at, queued_at,
       last_reply, created_at, updated_at, sent_at
FROM messages WHERE +workspace_id = ? AND id IN (SELECT value FROM json_each(?)) -- + keeps the planner on the primary key
ORDER BY id;

-- name: MessageTimeline
SELECT at, status, attempt, actor, detail, next_attempt_at
FROM message_events WHERE message_id = ? AND workspace_id = ? ORDER BY id;

-- name: MessageList
SELECT id, event_id, event_type, project_key, flow_key, flow_version, notification_key, template_key,
       channel, category, locale, to_contact, to_email, to_name, cc, bcc, from_addr, reply_to, subject,
       '', '', message_id_header, status, reason, attempts, next_attempt_at, expires_at, queued_at,
       last_reply, created_at, updated_at, sent_at
FROM messages
WHERE workspace_id = ?1
  AND (?2 = '' OR event_id = ?2)
  AND (?3 = '' OR to_contact = ?3)
  AND (?4 = '' OR to_email = ?4 COLLATE NOCASE)
  AND (?5 = '' OR project_key = ?5)
  AND (?6 = '[]' OR status IN (SELECT value FROM json_each(?6)))
  AND (?7 IS NULL OR created_at >= ?7)
  AND (?8 IS NULL OR created_at < ?8)
  AND id < COALESCE(NULLIF(?9, ''), x'ff') -- a blob sorts after any text: no cursor, newest first
ORDER BY id DESC
LIMIT ?10;

-- name: MessageListEvent
-- MessageList of one event: its few messages through messages_event.
SELECT id, event_id, event_type, project_key, flow_key, flow_version, notification_key, template_key,
       channel, category, locale, to_contact, to_email, to_name, cc, bcc, from_addr, reply_to, subject,
       '', '', message_id_header, status, reason, attempts, next_attempt_at, expires_at, queued_at,
       last_reply, created_at, updated_at, sent_at
FROM messages
WHERE event_id = ?2 AND +workspace_id = ?1
  AND (?3 = '' OR to_contact = ?3)
  AND (?4 = '' OR to_email = ?4 COLLATE NOCASE)
  AND (?5 = '' OR project_key = ?5)
  AND (?6 = '[]' OR status IN (SELECT value FROM json_each(?6)))
  AND (?7 IS NULL OR created_at >= ?7)
  AND (?8 IS NULL OR created_at < ?8)
  AND id < COALESCE(NULLIF(?9, ''), x'ff')
ORDER BY id DESC
LIMIT ?10;

-- name: MessageListContact
-- MessageList of one contact (its history, "why nothing?") through
-- messages_to_contact.
SELECT id, event_id, event_type, project_key, flow_key, flow_version, notification_key, template_key,
       channel, category, locale, to_contact, to_email, to_name, cc, bcc, from_addr, reply_to, subject,
       '', '', message_id_header, status, reason, attempts, next_attempt_at, expires_at, queued_at,
       last_reply, created_at, updated_at, sent_at
FROM messages
WHERE workspace_id = ?1 AND to_contact = ?3
  AND (?2 = '' OR event_id = ?2)
  AND (?4 = '' OR to_email = ?4 COLLATE NOCASE)
  AND (?5 = '' OR project_key = ?5)
  AND (?6 = '[]' OR status IN (SELECT value FROM json_each(?6)))
  AND (?7 IS NULL OR created_at >= ?7)
  AND (?8 IS NULL OR created_at < ?8)
  AND id < COALESCE(NULLIF(?9, ''), x'ff')
ORDER BY id DESC
LIMIT ?10;

-- name: MessageListOpen
-- MessageList for undelivered statuses only (confirmation queue, delivery
-- queue): the literal status list matches the partial index messages_open,
-- so a workspace with a long history is not walked to find them.
SELECT id, event_id, event_type, project_key, flow_key, flow_version, notification_key, template_key,
       channel, category, locale, to_contact, to_email, to_name, cc, bcc, from_addr, reply_to, subject,
       '', '', message_id_header, status, reason, attempts, next_attempt_at, expires_at, queued_at,
       last_reply, created_at, updated_at, sent_at
FROM messages
WHERE workspace_id = ?1
  AND status IN ('awaiting_confirmation', 'queued', 'sending', 'retrying')
  AND (?2 = '' OR event_id = ?2)
  AND (?3 = '' OR to_contact = ?3)
  AND (?4 = '' OR to_email = ?4 COLLATE NOCASE)
  AND (?5 = '' OR project_key = ?5)
  AND (?6 = '[]' OR status IN (SELECT value FROM json_each(?6)))
  AND (?7 IS NULL OR created_at >= ?7)
  AND (?8 IS NULL OR created_at < ?8)
  AND id < COALESCE(NULLIF(?9, ''), x'ff') -- a blob sorts after any text: no cursor, newest first
ORDER BY id DESC
LIMIT ?10;

-- name: MessageTransition
UPDATE messages
SET status = ?, reason = ?, attempts = ?, next_attempt_at = ?, last_reply = ?,
    sent_at = COALESCE(?, sent_at), queued_at = COALESCE(?, queued_at), updated_at = ?
WHERE workspace_id = ? AND id = ? AND status IN (SELECT value FROM json_each(?));

-- name: MessageExpiring
SELECT workspace_id, id FROM messages
WHERE status = 'awaiting_confirmation' AND expires_at < ?
ORDER BY expires_at LIMIT ?;

-- name: MessageQueueStats
SELECT COUNT(*), MIN(created_at) FROM messages
WHERE status IN ('queued', 'sending', 'retrying');

-- name: CaptureInsert
INSERT INTO captured_mails (message_id, workspace_id, raw, captured_at) VALUES (?, ?, ?, ?)
ON CONFLICT (message_id) DO UPDATE SET raw = excluded.raw, captured_at = excluded.captured_at;

-- name: CaptureGet
SELECT raw FROM captured_mails WHERE workspace_id = ? AND message_id = ?;

-- name: CaptureList
SELECT c.message_id, m.event_id, c.captured_at, m.from_addr, m.to_email, m.subject, length(c.raw)
FROM captured_mails c JOIN messages m ON m.id = c.message_id
WHERE c.workspace_id = ?1 AND c.message_id < COALESCE(NULLIF(?2, ''), x'ff') -- a blob sorts after any text: no cursor, newest first
ORDER BY c.message_id DESC LIMIT ?3;

-- name: StatsAdd
INSERT INTO daily_stats (workspace_id, day, status, reason, count) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (workspace_id, day, status, reason) DO UPDATE SET count = count + excluded.count;

-- name: StatsList
SELECT day, status, reason, count FROM daily_stats
WHERE workspace_id = ? AND day >= ? AND day <= ?
ORDER BY day, status, reason;

-- name: MessageMarkSending
UPDATE messages SET status = 'sending', attempts = attempts + 1, updated_at = ?1
WHERE +workspace_id = ?2 AND id IN (SELECT value FROM json_each(?3))
  AND +status IN ('queued', 'retrying', 'sending') -- + keeps the planner on the primary key
RETURNING id, attempts;

-- name: MessageRecordMany
WITH v(id, status, reason, attempts, next_attempt_at, last_reply, sent_at, queued_at, updated_at, from_statuses) AS (
    VALUES /*ROWS*/
)
UPDATE messages
SET status = v.status, reason = v.reason, attempts = v.attempts, next_attempt_at = v.next_attempt_at,
    last_reply = v.last_reply, sent_at = COALESCE(v.sent_at, messages.sent_at),
    queued_at = COALESCE(v.queued_at, messages.queued_at), updated_at = v.updated_at
FROM v
WHERE messages.id = v.id AND +messages.workspace_id = ? -- + keeps the planner on the primary key
  AND messages.status IN (SELECT value FROM json_each(v.from_statuses))
RETURNING messages.id;

-- name: MessageRecordRow
(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)

-- name: MessageEventAppend
INSERT INTO message_events (message_id, workspace_id, at, status, attempt, actor, detail, next_attempt_at)
SELECT id, workspace_id, ?, ?, ?, ?, ?, ? FROM messages WHERE workspace_id = ? AND id = ?;
