-- name: ScheduleExists
SELECT created_at FROM schedules WHERE workspace_id = ? AND key = ?;

-- name: ScheduleInsert
INSERT INTO schedules (workspace_id, key, name, description, enabled, cron, every_minutes, timezone,
                       source_kind, source_collection, condition, exclude, event_type, project_key, role,
                       occurrence_key, leap_day, report_to, report_template, preset, next_run_at,
                       created_at, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: ScheduleUpdate
UPDATE schedules
SET name = ?, description = ?, enabled = ?, cron = ?, every_minutes = ?, timezone = ?, source_kind = ?,
    source_collection = ?, condition = ?, exclude = ?, event_type = ?, project_key = ?, role = ?,
    occurrence_key = ?, leap_day = ?, report_to = ?, report_template = ?, preset = ?, next_run_at = ?,
    updated_at = ?
WHERE workspace_id = ? AND key = ?;

-- name: ScheduleGet
SELECT key, name, description, enabled, cron, every_minutes, timezone, source_kind, source_collection,
       condition, exclude, event_type, project_key, role, occurrence_key, leap_day, report_to,
       report_template, preset, next_run_at, created_at, updated_at
FROM schedules WHERE workspace_id = ? AND key = ?;

-- name: ScheduleList
SELECT key, name, description, enabled, cron, every_minutes, timezone, source_kind, source_collection,
       condition, exclude, event_type, project_key, role, occurrence_key, leap_day, report_to,
       report_template, preset, next_run_at, created_at, updated_at
FROM schedules WHERE workspace_id = ? AND key > ? ORDER BY key LIMIT ?;

-- name: ScheduleDelete
DELETE FROM schedules WHERE workspace_id = ? AND key = ?;

-- name: ScheduleDue
SELECT workspace_id, key FROM schedules
WHERE enabled = 1 AND next_run_at IS NOT NULL AND next_run_at <= ?
ORDER BY next_run_at LIMIT ?;

-- name: ScheduleSetNext
UPDATE schedules SET next_run_at = ?1
WHERE workspace_id = ?2 AND key = ?3 AND ((?4 IS NULL AND next_run_at IS NULL) OR next_run_at = ?4);

-- name: ScheduleRunInsert
INSERT INTO schedule_runs (id, workspace_id, schedule_key, trigger, slot, status, started_at, finished_at,
                           scanned, matched, excluded, emitted, skipped, errors, error_samples, failure,
                           report_message, cursor)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: ScheduleRunUpdate
UPDATE schedule_runs
SET status = ?, finished_at = ?, scanned = ?, matched = ?, excluded = ?, emitted = ?, skipped = ?,
    errors = ?, error_samples = ?, failure = ?, report_message = ?, cursor = ?
WHERE workspace_id = ? AND id = ?;

-- name: ScheduleRunGet
SELECT id, schedule_key, trigger, slot, status, started_at, finished_at, scanned, matched, excluded,
       emitted, skipped, errors, error_samples, failure, report_message, cursor
FROM schedule_runs WHERE workspace_id = ? AND id = ?;

-- name: ScheduleRunList
SELECT id, schedule_key, trigger, slot, status, started_at, finished_at, scanned, matched, excluded,
       emitted, skipped, errors, error_samples, failure, report_message, cursor
FROM schedule_runs
WHERE workspace_id = ?1 AND schedule_key = ?2 AND id < COALESCE(NULLIF(?3, ''), x'ff') -- a blob sorts after any text: no cursor, newest first
ORDER BY id DESC LIMIT ?4;
