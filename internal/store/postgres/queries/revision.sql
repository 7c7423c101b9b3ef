-- name: ConfigRevisionInsert
INSERT INTO config_revisions (workspace_id, number, author, message, state, documents, created_at)
SELECT $1::bigint, COALESCE(MAX(number), 0) + 1, $2::text, $3::text, $4::text, $5::text, $6::timestamptz FROM config_revisions WHERE workspace_id = $1
RETURNING number;

-- name: ConfigRevisionGet
SELECT number, author, message, state, documents, created_at FROM config_revisions
WHERE workspace_id = $1 AND number = $2;

-- name: ConfigRevisionLatest
SELECT number, author, message, state, documents, created_at FROM config_revisions
WHERE workspace_id = $1 ORDER BY number DESC LIMIT 1;

-- name: ConfigRevisionList
SELECT number, author, message, state, '', created_at FROM config_revisions
WHERE workspace_id = $1 AND ($2::bigint = 0 OR number < $2::bigint) ORDER BY number DESC LIMIT $3;
