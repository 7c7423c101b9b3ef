-- name: ScheduleRunEventInsert
INSERT INTO schedule_run_events (run_id, event_id, workspace_id, excluded) VALUES (?, ?, ?, ?);

-- name: ScheduleRunExcluded
SELECT excluded, COUNT(*) FROM schedule_run_events
WHERE workspace_id = ?1 AND run_id = ?2 AND excluded <> ''
GROUP BY excluded;

-- name: ScheduleRunMessages
SELECT m.status, CASE WHEN m.status = 'suppressed' THEN m.reason ELSE '' END AS why, COUNT(*)
FROM schedule_run_events r JOIN messages m ON m.event_id = r.event_id
WHERE r.workspace_id = ?1 AND r.run_id = ?2 AND r.excluded = '' AND +m.workspace_id = ?1 -- the run's events first, not the workspace's messages
GROUP BY m.status, why;

-- name: ScheduleRunsAwaitingReport
SELECT r.workspace_id, r.id, r.schedule_key, r.trigger, r.slot, r.status, r.started_at, r.finished_at, r.scanned,
       r.matched, r.excluded, r.emitted, r.skipped, r.errors, r.error_samples, r.failure, r.report_message, r.cursor
FROM schedule_runs r JOIN schedules s ON s.workspace_id = r.workspace_id AND s.key = r.schedule_key
WHERE r.finished_at >= ? AND r.status IN ('finished', 'failed') AND r.report_message = '' AND s.report_to <> ''
ORDER BY r.finished_at LIMIT ?;
