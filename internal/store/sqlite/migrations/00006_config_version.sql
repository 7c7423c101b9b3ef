-- A counter per workspace that every configuration change (templates,
-- flows, notifications, projects) increases, so that replicas can cache
-- configuration and know when their copy is stale.

-- +goose Up
ALTER TABLE workspaces ADD COLUMN config_version BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE workspaces DROP COLUMN config_version;
