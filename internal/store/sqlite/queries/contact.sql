-- name: ContactExists
SELECT created_at FROM contacts WHERE workspace_id = ? AND id = ?;

-- name: ContactUpsert
INSERT INTO contacts (workspace_id, id, email, name, locale, timezone, attributes, consents,
                      opt_outs, created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (workspace_id, id) DO UPDATE
SET email = excluded.email, name = excluded.name, locale = excluded.locale,
    timezone = excluded.timezone, attributes = excluded.attributes,
    consents = excluded.consents, updated_at = excluded.updated_at,
    -- Without opt-outs in the request (nil), the stored ones stay: they are
    -- the recipients' own (one-click unsubscribe), not the host app's.
    opt_outs = CASE WHEN ? THEN contacts.opt_outs ELSE excluded.opt_outs END
RETURNING created_at, opt_outs;

-- name: ContactGet
SELECT id, email, name, locale, timezone, attributes, consents, opt_outs, created_at, updated_at
FROM contacts WHERE workspace_id = ? AND id = ?;

-- name: ContactGetMany
SELECT id, email, name, locale, timezone, attributes, consents, opt_outs, created_at, updated_at
FROM contacts WHERE workspace_id = ? AND id IN (SELECT value FROM json_each(?));

-- name: ContactList
SELECT id, email, name, locale, timezone, attributes, consents, opt_outs, created_at, updated_at
FROM contacts WHERE workspace_id = ? AND id > ? ORDER BY id LIMIT ?;

-- name: ContactDelete
DELETE FROM contacts WHERE workspace_id = ? AND id = ?;

-- name: ContactOptOut
UPDATE contacts
SET opt_outs = json_insert(opt_outs, '$[#]', ?), updated_at = ?
WHERE workspace_id = ? AND id = ?
  AND NOT EXISTS (SELECT 1 FROM json_each(contacts.opt_outs) WHERE value = ?);
