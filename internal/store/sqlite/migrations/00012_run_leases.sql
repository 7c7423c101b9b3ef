-- A schedule run is its own queue entry, like a message: a runner claims
-- a queued run (or a running one whose lease ran out: its runner died)
-- with a lease, renews the lease while it works, and goes on from the
-- run's cursor. due_at is when the run next needs a runner: at once when
-- queued, when the lease runs out while running.

-- +goose Up
ALTER TABLE schedule_runs ADD COLUMN lease_owner TEXT NOT NULL DEFAULT '';
ALTER TABLE schedule_runs ADD COLUMN due_at INTEGER;
UPDATE schedule_runs SET due_at = started_at WHERE status IN ('queued', 'running');
CREATE INDEX schedule_runs_due ON schedule_runs (due_at) WHERE status IN ('queued', 'running');

-- +goose Down
DROP INDEX schedule_runs_due;
ALTER TABLE schedule_runs DROP COLUMN due_at;
ALTER TABLE schedule_runs DROP COLUMN lease_owner;
