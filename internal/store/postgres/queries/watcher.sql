-- name: WatcherAdd
-- Appends $4 to the object's watchers unless listed already or the list
-- holds $6 (MaxWatchers). A concurrent writer of the same row waits for
-- the row lock and then re-checks the WHERE on the row as committed, so
-- concurrent adds and removes cannot lose each other.
UPDATE objects
SET subscribers = subscribers || jsonb_build_array($4::text), updated_at = $5
WHERE workspace_id = $1 AND collection = $2 AND id = $3
  AND jsonb_array_length(subscribers) < $6
  AND NOT subscribers @> jsonb_build_array($4::text);

-- name: WatcherRemove
UPDATE objects
SET subscribers = subscribers - $4::text, updated_at = $5
WHERE workspace_id = $1 AND collection = $2 AND id = $3
  AND subscribers @> jsonb_build_array($4::text);

-- name: ObjectExists
SELECT EXISTS (SELECT 1 FROM objects WHERE workspace_id = $1 AND collection = $2 AND id = $3);

-- name: WatchedList
SELECT collection, id FROM objects
WHERE workspace_id = $1 AND subscribers @> jsonb_build_array($2::text)
  AND (collection, id) > ($3, $4)
ORDER BY collection, id LIMIT $5;
