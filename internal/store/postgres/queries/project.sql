-- name: ProjectUpsert
INSERT INTO projects (workspace_id, key, name, flow_key, members, attributes, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (workspace_id, key) DO UPDATE
SET name = excluded.name, flow_key = excluded.flow_key, members = excluded.members,
    attributes = excluded.attributes, updated_at = excluded.updated_at
RETURNING created_at, (xmax = 0);

-- name: ProjectGet
SELECT key, name, flow_key, members, attributes, created_at, updated_at
FROM projects WHERE workspace_id = $1 AND key = $2;

-- name: ProjectList
SELECT key, name, flow_key, members, attributes, created_at, updated_at
FROM projects WHERE workspace_id = $1 AND key > $2 ORDER BY key LIMIT $3;

-- name: ProjectDelete
DELETE FROM projects WHERE workspace_id = $1 AND key = $2;
