-- name: ThrottleCountEnsure
INSERT INTO throttle_counts (workspace_id, key, window_start, window_end, n)
VALUES ($1, $2, $3, $4, 0)
ON CONFLICT (workspace_id, key, window_start) DO NOTHING;

-- name: ThrottleCountGet
SELECT n FROM throttle_counts WHERE workspace_id = $1 AND key = $2 AND window_start = $3 FOR UPDATE;

-- name: ThrottleCountAdd
UPDATE throttle_counts SET n = n + $1 WHERE workspace_id = $2 AND key = $3 AND window_start = $4;

-- name: ThrottleCountPurge
DELETE FROM throttle_counts WHERE (workspace_id, key, window_start) IN (
    SELECT workspace_id, key, window_start FROM throttle_counts
    WHERE workspace_id = $1 AND window_end < $2 LIMIT $3);
