-- name: TemplateUpsert
INSERT INTO templates (workspace_id, key, name, description, sender_from, sender_reply_to,
                       locales, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (workspace_id, key) DO UPDATE
SET name = excluded.name, description = excluded.description, sender_from = excluded.sender_from,
    sender_reply_to = excluded.sender_reply_to, locales = excluded.locales, updated_at = excluded.updated_at
RETURNING created_at, (xmax = 0);

-- name: TemplateGet
SELECT key, name, description, sender_from, sender_reply_to, locales, created_at, updated_at
FROM templates WHERE workspace_id = $1 AND key = $2;

-- name: TemplateGetMany
SELECT key, name, description, sender_from, sender_reply_to, locales, created_at, updated_at
FROM templates WHERE workspace_id = $1 AND key = ANY($2::text[]);

-- name: TemplateList
SELECT key, name, description, sender_from, sender_reply_to, locales, created_at, updated_at
FROM templates WHERE workspace_id = $1 AND key > $2 ORDER BY key LIMIT $3;

-- name: TemplateUsage
SELECT flow_key, key FROM notifications
WHERE workspace_id = $1 AND template_key = $2 ORDER BY flow_key, position;

-- name: TemplateDelete
DELETE FROM templates WHERE workspace_id = $1 AND key = $2;
