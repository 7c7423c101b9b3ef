-- Cockpit users are unique per workspace, not per installation: the same
-- address may be a user of several workspaces, and adding a user no longer
-- tells one workspace which addresses another uses. The lock-out columns
-- go: sign-ins are throttled in memory per client and account instead.
--
-- SQLite cannot drop a column constraint, so users is rebuilt. sessions is
-- rebuilt with it, pointing at the new table before the old one is
-- dropped, so that dropping users neither cascades into sessions nor ends
-- anyone's session; renaming users_new updates that reference.

-- +goose Up
CREATE TABLE users_new (
    id              TEXT    PRIMARY KEY,
    workspace_id    INTEGER NOT NULL REFERENCES workspaces (id),
    email           TEXT    NOT NULL COLLATE NOCASE,
    name            TEXT    NOT NULL DEFAULT '',
    password_hash   TEXT    NOT NULL,
    last_sign_in_at INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (workspace_id, email)
);
INSERT INTO users_new (id, workspace_id, email, name, password_hash, last_sign_in_at, created_at, updated_at)
SELECT id, workspace_id, email, name, password_hash, last_sign_in_at, created_at, updated_at FROM users;

CREATE TABLE sessions_new (
    token_hash   BLOB    PRIMARY KEY,
    workspace_id INTEGER NOT NULL,
    user_id      TEXT    NOT NULL REFERENCES users_new (id) ON DELETE CASCADE,
    csrf_token   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
INSERT INTO sessions_new SELECT token_hash, workspace_id, user_id, csrf_token, created_at, last_seen_at, expires_at
FROM sessions;

DROP TABLE sessions;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
ALTER TABLE sessions_new RENAME TO sessions;
CREATE INDEX users_email ON users (email);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- +goose Down
-- The old schema's meaning without a rebuild: the global uniqueness as an
-- index (case-insensitive through the column's collation), which fails
-- while an address has users in several workspaces.
DROP INDEX users_email;
CREATE UNIQUE INDEX users_email ON users (email);
CREATE INDEX users_workspace ON users (workspace_id, email);
ALTER TABLE users ADD COLUMN failed_sign_ins INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until INTEGER;
