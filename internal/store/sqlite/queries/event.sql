-- name: EventInsert
INSERT INTO events (id, workspace_id, type, project_key, object_collection, object_id, contact_id,
                    actors, data, occurred_at, received_at, idempotency_key, source, trace)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: EventGet
SELECT id, type, project_key, object_collection, object_id, contact_id, actors, data, occurred_at,
       received_at, idempotency_key, source, trace
FROM events WHERE workspace_id = ? AND id = ?;

-- name: EventGetByIdempotencyKey
SELECT id, type, project_key, object_collection, object_id, contact_id, actors, data, occurred_at,
       received_at, idempotency_key, source, trace
FROM events WHERE workspace_id = ? AND idempotency_key = ?;

-- name: EventList
SELECT id, type, project_key, object_collection, object_id, contact_id, actors, data, occurred_at,
       received_at, idempotency_key, source, '[]'
FROM events
WHERE workspace_id = ?1
  AND (?2 = '' OR project_key = ?2)
  AND (?3 = '' OR type = ?3)
  AND (?4 = '' OR contact_id = ?4 OR EXISTS (
        SELECT 1 FROM json_each(events.actors) AS r, json_each(r.value) AS c WHERE c.value = ?4))
  AND (?5 IS NULL OR received_at >= ?5)
  AND (?6 IS NULL OR received_at < ?6)
  AND id < COALESCE(NULLIF(?7, ''), x'ff') -- a blob sorts after any text: no cursor, newest first
  AND (?9 = 0 OR NOT EXISTS (SELECT 1 FROM messages m WHERE m.event_id = events.id))
ORDER BY id DESC
LIMIT ?8;

-- name: EventPurge
DELETE FROM events
WHERE id IN (
    SELECT e.id FROM events e
    WHERE e.workspace_id = ?1 AND e.received_at < ?2
      AND NOT EXISTS (
        SELECT 1 FROM messages m
        WHERE m.event_id = e.id
          AND m.status IN ('awaiting_confirmation', 'queued', 'sending', 'retrying'))
    LIMIT ?3);

-- name: EventIdempotencyKeys
SELECT idempotency_key FROM events
WHERE workspace_id = ? AND idempotency_key IN (SELECT value FROM json_each(?));

-- name: EventCountSilent
SELECT COUNT(*) FROM (
  SELECT 1 FROM events
  WHERE workspace_id = ?1 AND received_at >= ?2
    AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.event_id = events.id)
  LIMIT ?3);

-- name: EventSearch
SELECT id, type, project_key, object_collection, object_id, contact_id, actors, data, occurred_at,
       received_at, idempotency_key, source, '[]'
FROM events e
WHERE workspace_id = ?1
  AND (EXISTS (SELECT 1 FROM contacts k WHERE k.workspace_id = ?1 AND k.id = e.contact_id
               AND (k.name GLOB ?2 OR k.email GLOB ?2))
       OR EXISTS (SELECT 1 FROM json_each(e.actors) AS r, json_each(r.value) AS c, contacts k
                  WHERE k.workspace_id = ?1 AND k.id = c.value AND (k.name GLOB ?2 OR k.email GLOB ?2)))
ORDER BY id DESC
LIMIT ?3;
