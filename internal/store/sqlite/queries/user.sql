-- name: UserInsert
INSERT INTO users (id, workspace_id, email, name, password_hash, last_sign_in_at, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?);

-- name: UserGetByID
SELECT id, workspace_id, email, name, password_hash, last_sign_in_at, created_at, updated_at
FROM users WHERE workspace_id = ? AND id = ?;

-- name: UserGetByEmail
SELECT id, workspace_id, email, name, password_hash, last_sign_in_at, created_at, updated_at
FROM users WHERE workspace_id = ? AND email = ?;

-- name: UserListByEmail
SELECT id, workspace_id, email, name, password_hash, last_sign_in_at, created_at, updated_at
FROM users WHERE email = ? ORDER BY workspace_id;

-- name: UserCount
SELECT count(*) FROM users;

-- name: UserList
SELECT id, workspace_id, email, name, password_hash, last_sign_in_at, created_at, updated_at
FROM users WHERE workspace_id = ? ORDER BY email;

-- name: UserUpdatePassword
UPDATE users SET password_hash = ?, updated_at = ?
WHERE workspace_id = ? AND id = ?;

-- name: UserSignedIn
UPDATE users SET last_sign_in_at = ?1, updated_at = ?1
WHERE workspace_id = ?2 AND id = ?3;

-- name: UserDelete
DELETE FROM users WHERE workspace_id = ? AND id = ?;

-- name: SessionInsert
INSERT INTO sessions (token_hash, workspace_id, user_id, csrf_token, created_at, last_seen_at, expires_at)
VALUES (?, ?, ?, ?, ?, ?, ?);

-- name: SessionGetByHash
SELECT token_hash, workspace_id, user_id, csrf_token, created_at, last_seen_at, expires_at
FROM sessions WHERE token_hash = ?;

-- name: SessionTouch
UPDATE sessions SET last_seen_at = MAX(last_seen_at, ?) WHERE token_hash = ?;

-- name: SessionDelete
DELETE FROM sessions WHERE token_hash = ?;

-- name: SessionDeleteByUser
DELETE FROM sessions WHERE workspace_id = ? AND user_id = ?;

-- name: SessionPurge
DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at < ?;
