-- name: FlowExists
SELECT created_at FROM flows WHERE workspace_id = ? AND key = ?;

-- name: FlowInsert
INSERT INTO flows (workspace_id, key, name, description, sender_from, sender_reply_to,
                   version, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?);

-- name: FlowUpdate
UPDATE flows
SET name = ?, description = ?, sender_from = ?, sender_reply_to = ?,
    version = version + 1, updated_at = ?
WHERE workspace_id = ? AND key = ?;

-- name: FlowSetVersion
UPDATE flows SET version = ? WHERE workspace_id = ? AND key = ?;

-- name: FlowBump
UPDATE flows SET version = version + 1, updated_at = ?
WHERE workspace_id = ? AND key = ?;

-- name: FlowGet
SELECT key, name, description, sender_from, sender_reply_to, version, created_at, updated_at
FROM flows WHERE workspace_id = ? AND key = ?;

-- name: FlowList
SELECT key, name, description, sender_from, sender_reply_to, version, created_at, updated_at
FROM flows WHERE workspace_id = ? AND key > ? ORDER BY key LIMIT ?;

-- name: FlowUsage
SELECT key FROM projects WHERE workspace_id = ? AND flow_key = ? ORDER BY key;

-- name: FlowDelete
DELETE FROM flows WHERE workspace_id = ? AND key = ?;

-- name: NotificationList
SELECT flow_key, key, name, event_type, condition, template_key, recipients, cc, bcc,
       status, category, channel, webhook, throttle, urgent, digest
FROM notifications
WHERE workspace_id = ? AND flow_key IN (SELECT value FROM json_each(?))
ORDER BY flow_key, position, key;

-- name: NotificationDeleteAll
DELETE FROM notifications WHERE workspace_id = ? AND flow_key = ?;

-- name: NotificationInsert
INSERT INTO notifications (workspace_id, flow_key, key, position, name, event_type, condition,
                           template_key, recipients, cc, bcc, status, category, channel, webhook, throttle, urgent, digest)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: NotificationUpdate
UPDATE notifications
SET name = ?, event_type = ?, condition = ?, template_key = ?, recipients = ?, cc = ?, bcc = ?,
    status = ?, category = ?, channel = ?, webhook = ?, throttle = ?, urgent = ?, digest = ?
WHERE workspace_id = ? AND flow_key = ? AND key = ?;

-- name: NotificationExists
SELECT position FROM notifications WHERE workspace_id = ? AND flow_key = ? AND key = ?;

-- name: NotificationNextPosition
SELECT COALESCE(MAX(position), -1) + 1 FROM notifications WHERE workspace_id = ? AND flow_key = ?;

-- name: NotificationDelete
DELETE FROM notifications WHERE workspace_id = ? AND flow_key = ? AND key = ?;

-- name: FlowVersion
SELECT version FROM flows WHERE workspace_id = ? AND key = ?;
