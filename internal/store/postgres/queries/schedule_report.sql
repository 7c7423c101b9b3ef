-- name: ScheduleRunEventInsertMany
INSERT INTO schedule_run_events (run_id, event_id, workspace_id, excluded)
SELECT $1, e, $2, x FROM unnest($3::text[], $4::text[]) AS t (e, x);

-- name: ScheduleRunExcluded
SELECT excluded, COUNT(*) FROM schedule_run_events
WHERE workspace_id = $1 AND run_id = $2 AND excluded <> ''
GROUP BY excluded;

-- name: ScheduleRunMessages
SELECT m.status, m.reason, COUNT(*)
FROM schedule_run_events r JOIN messages m ON m.event_id = r.event_id
WHERE r.workspace_id = $1 AND r.run_id = $2 AND r.excluded = '' AND m.workspace_id = $1
GROUP BY m.status, m.reason;
