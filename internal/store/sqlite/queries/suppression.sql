-- name: SuppressionUpsert
INSERT INTO suppressions (workspace_id, email, kind, evidence, message_id, created_at, expires_at)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (workspace_id, email) DO UPDATE SET kind = excluded.kind, evidence = excluded.evidence,
    message_id = excluded.message_id, created_at = excluded.created_at, expires_at = excluded.expires_at;

-- name: SuppressionExists
SELECT count(*) FROM suppressions WHERE workspace_id = ? AND email = ?;

-- name: SuppressionGetMany
SELECT email, kind, evidence, message_id, created_at, expires_at
FROM suppressions WHERE workspace_id = ? AND email IN (SELECT value FROM json_each(?));

-- name: SuppressionList
SELECT email, kind, evidence, message_id, created_at, expires_at
FROM suppressions WHERE workspace_id = ? AND email > ? AND instr(email, lower(?)) > 0
ORDER BY email LIMIT ?;

-- name: SuppressionDelete
DELETE FROM suppressions WHERE workspace_id = ? AND email = ?;
