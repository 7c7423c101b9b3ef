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
SELECT id, email, name, locale, timezone, attributes, consents, opt_outs, preferences, created_at, updated_at
FROM contacts WHERE workspace_id = $1 AND id = $2;

-- name: ContactGetMany
SELECT id, email, name, locale, timezone, attributes, consents, opt_outs, preferences, created_at, updated_at
FROM contacts WHERE workspace_id = $1 AND id = ANY($2::text[]);

-- name: ContactList
SELECT id, email, name, locale, timezone, attributes, consents, opt_outs, preferences, created_at, updated_at
FROM contacts WHERE workspace_id = $1 AND id > $2 ORDER BY id LIMIT $3;

-- name: ContactDelete
DELETE FROM contacts WHERE workspace_id = $1 AND id = $2;

-- name: ContactOptOut
UPDATE contacts
SET opt_outs = opt_outs || jsonb_build_array($3::text), updated_at = $4
WHERE workspace_id = $1 AND id = $2 AND NOT opt_outs @> jsonb_build_array($3::text);

-- name: ContactExists
SELECT EXISTS (SELECT 1 FROM contacts WHERE workspace_id = $1 AND id = $2);

-- name: ContactScan
-- One page of a schedule's scan: the $3 contacts after $2, counted and
-- bounded on the primary key alone (p), of which those whose attribute $4
-- is a string YYYY-MM-DD with a month and day in $5 are left out (none
-- when $4 is NULL), except the page's last, which marks where the page
-- ends.
SELECT c.id, c.email, c.name, c.locale, c.timezone, c.attributes, c.consents, c.opt_outs, c.preferences,
       c.created_at, c.updated_at, p.n
FROM (SELECT count(*) AS n, max(id) AS last
      FROM (SELECT id FROM contacts WHERE workspace_id = $1 AND id > $2 ORDER BY id LIMIT $3) AS ids) AS p
JOIN contacts AS c ON c.workspace_id = $1 AND c.id > $2 AND c.id <= p.last
WHERE c.id = p.last OR $4::text IS NULL
   OR (c.attributes ->> $4::text ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'
       AND substr(c.attributes ->> $4::text, 6) IN (SELECT unnest($5::text[]))) IS NOT TRUE
ORDER BY c.id;

-- name: ContactSearch
SELECT id, email, name, locale, timezone, attributes, consents, opt_outs, preferences, created_at, updated_at
FROM contacts WHERE workspace_id = $1 AND (herold_fold(name) LIKE $2 OR herold_fold(email) LIKE $2 OR herold_fold(id) LIKE $2)
ORDER BY id LIMIT $3;

-- name: PreferenceContactLock
-- A contact, read to change its preferences: the lock orders writers.
SELECT id, email, name, locale, timezone, attributes, consents, opt_outs, preferences, created_at, updated_at
FROM contacts WHERE workspace_id = $1 AND id = $2 FOR UPDATE;

-- name: PreferenceContactSave
UPDATE contacts SET preferences = $1, opt_outs = $2, updated_at = $3 WHERE workspace_id = $4 AND id = $5;

-- name: PreferenceChangeInsert
INSERT INTO preference_changes (workspace_id, contact_id, category, setting, old_value, new_value, source, actor, at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
RETURNING id;

-- name: PreferenceChangeList
SELECT id, contact_id, category, setting, old_value, new_value, source, actor, at
FROM preference_changes
WHERE workspace_id = $1 AND contact_id = $2 AND ($3 = 0 OR id < $3)
ORDER BY id DESC LIMIT $4;

-- name: PreferenceStateSet
-- A contact's current preferences as copied from another database.
UPDATE contacts SET preferences = $1 WHERE workspace_id = $2 AND id = $3;
