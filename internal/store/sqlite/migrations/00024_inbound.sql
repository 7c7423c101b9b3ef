-- Inbound mail: the suppression list, the addresses a workspace does not
-- mail, with the evidence that put them there (a bounce's reply, a
-- complaint, an administrator's note) and an optional expiry.

-- +goose Up
CREATE TABLE suppressions (
    workspace_id INTEGER NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    email        TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    evidence     TEXT    NOT NULL DEFAULT '',
    message_id   TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER,
    PRIMARY KEY (workspace_id, email)
);

-- +goose Down
DROP TABLE suppressions;
