-- name: WorkspaceInsert
INSERT INTO workspaces (key, name, default_locale, timezone, sender_from, sender_reply_to,
                        retention_days, confirmation_expiry_hours, created_at, updated_at, allowed_senders, inbound, vocabulary, quiet_hours,
                        summary_schedule)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
RETURNING id;

-- name: WorkspaceGetByID
SELECT id, key, name, default_locale, timezone, sender_from, sender_reply_to,
       retention_days, confirmation_expiry_hours, created_at, updated_at, allowed_senders, inbound, vocabulary, quiet_hours,
       summary_schedule
FROM workspaces WHERE id = $1;

-- name: WorkspaceGetByKey
SELECT id, key, name, default_locale, timezone, sender_from, sender_reply_to,
       retention_days, confirmation_expiry_hours, created_at, updated_at, allowed_senders, inbound, vocabulary, quiet_hours,
       summary_schedule
FROM workspaces WHERE key = $1;

-- name: WorkspaceList
SELECT id, key, name, default_locale, timezone, sender_from, sender_reply_to,
       retention_days, confirmation_expiry_hours, created_at, updated_at, allowed_senders, inbound, vocabulary, quiet_hours,
       summary_schedule
FROM workspaces ORDER BY key;

-- name: WorkspaceUpdate
UPDATE workspaces
SET name = $1, default_locale = $2, timezone = $3, sender_from = $4, sender_reply_to = $5,
    retention_days = $6, confirmation_expiry_hours = $7, updated_at = $8, inbound = $9, vocabulary = $10, quiet_hours = $11,
    summary_schedule = $12
WHERE id = $13;

-- name: WorkspaceSendersSet
UPDATE workspaces SET allowed_senders = $1, updated_at = $2 WHERE id = $3;

-- name: APIKeyInsert
INSERT INTO api_keys (id, workspace_id, name, prefix, hash, scopes, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7);

-- name: APIKeyGetByHash
SELECT id, workspace_id, name, prefix, scopes, created_at, revoked_at
FROM api_keys WHERE hash = $1;

-- name: APIKeyList
SELECT id, workspace_id, name, prefix, scopes, created_at, revoked_at
FROM api_keys WHERE workspace_id = $1 ORDER BY created_at, id;

-- name: APIKeyRevoke
UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $1)
WHERE workspace_id = $2 AND id = $3;

-- name: WorkspaceConfigVersion
SELECT config_version FROM workspaces WHERE id = $1;

-- name: WorkspaceConfigBump
UPDATE workspaces SET config_version = config_version + 1 WHERE id = $1;

-- name: APIKeyHashes
SELECT id, hash FROM api_keys WHERE workspace_id = $1;
