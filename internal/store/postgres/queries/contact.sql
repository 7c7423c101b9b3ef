-- name: ContactUpsert
INSERT INTO contacts (workspace_id, id, email, name, locale, timezone, attributes, consents,
                      opt_outs, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT (workspace_id, id) DO UPDATE
SET email = excluded.email, name = excluded.name, locale = excluded.locale,
    timezone = excluded.timezone, attributes = excluded.attributes,
    consents = excluded.consents, updated_at = excluded.updated_at,
    -- Without opt-outs in the request (nil), the stored ones stay: they are
    -- the recipients' own (one-click unsubscribe), not the host app's.
    opt_outs = CASE WHEN $12 THEN contacts.opt_outs ELSE excluded.opt_outs END
RETURNING created_at, (xmax = 0), opt_outs;

-- name: ContactGet
SELECT id, email, name, locale, timezone, attributes, consents, opt_outs, created_at, updated_at
FROM contacts WHERE workspace_id = $1 AND id = $2;

-- name: ContactGetMany
SELECT id, email, name, locale, timezone, attributes, consents, opt_outs, created_at, updated_at
FROM contacts WHERE workspace_id = $1 AND id = ANY($2::text[]);

-- name: ContactList
SELECT id, email, name, locale, timezone, attributes, consents, opt_outs, created_at, updated_at
FROM contacts WHERE workspace_id = $1 AND id > $2 ORDER BY id LIMIT $3;

-- name: ContactDelete
DELETE FROM contacts WHERE workspace_id = $1 AND id = $2;

-- name: ContactOptOut
UPDATE contacts
SET opt_outs = opt_outs || jsonb_build_array($3::text), updated_at = $4
WHERE workspace_id = $1 AND id = $2 AND NOT opt_outs @> jsonb_build_array($3::text);

-- name: ContactExists
SELECT EXISTS (SELECT 1 FROM contacts WHERE workspace_id = $1 AND id = $2);
