-- name: FeedItemByMessage
SELECT seq, version, message_id, category, item, created_at, seen_at, read_at, archived_at, snoozed_until
FROM feed_items WHERE workspace_id = ?1 AND message_id = ?2;

-- name: FeedHeadBump
INSERT INTO feed_heads (workspace_id, contact, last_seq, version) VALUES (?1, ?2, ?3, 1)
ON CONFLICT (workspace_id, contact) DO UPDATE SET last_seq = last_seq + ?3, version = version + 1
RETURNING last_seq, version;

-- name: FeedItemInsert
INSERT INTO feed_items (workspace_id, contact, seq, version, message_id, category, item, created_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
ON CONFLICT (workspace_id, message_id) DO NOTHING;

-- name: FeedList
SELECT seq, version, message_id, category, item, created_at, seen_at, read_at, archived_at, snoozed_until
FROM feed_items
WHERE workspace_id = ?1 AND contact = ?2 AND (?3 = 0 OR seq < ?3)
  AND ((?4 AND archived_at IS NOT NULL)
       OR (NOT ?4 AND archived_at IS NULL AND (snoozed_until IS NULL OR snoozed_until <= ?5)))
ORDER BY seq DESC LIMIT ?6;

-- name: FeedChanges
SELECT seq, version, message_id, category, item, created_at, seen_at, read_at, archived_at, snoozed_until
FROM feed_items WHERE workspace_id = ?1 AND contact = ?2 AND version > ?3
ORDER BY version, seq LIMIT ?4;

-- name: FeedMark
UPDATE feed_items SET
    seen_at = CASE WHEN ?1 IN ('seen', 'read') THEN COALESCE(seen_at, ?2) ELSE seen_at END,
    read_at = CASE ?1 WHEN 'read' THEN COALESCE(read_at, ?2) WHEN 'unread' THEN NULL ELSE read_at END,
    archived_at = CASE ?1 WHEN 'archived' THEN COALESCE(archived_at, ?2) WHEN 'unarchived' THEN NULL ELSE archived_at END,
    snoozed_until = CASE ?1 WHEN 'snoozed' THEN ?3 ELSE snoozed_until END,
    version = ?4
WHERE workspace_id = ?5 AND contact = ?6
  AND (seq IN (SELECT value FROM json_each(?7)) OR seq <= ?8)
  AND CASE ?1
        WHEN 'seen' THEN seen_at IS NULL
        WHEN 'read' THEN read_at IS NULL
        WHEN 'unread' THEN read_at IS NOT NULL
        WHEN 'archived' THEN archived_at IS NULL
        WHEN 'unarchived' THEN archived_at IS NOT NULL
        ELSE snoozed_until IS NOT ?3
      END;

-- name: FeedCounts
SELECT COALESCE(SUM(read_at IS NULL), 0), COALESCE(SUM(seen_at IS NULL), 0),
       (SELECT COALESCE(MAX(version), 0) FROM feed_heads WHERE workspace_id = ?1 AND contact = ?2)
FROM feed_items
WHERE workspace_id = ?1 AND contact = ?2 AND archived_at IS NULL AND (snoozed_until IS NULL OR snoozed_until <= ?3);

-- name: FeedSettingsGet
SELECT secret, previous_secret, origins, updated_at FROM feed_settings WHERE workspace_id = ?;

-- name: FeedSettingsPut
INSERT INTO feed_settings (workspace_id, secret, previous_secret, origins, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
ON CONFLICT (workspace_id) DO UPDATE SET secret = ?2, previous_secret = ?3, origins = ?4, updated_at = ?5;

-- name: FeedPurge
DELETE FROM feed_items WHERE rowid IN (
    SELECT rowid FROM feed_items WHERE workspace_id = ?1 AND created_at < ?2 LIMIT ?3);
