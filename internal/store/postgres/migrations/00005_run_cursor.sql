-- A schedule run remembers how far it got, so that a long run proceeds in
-- slices (each a short job) and a run whose worker died resumes where its
-- last committed page ended.

-- +goose Up
ALTER TABLE schedule_runs ADD COLUMN cursor TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE schedule_runs DROP COLUMN cursor;
