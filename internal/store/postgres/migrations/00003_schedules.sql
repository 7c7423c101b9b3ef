-- Schedules (time rules over contacts or objects) and their runs.

-- +goose Up
CREATE TABLE schedules (
    workspace_id      BIGINT      NOT NULL REFERENCES workspaces (id),
    key               TEXT        NOT NULL,
    name              TEXT        NOT NULL,
    description       TEXT        NOT NULL DEFAULT '',
    enabled           BOOLEAN     NOT NULL,
    cron              TEXT        NOT NULL DEFAULT '',
    every_minutes     INTEGER     NOT NULL DEFAULT 0,
    timezone          TEXT        NOT NULL DEFAULT '',
    source_kind       TEXT        NOT NULL,
    source_collection TEXT        NOT NULL DEFAULT '',
    condition         TEXT        NOT NULL,
    exclude           TEXT        NOT NULL DEFAULT '',
    event_type        TEXT        NOT NULL,
    project_key       TEXT        NOT NULL,
    role              TEXT        NOT NULL DEFAULT '',
    occurrence_key    TEXT        NOT NULL,
    leap_day          TEXT        NOT NULL DEFAULT '',
    report_to         TEXT        NOT NULL DEFAULT '',
    report_template   TEXT        NOT NULL DEFAULT '',
    preset            TEXT        NOT NULL DEFAULT '',
    next_run_at       TIMESTAMPTZ,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, key)
);
CREATE INDEX schedules_due ON schedules (next_run_at) WHERE enabled;

CREATE TABLE schedule_runs (
    id             TEXT        PRIMARY KEY,
    workspace_id   BIGINT      NOT NULL,
    schedule_key   TEXT        NOT NULL,
    trigger        TEXT        NOT NULL,
    slot           TIMESTAMPTZ,
    status         TEXT        NOT NULL,
    started_at     TIMESTAMPTZ NOT NULL,
    finished_at    TIMESTAMPTZ,
    scanned        INTEGER     NOT NULL DEFAULT 0,
    matched        INTEGER     NOT NULL DEFAULT 0,
    excluded       INTEGER     NOT NULL DEFAULT 0,
    emitted        INTEGER     NOT NULL DEFAULT 0,
    skipped        INTEGER     NOT NULL DEFAULT 0,
    errors         INTEGER     NOT NULL DEFAULT 0,
    error_samples  JSONB       NOT NULL DEFAULT '[]',
    failure        TEXT        NOT NULL DEFAULT '',
    report_message TEXT        NOT NULL DEFAULT '',
    FOREIGN KEY (workspace_id, schedule_key) REFERENCES schedules (workspace_id, key) ON DELETE CASCADE
);
CREATE INDEX schedule_runs_schedule ON schedule_runs (workspace_id, schedule_key, id);

-- +goose Down
DROP TABLE schedule_runs;
DROP TABLE schedules;
