-- name: WorkspaceInsert
INSERT INTO workspaces (key, name, default_locale, timezone, sender_from, sender_reply_to,
                        retention_days, confirmation_expiry_hours, created_at, updated_at, allowed_senders, inbound, vocabulary, quiet_hours,
                        summary_schedule)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
RETURNING id;

-- name: WorkspaceGetByID
SELECT id, key, name, default_locale, timezone, sender_from, sender_reply_to,
       retention_days, confirmation_expiry_hours, created_at, updated_at, allowed_senders, inbound, vocabulary, quiet_hours,
       summary_schedule
FROM workspaces WHERE id = ?;

-- name: WorkspaceGetByKey
SELECT id, key, name, default_locale, timezone, sender_from, sender_reply_to,
       retention_days, confirmation_expiry_hours, created_at, updated_at, allowed_senders, inbound, vocabulary, quiet_hours,
       summary_schedule
FROM workspaces WHERE key = ?;

-- name: WorkspaceList
SELECT id, key, name, default_locale, timezone, sender_from, sender_reply_to,
       retention_days, confirmation_expiry_hours, created_at, updated_at, allowed_senders, inbound, vocabulary, quiet_hours,
       summary_schedule
FROM workspaces ORDER BY key;

-- name: WorkspaceUpdate
UPDATE workspaces
SET name = ?, default_locale = ?, timezone = ?, sender_from = ?, sender_reply_to = ?,
    retention_days = ?, confirmation_expiry_hours = ?, updated_at = ?, inbound = ?, vocabulary = ?, quiet_hours = ?,
    summary_schedule = ?
WHERE id = ?;

-- name: WorkspaceSendersSet
UPDATE workspaces SET allowed_senders = ?, updated_at = ? WHERE id = ?;

-- name: APIKeyInsert
INSERT INTO api_keys (id, workspace_id, name, prefix, hash, scopes, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?);

-- name: APIKeyGetByHash
SELECT id, workspace_id, name, prefix, scopes, created_at, revoked_at
FROM api_keys WHERE hash = ?;

-- name: APIKeyList
SELECT id, workspace_id, name, prefix, scopes, created_at, revoked_at
FROM api_keys WHERE workspace_id = ? ORDER BY created_at, id;

-- name: APIKeyRevoke
UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?)
WHERE workspace_id = ? AND id = ?;

-- name: WorkspaceConfigVersion
SELECT config_version FROM workspaces WHERE id = ?;

-- name: WorkspaceConfigBump
UPDATE workspaces SET config_version = config_version + 1 WHERE id = ?;

-- name: APIKeyHashes
SELECT id, hash FROM api_keys WHERE workspace_id = ?;
