-- Workspaces, keys and the configuration an administrator edits, plus the
-- contacts and objects the host application syncs.

-- +goose Up
CREATE TABLE workspaces (
    id                        BIGSERIAL   PRIMARY KEY,
    key                       TEXT        NOT NULL UNIQUE,
    name                      TEXT        NOT NULL,
    default_locale            TEXT        NOT NULL,
    timezone                  TEXT        NOT NULL,
    sender_from               TEXT        NOT NULL DEFAULT '',
    sender_reply_to           TEXT        NOT NULL DEFAULT '',
    retention_days            INTEGER     NOT NULL,
    confirmation_expiry_hours INTEGER     NOT NULL,
    created_at                TIMESTAMPTZ NOT NULL,
    updated_at                TIMESTAMPTZ NOT NULL
);

CREATE TABLE api_keys (
    id           TEXT        PRIMARY KEY,
    workspace_id BIGINT      NOT NULL REFERENCES workspaces (id),
    name         TEXT        NOT NULL,
    prefix       TEXT        NOT NULL,
    hash         BYTEA       NOT NULL UNIQUE,
    scopes       TEXT        NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    revoked_at   TIMESTAMPTZ
);
CREATE INDEX api_keys_workspace ON api_keys (workspace_id);

CREATE TABLE templates (
    workspace_id    BIGINT      NOT NULL REFERENCES workspaces (id),
    key             TEXT        NOT NULL,
    name            TEXT        NOT NULL,
    description     TEXT        NOT NULL DEFAULT '',
    sender_from     TEXT        NOT NULL DEFAULT '',
    sender_reply_to TEXT        NOT NULL DEFAULT '',
    locales         JSONB       NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, key)
);

CREATE TABLE flows (
    workspace_id    BIGINT      NOT NULL REFERENCES workspaces (id),
    key             TEXT        NOT NULL,
    name            TEXT        NOT NULL,
    description     TEXT        NOT NULL DEFAULT '',
    sender_from     TEXT        NOT NULL DEFAULT '',
    sender_reply_to TEXT        NOT NULL DEFAULT '',
    version         INTEGER     NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, key)
);

CREATE TABLE notifications (
    workspace_id BIGINT  NOT NULL,
    flow_key     TEXT    NOT NULL,
    key          TEXT    NOT NULL,
    position     INTEGER NOT NULL,
    name         TEXT    NOT NULL DEFAULT '',
    event_type   TEXT    NOT NULL,
    condition    TEXT    NOT NULL DEFAULT '',
    template_key TEXT    NOT NULL,
    recipients   JSONB   NOT NULL,
    cc           JSONB   NOT NULL,
    bcc          JSONB   NOT NULL,
    status       TEXT    NOT NULL,
    category     TEXT    NOT NULL,
    channel      TEXT    NOT NULL,
    PRIMARY KEY (workspace_id, flow_key, key),
    FOREIGN KEY (workspace_id, flow_key) REFERENCES flows (workspace_id, key) ON DELETE CASCADE
);
CREATE INDEX notifications_template ON notifications (workspace_id, template_key);

CREATE TABLE projects (
    workspace_id BIGINT      NOT NULL REFERENCES workspaces (id),
    key          TEXT        NOT NULL,
    name         TEXT        NOT NULL,
    flow_key     TEXT,
    members      JSONB       NOT NULL,
    attributes   JSONB       NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, key)
);
CREATE INDEX projects_flow ON projects (workspace_id, flow_key);

CREATE TABLE contacts (
    workspace_id BIGINT      NOT NULL REFERENCES workspaces (id),
    id           TEXT        NOT NULL,
    email        TEXT        NOT NULL DEFAULT '',
    name         TEXT        NOT NULL DEFAULT '',
    locale       TEXT        NOT NULL DEFAULT '',
    timezone     TEXT        NOT NULL DEFAULT '',
    attributes   JSONB       NOT NULL,
    consents     JSONB       NOT NULL,
    opt_outs     JSONB       NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, id)
);

CREATE TABLE objects (
    workspace_id BIGINT      NOT NULL REFERENCES workspaces (id),
    collection   TEXT        NOT NULL,
    id           TEXT        NOT NULL,
    attributes   JSONB       NOT NULL,
    contacts     JSONB       NOT NULL,
    subscribers  JSONB       NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, collection, id)
);

-- +goose Down
DROP TABLE objects;
DROP TABLE contacts;
DROP TABLE projects;
DROP TABLE notifications;
DROP TABLE flows;
DROP TABLE templates;
DROP TABLE api_keys;
DROP TABLE workspaces;
