-- name: WebhookEndpointInsert
INSERT INTO webhook_endpoints (id, workspace_id, url, description, event_types, outcomes, secret, previous_secret,
    previous_until, state, state_reason, failures, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: WebhookEndpointGet
SELECT id, workspace_id, url, description, event_types, outcomes, secret, previous_secret, previous_until,
    state, state_reason, failures, created_at, updated_at
FROM webhook_endpoints WHERE workspace_id = ? AND id = ?;

-- name: WebhookEndpointList
SELECT id, workspace_id, url, description, event_types, outcomes, secret, previous_secret, previous_until,
    state, state_reason, failures, created_at, updated_at
FROM webhook_endpoints WHERE workspace_id = ? ORDER BY created_at, id;

-- name: WebhookEndpointUpdate
UPDATE webhook_endpoints SET url = ?, description = ?, event_types = ?, outcomes = ?, secret = ?,
    previous_secret = ?, previous_until = ?, updated_at = ?
WHERE workspace_id = ? AND id = ?;

-- name: WebhookEndpointDelete
DELETE FROM webhook_endpoints WHERE workspace_id = ? AND id = ?;

-- name: WebhookEndpointCount
UPDATE webhook_endpoints SET failures = CASE WHEN ? THEN failures + 1 ELSE 0 END, updated_at = ?
WHERE workspace_id = ? AND id = ?
RETURNING failures;

-- name: WebhookEndpointSetState
UPDATE webhook_endpoints SET state = ?, state_reason = ?, failures = 0, updated_at = ?
WHERE workspace_id = ? AND id = ? AND (? = '' OR state = ?);

-- name: WebhookDeliveryInsert
INSERT INTO webhook_deliveries (id, workspace_id, endpoint_id, type, event_id, message_id, payload, status,
    attempts, next_at, last_reason, lease, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: WebhookDeliveryGet
SELECT id, workspace_id, endpoint_id, type, event_id, message_id, payload, status, attempts, next_at,
    last_reason, lease, created_at, updated_at
FROM webhook_deliveries WHERE workspace_id = ? AND id = ?;

-- name: WebhookDeliveryUpdate
UPDATE webhook_deliveries SET status = ?, attempts = ?, next_at = ?, last_reason = ?, lease = ?, updated_at = ?
WHERE workspace_id = ? AND id = ? AND lease = ?;

-- name: WebhookDeliveryList
SELECT id, workspace_id, endpoint_id, type, event_id, message_id, payload, status, attempts, next_at,
    last_reason, lease, created_at, updated_at
FROM webhook_deliveries
WHERE workspace_id = ? AND (? = '' OR endpoint_id = ?) AND (? = '' OR event_id = ?) AND (? = '' OR message_id = ?)
    AND (? = '' OR status = ?)
    AND (? IS NULL OR created_at >= ?) AND (? IS NULL OR created_at < ?)
ORDER BY created_at DESC, id DESC LIMIT ?;

-- name: WebhookAttemptInsert
INSERT INTO webhook_attempts (delivery_id, workspace_id, number, at, status_code, latency_ms, excerpt, error, verdict)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: WebhookAttemptList
SELECT delivery_id, workspace_id, number, at, status_code, latency_ms, excerpt, error, verdict
FROM webhook_attempts WHERE workspace_id = ? AND delivery_id = ? ORDER BY number;

-- name: WebhookDeliveryPurge
DELETE FROM webhook_deliveries WHERE id IN (
    SELECT id FROM webhook_deliveries WHERE workspace_id = ? AND created_at < ? LIMIT ?);
