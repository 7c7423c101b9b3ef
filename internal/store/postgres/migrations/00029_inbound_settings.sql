-- A workspace's choices for received mail (model.InboundSettings, JSON):
-- reply tracking, the subject token and the rules that match mail to an
-- object or project.

-- +goose Up
ALTER TABLE workspaces ADD COLUMN inbound TEXT NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE workspaces DROP COLUMN inbound;
