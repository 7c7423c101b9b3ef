-- name: DigestUpsert
INSERT INTO digests (id, workspace_id, flow_key, notification_key, recipient, digest_key, to_contact, to_email, to_name,
                     status, sliding, max_items, total, first_event_id, data, opened_at, closes_at, deadline)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'open', ?10, ?11, 1, ?12, ?13, ?14, ?15, ?16)
ON CONFLICT (workspace_id, flow_key, notification_key, recipient, digest_key) WHERE status = 'open'
DO UPDATE SET total = digests.total + 1,
    status = CASE WHEN digests.max_items > 0 AND digests.total + 1 >= digests.max_items THEN 'full' ELSE 'open' END,
    closes_at = CASE
        WHEN digests.closes_at <= ?14 THEN digests.closes_at
        WHEN digests.max_items > 0 AND digests.total + 1 >= digests.max_items THEN ?14
        WHEN digests.sliding = 1 THEN MIN(excluded.closes_at, digests.deadline)
        ELSE digests.closes_at END
RETURNING id, total, closes_at;

-- name: DigestItemInsert
INSERT INTO digest_items (digest_id, seq, workspace_id, event_id, data) VALUES (?, ?, ?, ?, ?);

-- name: DigestListDue
SELECT workspace_id, id FROM digests WHERE status IN ('open', 'full') AND closes_at <= ? ORDER BY closes_at, id LIMIT ?;

-- name: DigestClaim
UPDATE digests SET status = 'closed', closed_at = ?
WHERE workspace_id = ? AND id = ? AND status IN ('open', 'full') AND closes_at <= ?
RETURNING id, flow_key, notification_key, recipient, digest_key, status, total, opened_at, closes_at, closed_at,
          message_id, to_contact, to_email, to_name, first_event_id, data;

-- name: DigestItemsFirst
SELECT data FROM digest_items WHERE workspace_id = ? AND digest_id = ? ORDER BY seq LIMIT ?;

-- name: DigestItemsLast
SELECT data FROM digest_items WHERE workspace_id = ? AND digest_id = ? ORDER BY seq DESC LIMIT ?;

-- name: DigestSetMessage
UPDATE digests SET message_id = ? WHERE workspace_id = ? AND id = ?;

-- name: DigestListByEvent
SELECT d.id, d.flow_key, d.notification_key, d.recipient, d.digest_key, d.status, d.total, d.opened_at, d.closes_at,
       d.closed_at, d.message_id
FROM digests d
WHERE d.workspace_id = ? AND d.id IN (SELECT i.digest_id FROM digest_items i WHERE i.workspace_id = ? AND i.event_id = ?)
ORDER BY d.id;

-- name: DigestPurge
DELETE FROM digests WHERE id IN (
    SELECT id FROM digests WHERE workspace_id = ? AND status = 'closed' AND closed_at < ? LIMIT ?);
