-- Cockpit users are unique per workspace, not per installation: the same
-- address may be a user of several workspaces, and adding a user no longer
-- tells one workspace which addresses another uses. The lock-out columns
-- go: sign-ins are throttled in memory per client and account instead.

-- +goose Up
DROP INDEX users_email;
DROP INDEX users_workspace;
ALTER TABLE users DROP COLUMN failed_sign_ins, DROP COLUMN locked_until;
CREATE UNIQUE INDEX users_workspace_email ON users (workspace_id, lower(email));
CREATE INDEX users_email ON users (lower(email));

-- +goose Down
DROP INDEX users_email;
DROP INDEX users_workspace_email;
ALTER TABLE users ADD COLUMN failed_sign_ins INTEGER NOT NULL DEFAULT 0, ADD COLUMN locked_until TIMESTAMPTZ;
CREATE UNIQUE INDEX users_email ON users (lower(email));
CREATE INDEX users_workspace ON users (workspace_id, email);
