-- A workspace's display names for its event types, roles and categories
-- in German and English (model.Vocabulary, JSON).

-- +goose Up
ALTER TABLE workspaces ADD COLUMN vocabulary TEXT NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE workspaces DROP COLUMN vocabulary;
