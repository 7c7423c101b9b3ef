-- The sender domains and addresses the operator allows a workspace, comma
-- separated ("*" allows any). A workspace without any sends nothing, so
-- the bootstrap workspace, which could send as anyone before, keeps "*";
-- every other workspace waits for its operator (see docs/decisions.md).

-- +goose Up
ALTER TABLE workspaces ADD COLUMN allowed_senders TEXT NOT NULL DEFAULT '';
UPDATE workspaces SET allowed_senders = '*' WHERE key = 'default';

-- +goose Down
ALTER TABLE workspaces DROP COLUMN allowed_senders;
