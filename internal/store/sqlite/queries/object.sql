-- name: ObjectExists
SELECT created_at FROM objects WHERE workspace_id = ? AND collection = ? AND id = ?;

-- name: ObjectUpsert
INSERT INTO objects (workspace_id, collection, id, attributes, contacts, subscribers,
                     created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (workspace_id, collection, id) DO UPDATE
SET attributes = excluded.attributes, contacts = excluded.contacts,
    updated_at = excluded.updated_at,
    -- Without subscribers in the request (nil), the stored watchers stay:
    -- host apps sync objects and add watchers one by one (WatcherAdd).
    subscribers = CASE WHEN ? THEN objects.subscribers ELSE excluded.subscribers END
RETURNING created_at, subscribers;

-- name: ObjectGet
SELECT collection, id, attributes, contacts, subscribers, created_at, updated_at
FROM objects WHERE workspace_id = ? AND collection = ? AND id = ?;

-- name: ObjectList
SELECT collection, id, attributes, contacts, subscribers, created_at, updated_at
FROM objects WHERE workspace_id = ? AND collection = ? AND id > ? ORDER BY id LIMIT ?;

-- name: ObjectDelete
DELETE FROM objects WHERE workspace_id = ? AND collection = ? AND id = ?;

-- name: ObjectCollections
SELECT DISTINCT collection FROM objects WHERE workspace_id = ? ORDER BY collection;
