-- name: SuppressionUpsert
INSERT INTO suppressions (workspace_id, email, kind, evidence, message_id, created_at, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (workspace_id, email) DO UPDATE SET kind = excluded.kind, evidence = excluded.evidence,
    message_id = excluded.message_id, created_at = excluded.created_at, expires_at = excluded.expires_at
RETURNING (xmax = 0);

-- name: SuppressionGetMany
SELECT email, kind, evidence, message_id, created_at, expires_at
FROM suppressions WHERE workspace_id = $1 AND email = ANY($2::text[]);

-- name: SuppressionList
SELECT email, kind, evidence, message_id, created_at, expires_at
FROM suppressions WHERE workspace_id = $1 AND email > $2 AND strpos(email, lower($3)) > 0
ORDER BY email LIMIT $4;

-- name: SuppressionDelete
DELETE FROM suppressions WHERE workspace_id = $1 AND email = $2;
