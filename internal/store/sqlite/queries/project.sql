-- name: ProjectExists
SELECT created_at FROM projects WHERE workspace_id = ? AND key = ?;

-- name: ProjectInsert
INSERT INTO projects (workspace_id, key, name, flow_key, members, attributes, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?);

-- name: ProjectUpdate
UPDATE projects SET name = ?, flow_key = ?, members = ?, attributes = ?, updated_at = ?
WHERE workspace_id = ? AND key = ?;

-- name: ProjectGet
SELECT key, name, flow_key, members, attributes, created_at, updated_at
FROM projects WHERE workspace_id = ? AND key = ?;

-- name: ProjectList
SELECT key, name, flow_key, members, attributes, created_at, updated_at
FROM projects WHERE workspace_id = ? AND key > ? ORDER BY key LIMIT ?;

-- name: ProjectDelete
DELETE FROM projects WHERE workspace_id = ? AND key = ?;
