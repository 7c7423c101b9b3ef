-- A schedule's consent category (checked like a notification's category:
-- opted out or no consent excludes the contact), and which events each run
-- emitted, so a run's report counts what happened to their mail (the
-- messages of these events, by status and reason) and is sent once that
-- mail is done. excluded is why an event was excluded ('' when it was
-- not): exclude, opted_out, no_consent.

-- +goose Up
ALTER TABLE schedules ADD COLUMN consent_category TEXT NOT NULL DEFAULT '';
CREATE TABLE schedule_run_events (
    run_id       TEXT   NOT NULL REFERENCES schedule_runs (id) ON DELETE CASCADE,
    event_id     TEXT   NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    workspace_id INTEGER NOT NULL,
    excluded     TEXT   NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, event_id)
);
CREATE INDEX schedule_run_events_event ON schedule_run_events (event_id);
-- Ended runs whose report waits for their mail (see ScheduleRunsAwaitingReport).
CREATE INDEX schedule_runs_report ON schedule_runs (finished_at) WHERE report_message = '';

-- +goose Down
DROP INDEX schedule_runs_report;
DROP TABLE schedule_run_events;
ALTER TABLE schedules DROP COLUMN consent_category;
