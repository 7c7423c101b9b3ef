-- name: FlowUpsert
INSERT INTO flows (workspace_id, key, name, description, sender_from, sender_reply_to,
                   version, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8)
ON CONFLICT (workspace_id, key) DO UPDATE
SET name = excluded.name, description = excluded.description, sender_from = excluded.sender_from,
    sender_reply_to = excluded.sender_reply_to, version = flows.version + 1, updated_at = excluded.updated_at
RETURNING created_at, version, (xmax = 0);

-- name: FlowSetVersion
UPDATE flows SET version = $1 WHERE workspace_id = $2 AND key = $3;

-- name: FlowBump
UPDATE flows SET version = version + 1, updated_at = $1
WHERE workspace_id = $2 AND key = $3;

-- name: FlowGet
SELECT key, name, description, sender_from, sender_reply_to, version, created_at, updated_at
FROM flows WHERE workspace_id = $1 AND key = $2;

-- name: FlowList
SELECT key, name, description, sender_from, sender_reply_to, version, created_at, updated_at
FROM flows WHERE workspace_id = $1 AND key > $2 ORDER BY key LIMIT $3;

-- name: FlowUsage
SELECT key FROM projects WHERE workspace_id = $1 AND flow_key = $2 ORDER BY key;

-- name: FlowDelete
DELETE FROM flows WHERE workspace_id = $1 AND key = $2;

-- name: NotificationList
SELECT flow_key, key, name, event_type, condition, template_key, recipients, cc, bcc,
       status, category, channel, webhook, throttle, urgent, digest
FROM notifications
WHERE workspace_id = $1 AND flow_key = ANY($2::text[])
ORDER BY flow_key, position, key;

-- name: NotificationDeleteAll
DELETE FROM notifications WHERE workspace_id = $1 AND flow_key = $2;

-- name: NotificationInsert
INSERT INTO notifications (workspace_id, flow_key, key, position, name, event_type, condition,
                           template_key, recipients, cc, bcc, status, category, channel, webhook, throttle, urgent, digest)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18);

-- name: NotificationUpdate
UPDATE notifications
SET name = $1, event_type = $2, condition = $3, template_key = $4, recipients = $5, cc = $6, bcc = $7,
    status = $8, category = $9, channel = $10, webhook = $11, throttle = $12, urgent = $13, digest = $14
WHERE workspace_id = $15 AND flow_key = $16 AND key = $17;

-- name: FlowLock
SELECT version FROM flows WHERE workspace_id = $1 AND key = $2 FOR UPDATE;

-- name: NotificationNextPosition
SELECT COALESCE(MAX(position), -1) + 1 FROM notifications WHERE workspace_id = $1 AND flow_key = $2;

-- name: NotificationDelete
DELETE FROM notifications WHERE workspace_id = $1 AND flow_key = $2 AND key = $3;
