-- name: ConfigRevisionInsert
INSERT INTO config_revisions (workspace_id, number, author, message, state, documents, created_at)
SELECT ?1, COALESCE(MAX(number), 0) + 1, ?2, ?3, ?4, ?5, ?6 FROM config_revisions WHERE workspace_id = ?1
RETURNING number;

-- name: ConfigRevisionGet
SELECT number, author, message, state, documents, created_at FROM config_revisions
WHERE workspace_id = ? AND number = ?;

-- name: ConfigRevisionLatest
SELECT number, author, message, state, documents, created_at FROM config_revisions
WHERE workspace_id = ? ORDER BY number DESC LIMIT 1;

-- name: ConfigRevisionList
SELECT number, author, message, state, '', created_at FROM config_revisions
WHERE workspace_id = ? AND (? = 0 OR number < ?) ORDER BY number DESC LIMIT ?;
