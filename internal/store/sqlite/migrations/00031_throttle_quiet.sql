-- Throttles and quiet hours (docs/throttles.md): a notification's
-- throttle rules (JSON) and urgent flag, a workspace's quiet hours
-- ("22:00-07:00"), and one counter per throttle scope, recipient and
-- window, taken in the transaction that writes the messages.

-- +goose Up
ALTER TABLE notifications ADD COLUMN throttle TEXT NOT NULL DEFAULT '[]';
ALTER TABLE notifications ADD COLUMN urgent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE workspaces ADD COLUMN quiet_hours TEXT NOT NULL DEFAULT '';
CREATE TABLE throttle_counts (
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    -- scope and recipient, e.g. "category:support|c:c-17"
    key          TEXT    NOT NULL,
    window_start INTEGER NOT NULL,
    window_end   INTEGER NOT NULL,
    n            INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, key, window_start)
);
CREATE INDEX throttle_counts_end ON throttle_counts (window_end);

-- +goose Down
DROP TABLE throttle_counts;
ALTER TABLE workspaces DROP COLUMN quiet_hours;
ALTER TABLE notifications DROP COLUMN urgent;
ALTER TABLE notifications DROP COLUMN throttle;
