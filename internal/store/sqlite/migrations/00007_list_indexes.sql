-- Lists of messages, events and captured mails page newest first by id
-- within a workspace; these indexes let them read one page instead of
-- sorting the workspace's whole history.
--
-- No SQLite query reads messages through messages_created, messages_status
-- or messages_contact (their optional filters cannot use an index), and
-- each one is written for every message and every status change: they go.
-- (PostgreSQL keeps them: its per-execution plans can use them.)

-- +goose Up
CREATE INDEX messages_workspace_id ON messages (workspace_id, id);
CREATE INDEX events_workspace_id ON events (workspace_id, id);
CREATE INDEX captured_mails_workspace_id ON captured_mails (workspace_id, message_id);
DROP INDEX messages_created;
DROP INDEX messages_status;
DROP INDEX messages_contact;

-- +goose Down
CREATE INDEX messages_contact ON messages (workspace_id, to_contact, created_at);
CREATE INDEX messages_status ON messages (workspace_id, status, created_at);
CREATE INDEX messages_created ON messages (workspace_id, created_at);
DROP INDEX captured_mails_workspace_id;
DROP INDEX events_workspace_id;
DROP INDEX messages_workspace_id;
