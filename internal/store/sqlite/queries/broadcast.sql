-- name: BroadcastExists
SELECT created_at FROM broadcasts WHERE workspace_id = ? AND key = ?;

-- name: BroadcastInsert
-- A new broadcast is stored whole (an import brings its status and
-- progress); a scheduled or running one is due at ?16.
INSERT INTO broadcasts (workspace_id, key, name, spec, status, start_at, cursor, scanned, matched, errors,
                        error_samples, started_at, finished_at, created_at, updated_at, due_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,
        CASE WHEN ?5 IN ('scheduled', 'running') THEN ?16 END);

-- name: BroadcastUpdate
UPDATE broadcasts SET name = ?, spec = ?, start_at = ?, updated_at = ?
WHERE workspace_id = ? AND key = ?;

-- name: BroadcastGet
SELECT key, name, spec, status, start_at, cursor, scanned, matched, errors, error_samples, started_at,
       finished_at, created_at, updated_at
FROM broadcasts WHERE workspace_id = ? AND key = ?;

-- name: BroadcastList
SELECT key, name, spec, status, start_at, cursor, scanned, matched, errors, error_samples, started_at,
       finished_at, created_at, updated_at
FROM broadcasts WHERE workspace_id = ? AND key > ? ORDER BY key LIMIT ?;

-- name: BroadcastDelete
DELETE FROM broadcasts WHERE workspace_id = ? AND key = ? AND status = 'draft';

-- name: BroadcastTransition
-- ?1 to, ?2 due at, ?3 start at (NULL keeps it), ?4 at, ?5 workspace, ?6
-- key, ?7 from statuses (JSON).
UPDATE broadcasts
SET status = ?1, due_at = ?2, start_at = COALESCE(?3, start_at), updated_at = ?4, lease_owner = '',
    finished_at = CASE WHEN ?1 IN ('done', 'cancelled') THEN ?4 ELSE finished_at END
WHERE workspace_id = ?5 AND key = ?6 AND status IN (SELECT value FROM json_each(?7));

-- name: BroadcastClaim
-- ?1 owner, ?2 lease until, ?3 now. One broadcast due at ?3, through
-- broadcasts_due.
UPDATE broadcasts
SET status = 'running', lease_owner = ?1, due_at = ?2, started_at = COALESCE(started_at, ?3)
WHERE rowid = (SELECT rowid FROM broadcasts
               WHERE status IN ('scheduled', 'running') AND due_at <= ?3
               ORDER BY due_at LIMIT 1)
RETURNING workspace_id, key, name, spec, status, start_at, cursor, scanned, matched, errors, error_samples,
          started_at, finished_at, created_at, updated_at;

-- name: BroadcastProgress
-- ?1 cursor, ?2 scanned, ?3 matched, ?4 errors, ?5 error samples, ?6 done,
-- ?7 due at, ?8 at, ?9 workspace, ?10 key, ?11 owner.
UPDATE broadcasts
SET cursor = ?1, scanned = ?2, matched = ?3, errors = ?4, error_samples = ?5, lease_owner = '',
    status = CASE WHEN ?6 THEN 'done' ELSE status END,
    due_at = CASE WHEN ?6 THEN NULL ELSE ?7 END,
    finished_at = CASE WHEN ?6 THEN ?8 ELSE finished_at END, updated_at = ?8
WHERE workspace_id = ?9 AND key = ?10 AND lease_owner = ?11 AND status = 'running';

-- name: BroadcastMessageCounts
SELECT status, reason, COUNT(*) FROM messages
WHERE workspace_id = ? AND notification_key = ? AND event_type = 'broadcast'
GROUP BY status, reason ORDER BY status, reason;

-- name: BroadcastQueuedMessages
SELECT id FROM messages
WHERE workspace_id = ? AND notification_key = ? AND event_type = 'broadcast' AND status IN ('queued', 'retrying')
ORDER BY id LIMIT ?;
