-- Configuration as code: every apply of configuration files (herold
-- apply, or a rollback) is a revision with author and message. A revision
-- keeps the documents the files manage after it, which records ownership
-- (prune deletes only those) and lets drift and rollback compare with
-- what was applied.

-- +goose Up
CREATE TABLE config_revisions (
    workspace_id BIGINT NOT NULL REFERENCES workspaces (id),
    number       BIGINT NOT NULL,
    author       TEXT    NOT NULL,
    message      TEXT    NOT NULL,
    state        TEXT    NOT NULL,
    documents    TEXT    NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, number)
);

-- +goose Down
DROP TABLE config_revisions;
