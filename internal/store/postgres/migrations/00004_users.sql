-- Cockpit users (administrators of one workspace each) and their sessions.
-- Sessions live in the database so that replicas share them; the cookie's
-- token is stored only as its SHA-256 hash.

-- +goose Up
CREATE TABLE users (
    id              TEXT        PRIMARY KEY,
    workspace_id    BIGINT      NOT NULL REFERENCES workspaces (id),
    email           TEXT        NOT NULL,
    name            TEXT        NOT NULL DEFAULT '',
    password_hash   TEXT        NOT NULL,
    failed_sign_ins INTEGER     NOT NULL DEFAULT 0,
    locked_until    TIMESTAMPTZ,
    last_sign_in_at TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX users_email ON users (lower(email));
CREATE INDEX users_workspace ON users (workspace_id, email);

CREATE TABLE sessions (
    token_hash   BYTEA       PRIMARY KEY,
    workspace_id BIGINT      NOT NULL,
    user_id      TEXT        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token   TEXT        NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- +goose Down
DROP TABLE sessions;
DROP TABLE users;
