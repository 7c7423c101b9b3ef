-- name: ScheduleRunMatchList
SELECT r.event_id, r.excluded, e.contact_id, COALESCE(c.name, ''), COALESCE(c.email, ''), e.object_collection, e.object_id
FROM schedule_run_events r
JOIN events e ON e.id = r.event_id AND e.workspace_id = ?1
LEFT JOIN contacts c ON c.workspace_id = ?1 AND c.id = e.contact_id AND e.contact_id <> ''
WHERE r.workspace_id = ?1 AND r.run_id = ?2 AND r.event_id > ?3
  AND (?4 = 0 OR r.excluded <> '')
  AND (?5 = '[]' OR (r.excluded = '' AND EXISTS (
      SELECT 1 FROM messages m WHERE m.event_id = r.event_id AND +m.workspace_id = ?1 -- + keeps it on messages_event
        AND m.status IN (SELECT value FROM json_each(?5)))))
ORDER BY r.event_id
LIMIT ?6;

-- name: ScheduleRunMatchMessages
SELECT event_id, id, status, reason, channel, to_email, to_name FROM messages
WHERE workspace_id = ?1 AND event_id IN (SELECT value FROM json_each(?2))
ORDER BY event_id, id;
