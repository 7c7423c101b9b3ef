-- name: WatcherAdd
-- Appends ? to the object's watchers unless listed already or the list
-- holds ? (MaxWatchers). One statement on the one writer: concurrent adds
-- and removes cannot lose each other.
UPDATE objects
SET subscribers = json_insert(subscribers, '$[#]', ?), updated_at = ?
WHERE workspace_id = ? AND collection = ? AND id = ?
  AND json_array_length(subscribers) < ?
  AND NOT EXISTS (SELECT 1 FROM json_each(objects.subscribers) WHERE value = ?);

-- name: WatcherRemove
-- Rewrites the list without ?, keeping the others in their order.
UPDATE objects
SET subscribers = (SELECT json_group_array(value)
                   FROM (SELECT value FROM json_each(objects.subscribers) WHERE value <> ? ORDER BY key)),
    updated_at = ?
WHERE workspace_id = ? AND collection = ? AND id = ?
  AND EXISTS (SELECT 1 FROM json_each(objects.subscribers) WHERE value = ?);

-- name: WatchedList
SELECT collection, id FROM objects
WHERE workspace_id = ? AND (collection, id) > (?, ?)
  AND EXISTS (SELECT 1 FROM json_each(objects.subscribers) WHERE value = ?)
ORDER BY collection, id LIMIT ?;
