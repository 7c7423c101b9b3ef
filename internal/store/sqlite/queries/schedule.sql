-- name: ScheduleExists
SELECT created_at FROM schedules WHERE workspace_id = ? AND key = ?;

-- name: ScheduleInsert
INSERT INTO schedules (workspace_id, key, name, description, enabled, cron, every_minutes, timezone,
                       source_kind, source_collection, condition, exclude, event_type, project_key, role,
                       occurrence_key, leap_day, report_to, report_template, preset, next_run_at,
                       created_at, updated_at, consent_category, report_channels)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?);

-- name: ScheduleUpdate
UPDATE schedules
SET name = ?, description = ?, enabled = ?, cron = ?, every_minutes = ?, timezone = ?, source_kind = ?,
    source_collection = ?, condition = ?, exclude = ?, event_type = ?, project_key = ?, role = ?,
    occurrence_key = ?, leap_day = ?, report_to = ?, report_template = ?, preset = ?, next_run_at = ?,
    updated_at = ?, consent_category = ?, report_channels = ?
WHERE workspace_id = ? AND key = ?;

-- name: ScheduleGet
SELECT key, name, description, enabled, cron, every_minutes, timezone, source_kind, source_collection,
       condition, exclude, event_type, project_key, role, occurrence_key, leap_day, report_to,
       report_template, preset, next_run_at, created_at, updated_at, consent_category, report_channels
FROM schedules WHERE workspace_id = ? AND key = ?;

-- name: ScheduleList
SELECT key, name, description, enabled, cron, every_minutes, timezone, source_kind, source_collection,
       condition, exclude, event_type, project_key, role, occurrence_key, leap_day, report_to,
       report_template, preset, next_run_at, created_at, updated_at, consent_category, report_channels
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
-- A queued (or running) run is due at once.
INSERT INTO schedule_runs (id, workspace_id, schedule_key, trigger, slot, status, started_at, finished_at,
                           scanned, matched, excluded, emitted, skipped, errors, error_samples, failure,
                           report_message, cursor, due_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
        CASE WHEN ?6 IN ('queued', 'running') THEN ?7 END);

-- name: ScheduleRunUpdate
-- ?15 is the owner whose lease the update needs ('' for none); a run that
-- ends gives up its lease.
UPDATE schedule_runs
SET status = ?1, finished_at = ?2, scanned = ?3, matched = ?4, excluded = ?5, emitted = ?6, skipped = ?7,
    errors = ?8, error_samples = ?9, failure = ?10, report_message = ?11, cursor = ?12,
    lease_owner = CASE WHEN ?1 IN ('queued', 'running') THEN lease_owner ELSE '' END,
    due_at = CASE WHEN ?1 IN ('queued', 'running') THEN due_at END
WHERE workspace_id = ?13 AND id = ?14 AND (?15 = '' OR lease_owner = ?15);

-- name: ScheduleRunClaim
-- ?1 owner, ?2 lease until, ?3 now. One run due at ?3, through
-- schedule_runs_due; never one of the owner's own leases.
UPDATE schedule_runs
SET status = 'running', lease_owner = ?1, due_at = ?2,
    started_at = CASE WHEN status = 'queued' THEN ?3 ELSE started_at END
WHERE id = (SELECT id FROM schedule_runs
            WHERE status IN ('queued', 'running') AND due_at <= ?3 AND lease_owner <> ?1
            ORDER BY due_at LIMIT 1)
RETURNING workspace_id, id, schedule_key, trigger, slot, status, started_at, finished_at, scanned, matched,
          excluded, emitted, skipped, errors, error_samples, failure, report_message, cursor;

-- name: ScheduleRunNextDue
SELECT due_at FROM schedule_runs
WHERE status IN ('queued', 'running') AND lease_owner <> ?
ORDER BY due_at LIMIT 1;

-- name: ScheduleRunLeaseRenew
UPDATE schedule_runs SET due_at = ?1
WHERE workspace_id = ?2 AND id = ?3 AND status = 'running' AND lease_owner = ?4;

-- name: ScheduleRunRelease
UPDATE schedule_runs SET due_at = ?1, lease_owner = ''
WHERE workspace_id = ?2 AND id = ?3 AND status = 'running' AND lease_owner = ?4;

-- name: ScheduleRunReleaseOwn
UPDATE schedule_runs SET lease_owner = '', due_at = ?3
WHERE status IN ('queued', 'running') AND status = 'running' AND lease_owner = ?1
  AND id NOT IN (SELECT value FROM json_each(?2));

-- name: ScheduleRunLeaseExpire
UPDATE schedule_runs SET due_at = ?2
WHERE status IN ('queued', 'running') AND status = 'running' AND lease_owner <> ?1 AND due_at > ?2;

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
