-- Webhook endpoints (a workspace's subscriptions), their deliveries and
-- every attempt. Secrets are stored sealed by the service (AES-GCM under
-- a server key), never in the clear. Deleting an endpoint deletes its
-- deliveries and attempts.

-- +goose Up
CREATE TABLE webhook_endpoints (
    id              TEXT    PRIMARY KEY,
    workspace_id    INTEGER NOT NULL REFERENCES workspaces (id),
    url             TEXT    NOT NULL,
    description     TEXT    NOT NULL DEFAULT '',
    event_types     TEXT    NOT NULL DEFAULT '[]',
    outcomes        TEXT    NOT NULL DEFAULT '[]',
    secret          BLOB    NOT NULL,
    previous_secret BLOB,
    previous_until  INTEGER,
    state           TEXT    NOT NULL,
    state_reason    TEXT    NOT NULL DEFAULT '',
    failures        INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX webhook_endpoints_workspace ON webhook_endpoints (workspace_id, created_at);

CREATE TABLE webhook_deliveries (
    id           TEXT    PRIMARY KEY,
    workspace_id INTEGER NOT NULL,
    endpoint_id  TEXT    NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    type         TEXT    NOT NULL,
    event_id     TEXT    NOT NULL DEFAULT '',
    message_id   TEXT    NOT NULL DEFAULT '',
    payload      BLOB    NOT NULL,
    status       TEXT    NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_at      INTEGER,
    last_reason  TEXT    NOT NULL DEFAULT '',
    lease        TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX webhook_deliveries_workspace ON webhook_deliveries (workspace_id, created_at, id);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (workspace_id, event_id) WHERE event_id <> '';
CREATE INDEX webhook_deliveries_message ON webhook_deliveries (workspace_id, message_id) WHERE message_id <> '';

CREATE TABLE webhook_attempts (
    delivery_id  TEXT    NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    workspace_id INTEGER NOT NULL,
    number       INTEGER NOT NULL,
    at           INTEGER NOT NULL,
    status_code  INTEGER NOT NULL,
    latency_ms   INTEGER NOT NULL,
    excerpt      TEXT    NOT NULL DEFAULT '',
    error        TEXT    NOT NULL DEFAULT '',
    verdict      TEXT    NOT NULL,
    PRIMARY KEY (delivery_id, number)
);

-- +goose Down
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
