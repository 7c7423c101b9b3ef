-- name: MessageInsert
INSERT INTO messages (id, workspace_id, event_id, event_type, project_key, flow_key, flow_version,
                      notification_key, template_key, channel, category, locale, to_contact, to_email,
                      to_name, cc, bcc, from_addr, reply_to, subject, html, text, message_id_header,
                      status, reason, attempts, next_attempt_at, expires_at, queued_at, last_reply,
                      created_at, updated_at, sent_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,
        $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33);

-- name: MessageEventInsert
INSERT INTO message_events (message_id, workspace_id, at, status, attempt, actor, detail, next_attempt_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8);

-- name: MessageGet
SELECT id, event_id, event_type, project_key, flow_key, flow_version, notification_key, template_key,
       channel, category, locale, to_contact, to_email, to_name, cc, bcc, from_addr, reply_to, subject,
       html, text, message_id_header, status, reason, attempts, next_attempt_at, expires_at, queued_at,
       last_reply, created_at, updated_at, sent_at
FROM messages WHERE workspace_id = $1 AND id = $2;

-- name: MessageGetMany
SELECT id, event_id, event_type, project_key, flow_key, flow_version, notification_key, template_key,
       channel, category, locale, to_contact, to_email, to_name, cc, bcc, from_addr, reply_to, subject,
       html, text, message_id_header, status, reason, attempts, next_attempt_at, expires_at, queued_at,
       last_reply, created_at, updated_at, sent_at
FROM messages WHERE workspace_id = $1 AND id = ANY($2::text[])
ORDER BY id;

-- name: MessageTimeline
SELECT at, status, attempt, actor, detail, next_attempt_at
FROM message_events WHERE message_id = $1 AND workspace_id = $2 ORDER BY id;

-- name: MessageList
SELECT id, event_id, event_type, project_key, flow_key, flow_version, notification_key, template_key,
       channel, category, locale, to_contact, to_email, to_name, cc, bcc, from_addr, reply_to, subject,
       '', '', message_id_header, status, reason, attempts, next_attempt_at, expires_at, queued_at,
       last_reply, created_at, updated_at, sent_at
FROM messages
WHERE workspace_id = $1
  AND ($2 = '' OR event_id = $2)
  AND ($3 = '' OR to_contact = $3)
  AND ($4 = '' OR lower(to_email) = lower($4))
  AND ($5 = '' OR project_key = $5)
  AND (cardinality($6::text[]) = 0 OR status = ANY($6::text[]))
  AND ($7::timestamptz IS NULL OR created_at >= $7)
  AND ($8::timestamptz IS NULL OR created_at < $8)
  AND ($9 = '' OR id < $9)
ORDER BY id DESC
LIMIT $10;

-- name: MessageListEvent
-- MessageList of one event, written out so that even a generic plan
-- starts from messages_event.
SELECT id, event_id, event_type, project_key, flow_key, flow_version, notification_key, template_key,
       channel, category, locale, to_contact, to_email, to_name, cc, bcc, from_addr, reply_to, subject,
       '', '', message_id_header, status, reason, attempts, next_attempt_at, expires_at, queued_at,
       last_reply, created_at, updated_at, sent_at
FROM messages
WHERE event_id = $2 AND workspace_id = $1
  AND ($3 = '' OR to_contact = $3)
  AND ($4 = '' OR lower(to_email) = lower($4))
  AND ($5 = '' OR project_key = $5)
  AND (cardinality($6::text[]) = 0 OR status = ANY($6::text[]))
  AND ($7::timestamptz IS NULL OR created_at >= $7)
  AND ($8::timestamptz IS NULL OR created_at < $8)
  AND ($9 = '' OR id < $9)
ORDER BY id DESC
LIMIT $10;

-- name: MessageListContact
-- MessageList of one contact, through messages_contact.
SELECT id, event_id, event_type, project_key, flow_key, flow_version, notification_key, template_key,
       channel, category, locale, to_contact, to_email, to_name, cc, bcc, from_addr, reply_to, subject,
       '', '', message_id_header, status, reason, attempts, next_attempt_at, expires_at, queued_at,
       last_reply, created_at, updated_at, sent_at
FROM messages
WHERE workspace_id = $1 AND to_contact = $3
  AND ($2 = '' OR event_id = $2)
  AND ($4 = '' OR lower(to_email) = lower($4))
  AND ($5 = '' OR project_key = $5)
  AND (cardinality($6::text[]) = 0 OR status = ANY($6::text[]))
  AND ($7::timestamptz IS NULL OR created_at >= $7)
  AND ($8::timestamptz IS NULL OR created_at < $8)
  AND ($9 = '' OR id < $9)
ORDER BY id DESC
LIMIT $10;

-- name: MessageTransition
UPDATE messages
SET status = $1, reason = $2, attempts = $3, next_attempt_at = $4, last_reply = $5,
    sent_at = COALESCE($6, sent_at), queued_at = COALESCE($7, queued_at), updated_at = $8
WHERE workspace_id = $9 AND id = $10 AND status = ANY($11::text[]);

-- name: MessageExpiring
SELECT workspace_id, id FROM messages
WHERE status = 'awaiting_confirmation' AND expires_at < $1
ORDER BY expires_at LIMIT $2;

-- name: MessageQueueStats
SELECT COUNT(*), MIN(created_at) FROM messages
WHERE status IN ('queued', 'sending', 'retrying');

-- name: CaptureInsert
INSERT INTO captured_mails (message_id, workspace_id, raw, captured_at) VALUES ($1, $2, $3, $4)
ON CONFLICT (message_id) DO UPDATE SET raw = excluded.raw, captured_at = excluded.captured_at;

-- name: CaptureGet
SELECT raw FROM captured_mails WHERE workspace_id = $1 AND message_id = $2;

-- name: CaptureList
SELECT c.message_id, m.event_id, c.captured_at, m.from_addr, m.to_email, m.subject, length(c.raw)
FROM captured_mails c JOIN messages m ON m.id = c.message_id
WHERE c.workspace_id = $1 AND ($2 = '' OR c.message_id < $2)
ORDER BY c.message_id DESC LIMIT $3;

-- name: StatsAdd
INSERT INTO daily_stats (workspace_id, day, status, reason, count) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (workspace_id, day, status, reason) DO UPDATE SET count = daily_stats.count + excluded.count;

-- name: StatsList
SELECT day, status, reason, count FROM daily_stats
WHERE workspace_id = $1 AND day >= $2 AND day <= $3
ORDER BY day, status, reason;

-- name: MessageMarkSending
UPDATE messages SET status = 'sending', attempts = attempts + 1, updated_at = $1
WHERE workspace_id = $2 AND id = ANY($3::text[])
  AND status IN ('queued', 'retrying', 'sending')
RETURNING id, attempts;

-- name: MessageEventAppend
INSERT INTO message_events (message_id, workspace_id, at, status, attempt, actor, detail, next_attempt_at)
SELECT id, workspace_id, $3::timestamptz, $4::text, $5::integer, $6::text, $7::text, $8::timestamptz
FROM messages WHERE workspace_id = $2 AND id = $1;
