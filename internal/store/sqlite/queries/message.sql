-- name: MessageInsert
INSERT INTO messages (id, workspace_id, event_id, event_type, project_key, flow_key, flow_version,
                      notification_key, template_key, channel, category, locale, to_contact, to_email,
                      to_name, cc, bcc, from_addr, reply_to, subject, message_id_header,
                      status, reason, attempts, next_attempt_at, expires_at, queued_at, last_reply,
                      created_at, updated_at, sent_at, due_at, lease_owner, timeline, captured_at, captured_size)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: MessageContentInsert
INSERT INTO message_contents (message_id, html, text) VALUES (?, ?, ?);

-- name: MessageCopyInsert
INSERT INTO message_copies (message_id, workspace_id, contact, email) VALUES (?, ?, ?, ?);

-- name: MessageContentGet
SELECT message_id, html, text FROM message_contents WHERE message_id IN (SELECT value FROM json_each(?));

-- name: MessageGet
SELECT m.id, m.event_id, m.event_type, m.project_key, m.flow_key, m.flow_version, m.notification_key,
       m.template_key, m.channel, m.category, m.locale, m.to_contact, m.to_email, m.to_name, m.cc, m.bcc,
       m.from_addr, m.reply_to, m.subject, COALESCE(c.html, ''), COALESCE(c.text, ''), m.message_id_header,
       m.status, m.reason, m.attempts, m.next_attempt_at, m.expires_at, m.queued_at, m.last_reply, m.created_at,
       m.updated_at, m.sent_at, m.captured_at, m.captured_size, m.timeline
FROM messages m LEFT JOIN message_contents c ON c.message_id = m.id
WHERE m.workspace_id = ? AND m.id = ?;

-- name: MessageGetMany
SELECT m.id, m.event_id, m.event_type, m.project_key, m.flow_key, m.flow_version, m.notification_key,
       m.template_key, m.channel, m.category, m.locale, m.to_contact, m.to_email, m.to_name, m.cc, m.bcc,
       m.from_addr, m.reply_to, m.subject, COALESCE(c.html, ''), COALESCE(c.text, ''), m.message_id_header,
       m.status, m.reason, m.attempts, m.next_attempt_at, m.expires_at, m.queued_at, m.last_reply, m.created_at,
       m.updated_at, m.sent_at, m.captured_at, m.captured_size
FROM messages m LEFT JOIN message_contents c ON c.message_id = m.id
WHERE +m.workspace_id = ? AND m.id IN (SELECT value FROM json_each(?)) -- + keeps the planner on the primary key
ORDER BY m.id;

-- name: MessageList
SELECT id, event_id, event_type, project_key, flow_key, flow_version, notification_key, template_key,
       channel, category, locale, to_contact, to_email, to_name, cc, bcc, from_addr, reply_to, subject,
       '', '', message_id_header, status, reason, attempts, next_attempt_at, expires_at, queued_at,
       last_reply, created_at, updated_at, sent_at, captured_at, captured_size
FROM messages
WHERE workspace_id = ?1
  AND (?2 = '' OR event_id = ?2)
  AND (?3 = '' OR to_contact = ?3
       OR id IN (SELECT message_id FROM message_copies WHERE workspace_id = ?1 AND contact = ?3 AND contact <> ''))
  AND (?4 = '' OR to_email = ?4 COLLATE NOCASE
       OR id IN (SELECT message_id FROM message_copies WHERE workspace_id = ?1 AND email = ?4 COLLATE NOCASE))
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
       last_reply, created_at, updated_at, sent_at, captured_at, captured_size
FROM messages
WHERE event_id = ?2 AND +workspace_id = ?1
  AND (?3 = '' OR to_contact = ?3
       OR id IN (SELECT message_id FROM message_copies WHERE workspace_id = ?1 AND contact = ?3 AND contact <> ''))
  AND (?4 = '' OR to_email = ?4 COLLATE NOCASE
       OR id IN (SELECT message_id FROM message_copies WHERE workspace_id = ?1 AND email = ?4 COLLATE NOCASE))
  AND (?5 = '' OR project_key = ?5)
  AND (?6 = '[]' OR status IN (SELECT value FROM json_each(?6)))
  AND (?7 IS NULL OR created_at >= ?7)
  AND (?8 IS NULL OR created_at < ?8)
  AND id < COALESCE(NULLIF(?9, ''), x'ff')
ORDER BY id DESC
LIMIT ?10;

-- name: MessageListContact
-- MessageList of one contact (its history, "why nothing?"): the ids of the
-- messages to it through messages_to_contact and of the CC and BCC copies
-- it received through message_copies_contact, never the workspace's whole
-- history.
SELECT id, event_id, event_type, project_key, flow_key, flow_version, notification_key, template_key,
       channel, category, locale, to_contact, to_email, to_name, cc, bcc, from_addr, reply_to, subject,
       '', '', message_id_header, status, reason, attempts, next_attempt_at, expires_at, queued_at,
       last_reply, created_at, updated_at, sent_at, captured_at, captured_size
FROM messages
WHERE id IN (SELECT id FROM messages
             WHERE workspace_id = ?1 AND to_contact = ?3 AND id < COALESCE(NULLIF(?9, ''), x'ff')
             UNION ALL
             SELECT message_id FROM message_copies
             WHERE workspace_id = ?1 AND contact = ?3 AND contact <> '' AND message_id < COALESCE(NULLIF(?9, ''), x'ff'))
  AND +workspace_id = ?1
  AND (?2 = '' OR event_id = ?2)
  AND (?4 = '' OR to_email = ?4 COLLATE NOCASE
       OR id IN (SELECT message_id FROM message_copies WHERE workspace_id = ?1 AND email = ?4 COLLATE NOCASE))
  AND (?5 = '' OR project_key = ?5)
  AND (?6 = '[]' OR status IN (SELECT value FROM json_each(?6)))
  AND (?7 IS NULL OR created_at >= ?7)
  AND (?8 IS NULL OR created_at < ?8)
ORDER BY id DESC
LIMIT ?10;

-- name: MessageListOpen
-- MessageList for undelivered statuses only (confirmation queue, delivery
-- queue): the literal status list matches the partial index messages_open,
-- so a workspace with a long history is not walked to find them.
SELECT id, event_id, event_type, project_key, flow_key, flow_version, notification_key, template_key,
       channel, category, locale, to_contact, to_email, to_name, cc, bcc, from_addr, reply_to, subject,
       '', '', message_id_header, status, reason, attempts, next_attempt_at, expires_at, queued_at,
       last_reply, created_at, updated_at, sent_at, captured_at, captured_size
FROM messages
WHERE workspace_id = ?1
  AND status IN ('awaiting_confirmation', 'queued', 'sending', 'retrying')
  AND (?2 = '' OR event_id = ?2)
  AND (?3 = '' OR to_contact = ?3
       OR id IN (SELECT message_id FROM message_copies WHERE workspace_id = ?1 AND contact = ?3 AND contact <> ''))
  AND (?4 = '' OR to_email = ?4 COLLATE NOCASE
       OR id IN (SELECT message_id FROM message_copies WHERE workspace_id = ?1 AND email = ?4 COLLATE NOCASE))
  AND (?5 = '' OR project_key = ?5)
  AND (?6 = '[]' OR status IN (SELECT value FROM json_each(?6)))
  AND (?7 IS NULL OR created_at >= ?7)
  AND (?8 IS NULL OR created_at < ?8)
  AND id < COALESCE(NULLIF(?9, ''), x'ff') -- a blob sorts after any text: no cursor, newest first
ORDER BY id DESC
LIMIT ?10;

-- name: MessageTransition
-- ?1 status, ?2 reason, ?3 attempts, ?4 next attempt, ?5 last reply, ?6 sent
-- at, ?7 queued at, ?8 updated at, ?9 workspace, ?10 id, ?11 from statuses
-- (JSON), ?12 the timeline entries to append (a JSON array). A message
-- moved to queued is due at once; retrying, at its next attempt.
UPDATE messages
SET status = ?1, reason = ?2, attempts = ?3, next_attempt_at = ?4, last_reply = ?5,
    sent_at = COALESCE(?6, sent_at), queued_at = COALESCE(?7, queued_at), updated_at = ?8,
    due_at = CASE ?1 WHEN 'queued' THEN ?8 WHEN 'retrying' THEN ?4 ELSE due_at END,
    timeline = CASE WHEN timeline = '[]' THEN ?12
                    ELSE substr(timeline, 1, length(timeline) - 1) || ',' || substr(?12, 2) END
WHERE workspace_id = ?9 AND id = ?10 AND status IN (SELECT value FROM json_each(?11));

-- name: MessageExpiring
SELECT workspace_id, id, created_at FROM messages
WHERE status = 'awaiting_confirmation' AND expires_at < ?
ORDER BY expires_at LIMIT ?;

-- name: MessageQueueStats
SELECT COUNT(*), MIN(created_at) FROM messages
WHERE status IN ('queued', 'sending', 'retrying');

-- name: CaptureList
SELECT id, event_id, captured_at, from_addr, to_email, subject, captured_size
FROM messages
WHERE workspace_id = ?1 AND captured_at IS NOT NULL
  AND id < COALESCE(NULLIF(?2, ''), x'ff') -- a blob sorts after any text: no cursor, newest first
ORDER BY id DESC LIMIT ?3;

-- name: StatsAdd
-- ?5 may be negative (a message left the status counted); a counter stays
-- at zero or above.
INSERT INTO daily_stats (workspace_id, day, status, reason, count) VALUES (?1, ?2, ?3, ?4, MAX(?5, 0))
ON CONFLICT (workspace_id, day, status, reason) DO UPDATE SET count = MAX(count + ?5, 0);

-- name: StatsList
SELECT day, status, reason, count FROM daily_stats
WHERE workspace_id = ? AND day >= ? AND day <= ? AND count > 0
ORDER BY day, status, reason;

-- name: MessageClaim
-- ?1 owner, ?2 lease until, ?3 now, ?4 limit, ?5 the entry recorded for an
-- interrupted attempt (JSON object; its attempt is filled in here). The
-- subquery reads the due messages through messages_due, oldest due first;
-- the outer statement leaves them "sending" under the lease. A process
-- never claims its own leases again: it is still sending those. The bodies
-- are read next (MessageContentGet).
UPDATE messages
SET status = 'sending', attempts = attempts + 1, lease_owner = ?1, due_at = ?2, updated_at = ?3,
    timeline = CASE WHEN status <> 'sending' THEN timeline
                    ELSE substr(timeline, 1, length(timeline) - 1) || CASE WHEN timeline = '[]' THEN '' ELSE ',' END ||
                         json_set(?5, '$.attempt', attempts) || ']' END
WHERE id IN (SELECT id FROM messages
             WHERE status IN ('queued', 'retrying', 'sending') AND due_at <= ?3 AND lease_owner <> ?1
             ORDER BY due_at LIMIT ?4)
RETURNING workspace_id, id, event_id, event_type, project_key, flow_key, flow_version, notification_key,
          template_key, channel, category, locale, to_contact, to_email, to_name, cc, bcc, from_addr, reply_to,
          subject, '', '', message_id_header, status, reason, attempts, next_attempt_at, expires_at,
          queued_at, last_reply, created_at, updated_at, sent_at, captured_at, captured_size;

-- name: MessageRecord
-- One row per outcome: id, workspace, owner, delivered (0/1), status,
-- attempts, reason, last reply, sent at, due at, captured size, updated at,
-- timeline entries (JSON array). Applies while the message is "sending"
-- under the owner's lease, or, for a delivered message, in any status
-- that is not final.
WITH v(id, workspace_id, owner, delivered, status, attempts, reason, last_reply, sent_at, due_at, captured_size,
       updated_at, entries) AS (
    VALUES /*ROWS*/
)
UPDATE messages
SET status = v.status, attempts = v.attempts, reason = v.reason, last_reply = v.last_reply,
    sent_at = COALESCE(v.sent_at, messages.sent_at), lease_owner = '',
    due_at = v.due_at, next_attempt_at = CASE v.status WHEN 'retrying' THEN v.due_at ELSE NULL END,
    captured_at = CASE WHEN v.captured_size > 0 THEN v.updated_at ELSE messages.captured_at END,
    captured_size = CASE WHEN v.captured_size > 0 THEN v.captured_size ELSE messages.captured_size END,
    updated_at = v.updated_at,
    timeline = CASE WHEN v.entries = '[]' THEN messages.timeline
                    WHEN messages.timeline = '[]' THEN v.entries
                    ELSE substr(messages.timeline, 1, length(messages.timeline) - 1) || ',' || substr(v.entries, 2) END
FROM v
WHERE messages.id = v.id AND +messages.workspace_id = v.workspace_id -- + keeps the planner on the primary key
  AND ((+messages.status = 'sending' AND messages.lease_owner = v.owner)
       OR (v.delivered = 1 AND +messages.status IN ('queued', 'retrying', 'sending')))
RETURNING messages.id;

-- name: MessageRecordRow
(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)

-- name: MessageNextDue
SELECT due_at FROM messages
WHERE status IN ('queued', 'retrying', 'sending') AND lease_owner <> ?
ORDER BY due_at LIMIT 1;

-- name: MessageLeaseRenew
UPDATE messages SET due_at = ?1
WHERE id IN (SELECT value FROM json_each(?3)) AND +status = 'sending' AND lease_owner = ?2;

-- name: MessageLeaseReleaseOwn
-- ?1 owner, ?2 ids to keep (JSON), ?3 now.
UPDATE messages
SET status = CASE WHEN attempts > 1 THEN 'retrying' ELSE 'queued' END, attempts = attempts - 1,
    lease_owner = '', due_at = ?3
WHERE status IN ('queued', 'retrying', 'sending') AND status = 'sending' AND lease_owner = ?1
  AND id NOT IN (SELECT value FROM json_each(?2));

-- name: MessageLeaseExpire
-- The literal status list matches messages_due, which holds every
-- "sending" message.
UPDATE messages SET due_at = ?2
WHERE status IN ('queued', 'retrying', 'sending') AND status = 'sending' AND lease_owner <> ?1 AND due_at > ?2;

-- name: MessageEventAppend
UPDATE messages
SET timeline = CASE WHEN timeline = '[]' THEN ?3
                    ELSE substr(timeline, 1, length(timeline) - 1) || ',' || substr(?3, 2) END
WHERE workspace_id = ?1 AND id = ?2;

-- name: MessageCountByEvents
SELECT event_id, status, reason, captured_at IS NOT NULL, COUNT(*) FROM messages
WHERE workspace_id = ?1 AND event_id IN (SELECT value FROM json_each(?2))
GROUP BY event_id, status, reason, captured_at IS NOT NULL
ORDER BY event_id, status, reason;

-- name: MessageSearch
SELECT id, event_id, event_type, project_key, flow_key, flow_version, notification_key, template_key,
       channel, category, locale, to_contact, to_email, to_name, cc, bcc, from_addr, reply_to, subject,
       '', '', message_id_header, status, reason, attempts, next_attempt_at, expires_at, queued_at,
       last_reply, created_at, updated_at, sent_at, captured_at, captured_size
FROM messages m
WHERE m.workspace_id = ?1
  AND (m.to_email GLOB ?2 OR m.to_name GLOB ?2
       OR EXISTS (SELECT 1 FROM message_copies c WHERE c.message_id = m.id
                  AND (c.email GLOB ?2 OR EXISTS (SELECT 1 FROM contacts k WHERE c.contact <> ''
                       AND k.workspace_id = ?1 AND k.id = c.contact AND k.name GLOB ?2))))
ORDER BY m.id DESC
LIMIT ?3;
