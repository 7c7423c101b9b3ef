-- name: ScheduleUpsert
INSERT INTO schedules (workspace_id, key, name, description, enabled, cron, every_minutes, timezone,
                       source_kind, source_collection, condition, exclude, event_type, project_key, role,
                       occurrence_key, leap_day, report_to, report_template, preset, next_run_at,
                       created_at, updated_at, consent_category, report_channels)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)
ON CONFLICT (workspace_id, key) DO UPDATE
SET name = excluded.name, description = excluded.description, enabled = excluded.enabled, cron = excluded.cron,
    every_minutes = excluded.every_minutes, timezone = excluded.timezone, source_kind = excluded.source_kind,
    source_collection = excluded.source_collection, condition = excluded.condition, exclude = excluded.exclude,
    event_type = excluded.event_type, project_key = excluded.project_key, role = excluded.role,
    occurrence_key = excluded.occurrence_key, leap_day = excluded.leap_day, report_to = excluded.report_to,
    report_template = excluded.report_template, preset = excluded.preset, next_run_at = excluded.next_run_at,
    consent_category = excluded.consent_category, report_channels = excluded.report_channels,
    updated_at = excluded.updated_at
RETURNING created_at, (xmax = 0);

-- name: ScheduleGet
SELECT key, name, description, enabled, cron, every_minutes, timezone, source_kind, source_collection,
       condition, exclude, event_type, project_key, role, occurrence_key, leap_day, report_to,
       report_template, preset, next_run_at, created_at, updated_at, consent_category, report_channels
FROM schedules WHERE workspace_id = $1 AND key = $2;

-- name: ScheduleList
SELECT key, name, description, enabled, cron, every_minutes, timezone, source_kind, source_collection,
       condition, exclude, event_type, project_key, role, occurrence_key, leap_day, report_to,
       report_template, preset, next_run_at, created_at, updated_at, consent_category, report_channels
FROM schedules WHERE workspace_id = $1 AND key > $2 ORDER BY key LIMIT $3;

-- name: ScheduleDelete
DELETE FROM schedules WHERE workspace_id = $1 AND key = $2;

-- name: ScheduleDue
SELECT workspace_id, key FROM schedules
WHERE enabled AND next_run_at IS NOT NULL AND next_run_at <= $1
ORDER BY next_run_at LIMIT $2;

-- name: ScheduleSetNext
UPDATE schedules SET next_run_at = $1
WHERE workspace_id = $2 AND key = $3 AND next_run_at IS NOT DISTINCT FROM $4::timestamptz;

-- name: ScheduleRunInsert
-- A queued (or running) run is due at once.
INSERT INTO schedule_runs (id, workspace_id, schedule_key, trigger, slot, status, started_at, finished_at,
                           scanned, matched, excluded, emitted, skipped, errors, error_samples, failure,
                           report_message, cursor, due_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
        CASE WHEN $6::text IN ('queued', 'running') THEN $7::timestamptz END);

-- name: ScheduleRunUpdate
-- $15 is the owner whose lease the update needs ('' for none); a run that
-- ends gives up its lease.
UPDATE schedule_runs
SET status = $1, finished_at = $2, scanned = $3, matched = $4, excluded = $5, emitted = $6, skipped = $7,
    errors = $8, error_samples = $9, failure = $10, report_message = $11, cursor = $12,
    lease_owner = CASE WHEN $1::text IN ('queued', 'running') THEN lease_owner ELSE '' END,
    due_at = CASE WHEN $1::text IN ('queued', 'running') THEN due_at END
WHERE workspace_id = $13 AND id = $14 AND ($15::text = '' OR lease_owner = $15::text);

-- name: ScheduleRunClaim
-- $1 owner, $2 lease until, $3 now. One run due at $3; never one of the
-- owner's own leases; concurrent claims skip each other's rows.
WITH due AS (
    SELECT id FROM schedule_runs
    WHERE status IN ('queued', 'running') AND due_at <= $3 AND lease_owner <> $1
    ORDER BY due_at LIMIT 1
    FOR UPDATE SKIP LOCKED
)
UPDATE schedule_runs r
SET status = 'running', lease_owner = $1, due_at = $2,
    started_at = CASE WHEN r.status = 'queued' THEN $3 ELSE r.started_at END
FROM due WHERE r.id = due.id
RETURNING r.workspace_id, r.id, r.schedule_key, r.trigger, r.slot, r.status, r.started_at, r.finished_at,
          r.scanned, r.matched, r.excluded, r.emitted, r.skipped, r.errors, r.error_samples, r.failure,
          r.report_message, r.cursor;

-- name: ScheduleRunNextDue
SELECT due_at FROM schedule_runs
WHERE status IN ('queued', 'running') AND lease_owner <> $1
ORDER BY due_at LIMIT 1;

-- name: ScheduleRunLeaseRenew
UPDATE schedule_runs SET due_at = $1
WHERE workspace_id = $2 AND id = $3 AND status = 'running' AND lease_owner = $4;

-- name: ScheduleRunRelease
UPDATE schedule_runs SET due_at = $1, lease_owner = ''
WHERE workspace_id = $2 AND id = $3 AND status = 'running' AND lease_owner = $4;

-- name: ScheduleRunReleaseOwn
UPDATE schedule_runs SET lease_owner = '', due_at = $3
WHERE status IN ('queued', 'running') AND status = 'running' AND lease_owner = $1
  AND NOT (id = ANY($2::text[]));

-- name: ScheduleRunLeaseExpire
UPDATE schedule_runs SET due_at = $2
WHERE status IN ('queued', 'running') AND status = 'running' AND lease_owner <> $1 AND due_at > $2;

-- name: ScheduleRunGet
SELECT id, schedule_key, trigger, slot, status, started_at, finished_at, scanned, matched, excluded,
       emitted, skipped, errors, error_samples, failure, report_message, cursor
FROM schedule_runs WHERE workspace_id = $1 AND id = $2;

-- name: ScheduleRunList
SELECT id, schedule_key, trigger, slot, status, started_at, finished_at, scanned, matched, excluded,
       emitted, skipped, errors, error_samples, failure, report_message, cursor
FROM schedule_runs
WHERE workspace_id = $1 AND schedule_key = $2 AND ($3 = '' OR id < $3)
ORDER BY id DESC LIMIT $4;
