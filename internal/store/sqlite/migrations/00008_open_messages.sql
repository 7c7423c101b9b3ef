-- The confirmation queue and the delivery queue list a workspace's
-- undelivered messages; this partial index holds only those, so it stays
-- small and listing them does not walk the whole history.

-- +goose Up
CREATE INDEX messages_open ON messages (workspace_id, id)
    WHERE status IN ('awaiting_confirmation', 'queued', 'sending', 'retrying');

-- +goose Down
DROP INDEX messages_open;
