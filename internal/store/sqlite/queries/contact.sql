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
SELECT id, email, name, locale, timezone, attributes, consents, opt_outs, preferences, created_at, updated_at
FROM contacts WHERE workspace_id = ? AND id = ?;

-- name: ContactGetMany
SELECT id, email, name, locale, timezone, attributes, consents, opt_outs, preferences, created_at, updated_at
FROM contacts WHERE workspace_id = ? AND id IN (SELECT value FROM json_each(?));

-- name: ContactList
SELECT id, email, name, locale, timezone, attributes, consents, opt_outs, preferences, created_at, updated_at
FROM contacts WHERE workspace_id = ? AND id > ? ORDER BY id LIMIT ?;

-- name: ContactDelete
DELETE FROM contacts WHERE workspace_id = ? AND id = ?;

-- name: ContactOptOut
UPDATE contacts
SET opt_outs = json_insert(opt_outs, '$[#]', ?), updated_at = ?
WHERE workspace_id = ? AND id = ?
  AND NOT EXISTS (SELECT 1 FROM json_each(contacts.opt_outs) WHERE value = ?);

-- name: ContactScan
-- One page of a schedule's scan: the ?3 contacts after ?2, counted and
-- bounded on the primary key alone (p), of which those whose attribute at
-- the JSON path ?4 is a string YYYY-MM-DD with a month and day in the JSON
-- list ?5 are left out (none when ?4 is NULL), except the page's last,
-- which marks where the page ends. CROSS JOIN keeps p the outer loop.
SELECT c.id, c.email, c.name, c.locale, c.timezone, c.attributes, c.consents, c.opt_outs, c.preferences,
       c.created_at, c.updated_at, p.n
FROM (SELECT count(*) AS n, max(id) AS last
      FROM (SELECT id FROM contacts WHERE workspace_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3)) AS p
CROSS JOIN contacts AS c
WHERE c.workspace_id = ?1 AND c.id > ?2 AND c.id <= p.last
  AND (c.id = p.last OR ?4 IS NULL
       OR (json_extract(c.attributes, ?4) GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'
           AND substr(json_extract(c.attributes, ?4), 6) IN (SELECT value FROM json_each(?5))) IS NOT TRUE)
ORDER BY c.id;

-- name: ContactSearch
SELECT id, email, name, locale, timezone, attributes, consents, opt_outs, preferences, created_at, updated_at
FROM contacts WHERE workspace_id = ?1 AND (name GLOB ?2 OR email GLOB ?2 OR id GLOB ?2)
ORDER BY id LIMIT ?3;

-- name: PreferenceContactSave
UPDATE contacts SET preferences = ?, opt_outs = ?, updated_at = ? WHERE workspace_id = ? AND id = ?;

-- name: PreferenceChangeInsert
INSERT INTO preference_changes (workspace_id, contact_id, category, setting, old_value, new_value, source, actor, at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
RETURNING id;

-- name: PreferenceChangeList
SELECT id, contact_id, category, setting, old_value, new_value, source, actor, at
FROM preference_changes
WHERE workspace_id = ?1 AND contact_id = ?2 AND (?3 = 0 OR id < ?3)
ORDER BY id DESC LIMIT ?4;

-- name: PreferenceStateSet
-- A contact's current preferences as copied from another database.
UPDATE contacts SET preferences = ? WHERE workspace_id = ? AND id = ?;
