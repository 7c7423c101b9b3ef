-- A contact's messages (its history in the cockpit, "why was nothing
-- sent?") are read through this index, newest first, instead of walking
-- the workspace's whole history. It changes only when a message is
-- written, not on status changes.

-- +goose Up
CREATE INDEX messages_to_contact ON messages (workspace_id, to_contact, id);

-- +goose Down
DROP INDEX messages_to_contact;
