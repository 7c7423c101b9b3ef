-- name: BroadcastUpsert
-- A new broadcast is stored whole (an import brings its status and
-- progress); a scheduled or running one is due at $16.
INSERT INTO broadcasts (workspace_id, key, name, spec, status, start_at, cursor, scanned, matched, errors,
                        error_samples, started_at, finished_at, created_at, updated_at, due_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,
        CASE WHEN $5 IN ('scheduled', 'running') THEN $16::timestamptz END)
ON CONFLICT (workspace_id, key) DO UPDATE
SET name = excluded.name, spec = excluded.spec, start_at = excluded.start_at, updated_at = excluded.updated_at
RETURNING created_at, (xmax = 0);

-- name: BroadcastGet
SELECT key, name, spec, status, start_at, cursor, scanned, matched, errors, error_samples, started_at,
       finished_at, created_at, updated_at
FROM broadcasts WHERE workspace_id = $1 AND key = $2;

-- name: BroadcastList
SELECT key, name, spec, status, start_at, cursor, scanned, matched, errors, error_samples, started_at,
       finished_at, created_at, updated_at
FROM broadcasts WHERE workspace_id = $1 AND key > $2 ORDER BY key LIMIT $3;

-- name: BroadcastDelete
DELETE FROM broadcasts WHERE workspace_id = $1 AND key = $2 AND status = 'draft';

-- name: BroadcastTransition
UPDATE broadcasts
SET status = $1, due_at = $2, start_at = COALESCE($3, start_at), updated_at = $4, lease_owner = '',
    finished_at = CASE WHEN $1 IN ('done', 'cancelled') THEN $4 ELSE finished_at END
WHERE workspace_id = $5 AND key = $6 AND status = ANY($7::text[]);

-- name: BroadcastClaim
-- $1 owner, $2 lease until, $3 now. Concurrent claims of other replicas
-- skip the row this one locked.
WITH due AS (
    SELECT workspace_id, key FROM broadcasts
    WHERE status IN ('scheduled', 'running') AND due_at <= $3
    ORDER BY due_at LIMIT 1
    FOR UPDATE SKIP LOCKED
)
UPDATE broadcasts b
SET status = 'running', lease_owner = $1, due_at = $2, started_at = COALESCE(b.started_at, $3)
FROM due WHERE b.workspace_id = due.workspace_id AND b.key = due.key
RETURNING b.workspace_id, b.key, b.name, b.spec, b.status, b.start_at, b.cursor, b.scanned, b.matched, b.errors,
          b.error_samples, b.started_at, b.finished_at, b.created_at, b.updated_at;

-- name: BroadcastProgress
UPDATE broadcasts
SET cursor = $1, scanned = $2, matched = $3, errors = $4, error_samples = $5, lease_owner = '',
    status = CASE WHEN $6 THEN 'done' ELSE status END,
    due_at = CASE WHEN $6 THEN NULL ELSE $7::timestamptz END,
    finished_at = CASE WHEN $6 THEN $8 ELSE finished_at END, updated_at = $8
WHERE workspace_id = $9 AND key = $10 AND lease_owner = $11 AND status = 'running';

-- name: BroadcastMessageCounts
SELECT status, reason, COUNT(*) FROM messages
WHERE workspace_id = $1 AND notification_key = $2 AND event_type = 'broadcast'
GROUP BY status, reason ORDER BY status, reason;

-- name: BroadcastQueuedMessages
SELECT id FROM messages
WHERE workspace_id = $1 AND notification_key = $2 AND event_type = 'broadcast' AND status IN ('queued', 'retrying')
ORDER BY id LIMIT $3;
