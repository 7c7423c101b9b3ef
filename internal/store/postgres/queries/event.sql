-- name: EventInsert
INSERT INTO events (id, workspace_id, type, project_key, object_collection, object_id, contact_id,
                    actors, data, occurred_at, received_at, idempotency_key, source, trace)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14);

-- name: EventGet
SELECT id, type, project_key, object_collection, object_id, contact_id, actors, data, occurred_at,
       received_at, idempotency_key, source, trace
FROM events WHERE workspace_id = $1 AND id = $2;

-- name: EventGetByIdempotencyKey
SELECT id, type, project_key, object_collection, object_id, contact_id, actors, data, occurred_at,
       received_at, idempotency_key, source, trace
FROM events WHERE workspace_id = $1 AND idempotency_key = $2;

-- name: EventList
SELECT id, type, project_key, object_collection, object_id, contact_id, actors, data, occurred_at,
       received_at, idempotency_key, source, '[]'::jsonb
FROM events
WHERE workspace_id = $1
  AND ($2 = '' OR project_key = $2)
  AND ($3 = '' OR type = $3)
  AND ($4 = '' OR contact_id = $4 OR EXISTS (
        SELECT 1 FROM jsonb_each(events.actors) AS r, jsonb_array_elements_text(r.value) AS c(v)
        WHERE c.v = $4))
  AND ($5::timestamptz IS NULL OR received_at >= $5)
  AND ($6::timestamptz IS NULL OR received_at < $6)
  AND ($7 = '' OR id < $7)
  AND (NOT $9::boolean OR NOT EXISTS (SELECT 1 FROM messages m WHERE m.event_id = events.id))
ORDER BY id DESC
LIMIT $8;

-- name: EventPurge
DELETE FROM events
WHERE id IN (
    SELECT e.id FROM events e
    WHERE e.workspace_id = $1 AND e.received_at < $2
      AND NOT EXISTS (
        SELECT 1 FROM messages m
        WHERE m.event_id = e.id
          AND m.status IN ('awaiting_confirmation', 'queued', 'sending', 'retrying'))
    LIMIT $3);

-- name: EventIdempotencyKeys
SELECT idempotency_key FROM events
WHERE workspace_id = $1 AND idempotency_key = ANY($2::text[]);

-- name: EventInsertMany
INSERT INTO events (workspace_id, id, type, project_key, object_collection, object_id, contact_id,
                    actors, data, occurred_at, received_at, idempotency_key, source, trace)
SELECT $1, r.id, r.type, r.project_key, r.object_collection, r.object_id, r.contact_id,
       r.actors::jsonb, r.data::jsonb, r.occurred_at, r.received_at, r.idempotency_key, r.source, r.trace::jsonb
FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
            $10::timestamptz[], $11::timestamptz[], $12::text[], $13::text[], $14::text[])
     AS r(id, type, project_key, object_collection, object_id, contact_id, actors, data, occurred_at,
          received_at, idempotency_key, source, trace);

-- name: EventCountSilent
SELECT COUNT(*) FROM (
  SELECT 1 FROM events
  WHERE workspace_id = $1 AND received_at >= $2
    AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.event_id = events.id)
  LIMIT $3) AS silent;

-- name: EventSearch
SELECT id, type, project_key, object_collection, object_id, contact_id, actors, data, occurred_at,
       received_at, idempotency_key, source, '[]'::jsonb
FROM events e
WHERE workspace_id = $1
  AND (EXISTS (SELECT 1 FROM contacts k WHERE k.workspace_id = $1 AND k.id = e.contact_id
               AND (herold_fold(k.name) LIKE $2 OR herold_fold(k.email) LIKE $2))
       OR EXISTS (SELECT 1 FROM jsonb_each(e.actors) AS r, jsonb_array_elements_text(r.value) AS c(v), contacts k
                  WHERE k.workspace_id = $1 AND k.id = c.v AND (herold_fold(k.name) LIKE $2 OR herold_fold(k.email) LIKE $2)))
ORDER BY id DESC
LIMIT $3;
