-- name: WebhookEndpointInsert
INSERT INTO webhook_endpoints (id, workspace_id, url, description, event_types, outcomes, secret, previous_secret,
    previous_until, state, state_reason, failures, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14);

-- name: WebhookEndpointGet
SELECT id, workspace_id, url, description, event_types, outcomes, secret, previous_secret, previous_until,
    state, state_reason, failures, created_at, updated_at
FROM webhook_endpoints WHERE workspace_id = $1 AND id = $2;

-- name: WebhookEndpointList
SELECT id, workspace_id, url, description, event_types, outcomes, secret, previous_secret, previous_until,
    state, state_reason, failures, created_at, updated_at
FROM webhook_endpoints WHERE workspace_id = $1 ORDER BY created_at, id;

-- name: WebhookEndpointUpdate
UPDATE webhook_endpoints SET url = $1, description = $2, event_types = $3, outcomes = $4, secret = $5,
    previous_secret = $6, previous_until = $7, updated_at = $8
WHERE workspace_id = $9 AND id = $10;

-- name: WebhookEndpointDelete
DELETE FROM webhook_endpoints WHERE workspace_id = $1 AND id = $2;

-- name: WebhookEndpointCount
UPDATE webhook_endpoints SET failures = CASE WHEN $1::boolean THEN failures + 1 ELSE 0 END, updated_at = $2
WHERE workspace_id = $3 AND id = $4
RETURNING failures;

-- name: WebhookEndpointSetState
UPDATE webhook_endpoints SET state = $1, state_reason = $2, failures = 0, updated_at = $3
WHERE workspace_id = $4 AND id = $5 AND ($6::text = '' OR state = $7);

-- name: WebhookDeliveryInsert
INSERT INTO webhook_deliveries (id, workspace_id, endpoint_id, type, event_id, message_id, payload, status,
    attempts, next_at, last_reason, lease, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14);

-- name: WebhookDeliveryGet
SELECT id, workspace_id, endpoint_id, type, event_id, message_id, payload, status, attempts, next_at,
    last_reason, lease, created_at, updated_at
FROM webhook_deliveries WHERE workspace_id = $1 AND id = $2;

-- name: WebhookDeliveryUpdate
UPDATE webhook_deliveries SET status = $1, attempts = $2, next_at = $3, last_reason = $4, lease = $5, updated_at = $6
WHERE workspace_id = $7 AND id = $8 AND lease = $9;

-- name: WebhookDeliveryList
SELECT id, workspace_id, endpoint_id, type, event_id, message_id, payload, status, attempts, next_at,
    last_reason, lease, created_at, updated_at
FROM webhook_deliveries
WHERE workspace_id = $1 AND ($2::text = '' OR endpoint_id = $2) AND ($3::text = '' OR event_id = $3) AND ($4::text = '' OR message_id = $4)
    AND ($5::text = '' OR status = $5)
    AND ($6::timestamptz IS NULL OR created_at >= $6) AND ($7::timestamptz IS NULL OR created_at < $7)
ORDER BY created_at DESC, id DESC LIMIT $8;

-- name: WebhookAttemptInsert
INSERT INTO webhook_attempts (delivery_id, workspace_id, number, at, status_code, latency_ms, excerpt, error, verdict)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9);

-- name: WebhookAttemptList
SELECT delivery_id, workspace_id, number, at, status_code, latency_ms, excerpt, error, verdict
FROM webhook_attempts WHERE workspace_id = $1 AND delivery_id = $2 ORDER BY number;

-- name: WebhookDeliveryPurge
DELETE FROM webhook_deliveries WHERE id IN (
    SELECT id FROM webhook_deliveries WHERE workspace_id = $1 AND created_at < $2 LIMIT $3);
