-- When a workspace's daily and weekly summaries are sent
-- (model.SummarySchedule, JSON: {"at": "17:30", "weekday": "friday"});
-- '{}' keeps the defaults, 08:00 on Mondays.

-- +goose Up
ALTER TABLE workspaces ADD COLUMN summary_schedule TEXT NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE workspaces DROP COLUMN summary_schedule;
