-- messages_workspace_id and events_workspace_id (00007) index the same
-- columns as messages_list and events_list (00002): every message and
-- event was written into two identical indexes. The lists keep theirs.

-- +goose Up
DROP INDEX messages_workspace_id;
DROP INDEX events_workspace_id;

-- +goose Down
CREATE INDEX events_workspace_id ON events (workspace_id, id);
CREATE INDEX messages_workspace_id ON messages (workspace_id, id);
