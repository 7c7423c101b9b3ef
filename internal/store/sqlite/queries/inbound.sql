-- name: InboundMessageInsert
INSERT INTO inbound_messages (id, workspace_id, header_id, content_hash, mail_from, rcpt_to, kind, address, object, evidence,
    message_id, event_id, raw, received_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (workspace_id, header_id, content_hash) DO NOTHING;

-- name: InboundMessageCount
SELECT count(*) FROM inbound_messages WHERE workspace_id = ? AND address = ? AND kind = ? AND object = ? AND received_at >= ?;

-- name: InboundMessagePurge
DELETE FROM inbound_messages WHERE id IN (
    SELECT id FROM inbound_messages WHERE workspace_id = ? AND received_at < ? LIMIT ?);
