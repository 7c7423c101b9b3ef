-- name: SecretInsert
INSERT INTO secrets (name, value, created_at) VALUES ($1, $2, $3)
ON CONFLICT (name) DO NOTHING;

-- name: SecretGet
SELECT value FROM secrets WHERE name = $1;
