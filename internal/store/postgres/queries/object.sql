-- name: ObjectUpsert
INSERT INTO objects (workspace_id, collection, id, attributes, contacts, subscribers,
                     created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (workspace_id, collection, id) DO UPDATE
SET attributes = excluded.attributes, contacts = excluded.contacts,
    updated_at = excluded.updated_at,
    -- Without subscribers in the request (nil), the stored watchers stay:
    -- host apps sync objects and add watchers one by one (WatcherAdd).
    subscribers = CASE WHEN $9 THEN objects.subscribers ELSE excluded.subscribers END
RETURNING created_at, (xmax = 0), subscribers;

-- name: ObjectGet
SELECT collection, id, attributes, contacts, subscribers, created_at, updated_at
FROM objects WHERE workspace_id = $1 AND collection = $2 AND id = $3;

-- name: ObjectList
SELECT collection, id, attributes, contacts, subscribers, created_at, updated_at
FROM objects WHERE workspace_id = $1 AND collection = $2 AND id > $3 ORDER BY id LIMIT $4;

-- name: ObjectDelete
DELETE FROM objects WHERE workspace_id = $1 AND collection = $2 AND id = $3;

-- name: ObjectCollections
SELECT DISTINCT collection FROM objects WHERE workspace_id = $1 ORDER BY collection;
