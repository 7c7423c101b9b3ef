-- name: SecretInsert
INSERT INTO secrets (name, value, created_at) VALUES (?, ?, ?)
ON CONFLICT (name) DO NOTHING;

-- name: SecretGet
SELECT value FROM secrets WHERE name = ?;
