-- Lists of messages, events and captured mails page newest first by id
-- within a workspace; these indexes let them read one page instead of
-- sorting the workspace's whole history.

-- +goose Up
CREATE INDEX messages_workspace_id ON messages (workspace_id, id);
CREATE INDEX events_workspace_id ON events (workspace_id, id);
CREATE INDEX captured_mails_workspace_id ON captured_mails (workspace_id, message_id);

-- +goose Down
DROP INDEX captured_mails_workspace_id;
DROP INDEX events_workspace_id;
DROP INDEX messages_workspace_id;
