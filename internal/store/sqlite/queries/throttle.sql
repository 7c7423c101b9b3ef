-- name: ThrottleCountEnsure
INSERT INTO throttle_counts (workspace_id, key, window_start, window_end, n)
VALUES (?, ?, ?, ?, 0)
ON CONFLICT (workspace_id, key, window_start) DO NOTHING;

-- name: ThrottleCountGet
SELECT n FROM throttle_counts WHERE workspace_id = ? AND key = ? AND window_start = ?;

-- name: ThrottleCountAdd
UPDATE throttle_counts SET n = n + ? WHERE workspace_id = ? AND key = ? AND window_start = ?;

-- name: ThrottleCountPurge
DELETE FROM throttle_counts WHERE rowid IN (
    SELECT rowid FROM throttle_counts WHERE workspace_id = ? AND window_end < ? LIMIT ?);
