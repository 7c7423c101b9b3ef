-- name: UserInsert
INSERT INTO users (id, workspace_id, email, name, password_hash, last_sign_in_at, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8);

-- name: UserGetByID
SELECT id, workspace_id, email, name, password_hash, last_sign_in_at, created_at, updated_at
FROM users WHERE workspace_id = $1 AND id = $2;

-- name: UserGetByEmail
SELECT id, workspace_id, email, name, password_hash, last_sign_in_at, created_at, updated_at
FROM users WHERE workspace_id = $1 AND lower(email) = lower($2);

-- name: UserListByEmail
SELECT id, workspace_id, email, name, password_hash, last_sign_in_at, created_at, updated_at
FROM users WHERE lower(email) = lower($1) ORDER BY workspace_id;

-- name: UserCount
SELECT count(*) FROM users;

-- name: UserList
SELECT id, workspace_id, email, name, password_hash, last_sign_in_at, created_at, updated_at
FROM users WHERE workspace_id = $1 ORDER BY email;

-- name: UserUpdatePassword
UPDATE users SET password_hash = $1, updated_at = $2
WHERE workspace_id = $3 AND id = $4;

-- name: UserSignedIn
UPDATE users SET last_sign_in_at = $1, updated_at = $1
WHERE workspace_id = $2 AND id = $3;

-- name: UserDelete
DELETE FROM users WHERE workspace_id = $1 AND id = $2;

-- name: SessionInsert
INSERT INTO sessions (token_hash, workspace_id, user_id, csrf_token, created_at, last_seen_at, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7);

-- name: SessionGetByHash
SELECT token_hash, workspace_id, user_id, csrf_token, created_at, last_seen_at, expires_at
FROM sessions WHERE token_hash = $1;

-- name: SessionTouch
UPDATE sessions SET last_seen_at = GREATEST(last_seen_at, $1) WHERE token_hash = $2;

-- name: SessionDelete
DELETE FROM sessions WHERE token_hash = $1;

-- name: SessionDeleteByUser
DELETE FROM sessions WHERE workspace_id = $1 AND user_id = $2;

-- name: SessionPurge
DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at < $2;
