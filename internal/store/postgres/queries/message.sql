-- name: MessageInsertMany
INSERT INTO messages (workspace_id, lease_owner, id, event_id, event_type, project_key, flow_key, flow_version,
                      notification_key, template_key, channel, category, locale, to_contact, to_email,
                      to_name, cc, bcc, from_addr, reply_to, subject, message_id_header,
                      status, reason, attempts, next_attempt_at, expires_at, queued_at, last_reply,
                      created_at, updated_at, sent_at, due_at, timeline, captured_at, captured_size)
SELECT $1, $2, r.id, r.event_id, r.event_type, r.project_key, r.flow_key, r.flow_version,
       r.notification_key, r.template_key, r.channel, r.category, r.locale, r.to_contact, r.to_email,
       r.to_name, r.cc::jsonb, r.bcc::jsonb, r.from_addr, r.reply_to, r.subject, r.message_id_header,
       r.status, r.reason, r.attempts, r.next_attempt_at, r.expires_at, r.queued_at, r.last_reply,
       r.created_at, r.updated_at, r.sent_at, r.due_at, r.timeline::jsonb, r.captured_at, r.captured_size
FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[],
            $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[],
            $16::text[], $17::text[], $18::text[], $19::text[], $20::text[], $21::text[], $22::text[],
            $23::text[], $24::text[], $25::int[], $26::timestamptz[], $27::timestamptz[], $28::timestamptz[],
            $29::text[], $30::timestamptz[], $31::timestamptz[], $32::timestamptz[], $33::timestamptz[],
            $34::text[], $35::timestamptz[], $36::int[])
     AS r(id, event_id, event_type, project_key, flow_key, flow_version,
          notification_key, template_key, channel, category, locale, to_contact, to_email,
          to_name, cc, bcc, from_addr, reply_to, subject, message_id_header,
          status, reason, attempts, next_attempt_at, expires_at, queued_at,
          last_reply, created_at, updated_at, sent_at, due_at, timeline, captured_at, captured_size);

-- name: MessageContentInsertMany
INSERT INTO message_contents (message_id, html, text)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[]);

-- name: MessageCopyInsertMany
INSERT INTO message_copies (message_id, workspace_id, contact, email)
SELECT m, $1, c, e FROM unnest($2::text[], $3::text[], $4::text[]) AS u (m, c, e);

-- name: MessageGet
SELECT m.id, m.event_id, m.event_type, m.project_key, m.flow_key, m.flow_version, m.notification_key,
       m.template_key, m.channel, m.category, m.locale, m.to_contact, m.to_email, m.to_name, m.cc, m.bcc,
       m.from_addr, m.reply_to, m.subject, COALESCE(c.html, ''), COALESCE(c.text, ''), m.message_id_header,
       m.status, m.reason, m.attempts, m.next_attempt_at, m.expires_at, m.queued_at, m.last_reply, m.created_at,
       m.updated_at, m.sent_at, m.captured_at, m.captured_size, m.timeline
FROM messages m LEFT JOIN message_contents c ON c.message_id = m.id
WHERE m.workspace_id = $1 AND m.id = $2;

-- name: MessageGetMany
SELECT m.id, m.event_id, m.event_type, m.project_key, m.flow_key, m.flow_version, m.notification_key,
       m.template_key, m.channel, m.category, m.locale, m.to_contact, m.to_email, m.to_name, m.cc, m.bcc,
       m.from_addr, m.reply_to, m.subject, COALESCE(c.html, ''), COALESCE(c.text, ''), m.message_id_header,
       m.status, m.reason, m.attempts, m.next_attempt_at, m.expires_at, m.queued_at, m.last_reply, m.created_at,
       m.updated_at, m.sent_at, m.captured_at, m.captured_size
FROM messages m LEFT JOIN message_contents c ON c.message_id = m.id
WHERE m.workspace_id = $1 AND m.id = ANY($2::text[])
ORDER BY m.id;

-- name: MessageList
SELECT id, event_id, event_type, project_key, flow_key, flow_version, notification_key, template_key,
       channel, category, locale, to_contact, to_email, to_name, cc, bcc, from_addr, reply_to, subject,
       '', '', message_id_header, status, reason, attempts, next_attempt_at, expires_at, queued_at,
       last_reply, created_at, updated_at, sent_at, captured_at, captured_size
FROM messages
WHERE workspace_id = $1
  AND ($2 = '' OR event_id = $2)
  AND ($3 = '' OR to_contact = $3
       OR id IN (SELECT message_id FROM message_copies WHERE workspace_id = $1 AND contact = $3 AND contact <> ''))
  AND ($4 = '' OR lower(to_email) = lower($4)
       OR id IN (SELECT message_id FROM message_copies WHERE workspace_id = $1 AND lower(email) = lower($4)))
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
       last_reply, created_at, updated_at, sent_at, captured_at, captured_size
FROM messages
WHERE event_id = $2 AND workspace_id = $1
  AND ($3 = '' OR to_contact = $3
       OR id IN (SELECT message_id FROM message_copies WHERE workspace_id = $1 AND contact = $3 AND contact <> ''))
  AND ($4 = '' OR lower(to_email) = lower($4)
       OR id IN (SELECT message_id FROM message_copies WHERE workspace_id = $1 AND lower(email) = lower($4)))
  AND ($5 = '' OR project_key = $5)
  AND (cardinality($6::text[]) = 0 OR status = ANY($6::text[]))
  AND ($7::timestamptz IS NULL OR created_at >= $7)
  AND ($8::timestamptz IS NULL OR created_at < $8)
  AND ($9 = '' OR id < $9)
ORDER BY id DESC
LIMIT $10;

-- name: MessageListContact
-- MessageList of one contact, through messages_contact, with the CC and
-- BCC copies it received through message_copies_contact.
SELECT id, event_id, event_type, project_key, flow_key, flow_version, notification_key, template_key,
       channel, category, locale, to_contact, to_email, to_name, cc, bcc, from_addr, reply_to, subject,
       '', '', message_id_header, status, reason, attempts, next_attempt_at, expires_at, queued_at,
       last_reply, created_at, updated_at, sent_at, captured_at, captured_size
FROM messages
WHERE workspace_id = $1
  AND (to_contact = $3
       OR id IN (SELECT message_id FROM message_copies WHERE workspace_id = $1 AND contact = $3 AND contact <> ''))
  AND ($2 = '' OR event_id = $2)
  AND ($4 = '' OR lower(to_email) = lower($4)
       OR id IN (SELECT message_id FROM message_copies WHERE workspace_id = $1 AND lower(email) = lower($4)))
  AND ($5 = '' OR project_key = $5)
  AND (cardinality($6::text[]) = 0 OR status = ANY($6::text[]))
  AND ($7::timestamptz IS NULL OR created_at >= $7)
  AND ($8::timestamptz IS NULL OR created_at < $8)
  AND ($9 = '' OR id < $9)
ORDER BY id DESC
LIMIT $10;

-- name: MessageTransition
-- A message moved to queued is due at once; retrying, at its next attempt.
UPDATE messages
SET status = $1, reason = $2, attempts = $3, next_attempt_at = $4, last_reply = $5,
    sent_at = COALESCE($6, sent_at), queued_at = COALESCE($7, queued_at), updated_at = $8,
    due_at = CASE $1::text WHEN 'queued' THEN $8 WHEN 'retrying' THEN $4 ELSE due_at END,
    timeline = timeline || $12::jsonb
WHERE workspace_id = $9 AND id = $10 AND status = ANY($11::text[]);

-- name: MessageExpiring
SELECT workspace_id, id, created_at FROM messages
WHERE status = 'awaiting_confirmation' AND expires_at < $1
ORDER BY expires_at LIMIT $2;

-- name: MessageQueueStats
SELECT COUNT(*), MIN(created_at) FROM messages
WHERE status IN ('queued', 'sending', 'retrying');

-- name: CaptureList
SELECT id, event_id, captured_at, from_addr, to_email, subject, captured_size
FROM messages
WHERE workspace_id = $1 AND captured_at IS NOT NULL AND ($2 = '' OR id < $2)
ORDER BY id DESC LIMIT $3;

-- name: StatsAdd
-- $5 may be negative (a message left the status counted); a counter stays
-- at zero or above.
INSERT INTO daily_stats (workspace_id, day, status, reason, count) VALUES ($1, $2, $3, $4, GREATEST($5::bigint, 0))
ON CONFLICT (workspace_id, day, status, reason) DO UPDATE SET count = GREATEST(daily_stats.count + $5::bigint, 0);

-- name: StatsList
SELECT day, status, reason, count FROM daily_stats
WHERE workspace_id = $1 AND day >= $2 AND day <= $3 AND count > 0
ORDER BY day, status, reason;

-- name: MessageClaim
-- $1 owner, $2 lease until, $3 now, $4 limit, $5 the entry recorded for an
-- interrupted attempt (its attempt is filled in here). Concurrent claims
-- of other replicas skip the rows this one locked. A process never claims
-- its own leases again: it is still sending those.
WITH due AS (
    SELECT id FROM messages
    WHERE status IN ('queued', 'retrying', 'sending') AND due_at <= $3 AND lease_owner <> $1
    ORDER BY due_at LIMIT $4
    FOR UPDATE SKIP LOCKED
), claimed AS (
    UPDATE messages m
    SET status = 'sending', attempts = m.attempts + 1, lease_owner = $1, due_at = $2, updated_at = $3,
        timeline = CASE WHEN m.status <> 'sending' THEN m.timeline
                        ELSE m.timeline || jsonb_build_array($5::jsonb || jsonb_build_object('attempt', m.attempts)) END
    FROM due
    WHERE m.id = due.id
    RETURNING m.*
)
SELECT m.workspace_id, m.id, m.event_id, m.event_type, m.project_key, m.flow_key, m.flow_version,
       m.notification_key, m.template_key, m.channel, m.category, m.locale, m.to_contact, m.to_email,
       m.to_name, m.cc, m.bcc, m.from_addr, m.reply_to, m.subject, COALESCE(c.html, ''), COALESCE(c.text, ''),
       m.message_id_header, m.status, m.reason, m.attempts, m.next_attempt_at, m.expires_at, m.queued_at,
       m.last_reply, m.created_at, m.updated_at, m.sent_at, m.captured_at, m.captured_size
FROM claimed m LEFT JOIN message_contents c ON c.message_id = m.id;

-- name: MessageRecord
-- One element of each array per outcome. Applies while the message is
-- "sending" under the owner's lease, or, for a delivered message, in any
-- status that is not final.
UPDATE messages m
SET status = v.status, attempts = v.attempts, reason = v.reason, last_reply = v.last_reply,
    sent_at = COALESCE(v.sent_at, m.sent_at), lease_owner = '',
    due_at = v.due_at, next_attempt_at = CASE v.status WHEN 'retrying' THEN v.due_at ELSE NULL END,
    captured_at = CASE WHEN v.captured_size > 0 THEN v.updated_at ELSE m.captured_at END,
    captured_size = CASE WHEN v.captured_size > 0 THEN v.captured_size ELSE m.captured_size END,
    updated_at = v.updated_at,
    timeline = m.timeline || v.entries::jsonb
FROM unnest($1::text[], $2::bigint[], $3::text[], $4::boolean[], $5::text[], $6::integer[], $7::text[], $8::text[],
            $9::timestamptz[], $10::timestamptz[], $11::integer[], $12::timestamptz[], $13::text[])
     AS v(id, workspace_id, owner, delivered, status, attempts, reason, last_reply, sent_at, due_at, captured_size,
          updated_at, entries)
WHERE m.id = v.id AND m.workspace_id = v.workspace_id
  AND ((m.status = 'sending' AND m.lease_owner = v.owner)
       OR (v.delivered AND m.status IN ('queued', 'retrying', 'sending')))
RETURNING m.id;

-- name: MessageNextDue
SELECT due_at FROM messages
WHERE status IN ('queued', 'retrying', 'sending') AND lease_owner <> $1
ORDER BY due_at LIMIT 1;

-- name: MessageLeaseRenew
UPDATE messages SET due_at = $1
WHERE id = ANY($3::text[]) AND status = 'sending' AND lease_owner = $2;

-- name: MessageLeaseReleaseOwn
UPDATE messages
SET status = CASE WHEN attempts > 1 THEN 'retrying' ELSE 'queued' END, attempts = attempts - 1,
    lease_owner = '', due_at = $3
WHERE status IN ('queued', 'retrying', 'sending') AND status = 'sending' AND lease_owner = $1
  AND NOT (id = ANY($2::text[]));

-- name: MessageLeaseExpire
UPDATE messages SET due_at = $2
WHERE status IN ('queued', 'retrying', 'sending') AND status = 'sending' AND lease_owner <> $1 AND due_at > $2;

-- name: MessageEventAppend
UPDATE messages SET timeline = timeline || $3::jsonb
WHERE workspace_id = $1 AND id = $2;

-- name: MessageCountByEvents
SELECT event_id, status, reason, captured_at IS NOT NULL, COUNT(*) FROM messages
WHERE workspace_id = $1 AND event_id = ANY($2::text[])
GROUP BY event_id, status, reason, captured_at IS NOT NULL
ORDER BY event_id, status, reason;

-- name: MessageSearch
SELECT id, event_id, event_type, project_key, flow_key, flow_version, notification_key, template_key,
       channel, category, locale, to_contact, to_email, to_name, cc, bcc, from_addr, reply_to, subject,
       '', '', message_id_header, status, reason, attempts, next_attempt_at, expires_at, queued_at,
       last_reply, created_at, updated_at, sent_at, captured_at, captured_size
FROM messages m
WHERE m.workspace_id = $1
  AND (herold_fold(m.to_email) LIKE $2 OR herold_fold(m.to_name) LIKE $2
       OR EXISTS (SELECT 1 FROM message_copies c WHERE c.message_id = m.id
                  AND (herold_fold(c.email) LIKE $2 OR EXISTS (SELECT 1 FROM contacts k WHERE c.contact <> ''
                       AND k.workspace_id = $1 AND k.id = c.contact AND herold_fold(k.name) LIKE $2))))
ORDER BY m.id DESC
LIMIT $3;
