-- name: TemplateExists
SELECT created_at FROM templates WHERE workspace_id = ? AND key = ?;

-- name: TemplateInsert
INSERT INTO templates (workspace_id, key, name, description, sender_from, sender_reply_to,
                       locales, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: TemplateUpdate
UPDATE templates
SET name = ?, description = ?, sender_from = ?, sender_reply_to = ?, locales = ?, updated_at = ?
WHERE workspace_id = ? AND key = ?;

-- name: TemplateGet
SELECT key, name, description, sender_from, sender_reply_to, locales, created_at, updated_at
FROM templates WHERE workspace_id = ? AND key = ?;

-- name: TemplateGetMany
SELECT key, name, description, sender_from, sender_reply_to, locales, created_at, updated_at
FROM templates WHERE workspace_id = ? AND key IN (SELECT value FROM json_each(?));

-- name: TemplateList
SELECT key, name, description, sender_from, sender_reply_to, locales, created_at, updated_at
FROM templates WHERE workspace_id = ? AND key > ? ORDER BY key LIMIT ?;

-- name: TemplateUsage
SELECT flow_key, key FROM notifications
WHERE workspace_id = ? AND template_key = ? ORDER BY flow_key, position;

-- name: TemplateDelete
DELETE FROM templates WHERE workspace_id = ? AND key = ?;
