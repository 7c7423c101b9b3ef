-- name: InboundMessageInsert
INSERT INTO inbound_messages (id, workspace_id, header_id, content_hash, mail_from, rcpt_to, kind, address, object, evidence,
    message_id, event_id, raw, received_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
ON CONFLICT (workspace_id, header_id, content_hash) DO NOTHING;

-- name: InboundMessageCount
SELECT count(*) FROM inbound_messages WHERE workspace_id = $1 AND address = $2 AND kind = $3 AND object = $4 AND received_at >= $5;

-- name: InboundMessagePurge
DELETE FROM inbound_messages WHERE id IN (
    SELECT id FROM inbound_messages WHERE workspace_id = $1 AND received_at < $2 LIMIT $3);
