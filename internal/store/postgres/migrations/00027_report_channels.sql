-- The channels a schedule's run report goes out on, stored like a
-- notification's channels: "email" (also ''), "inapp" (the report_to
-- contact's feed) or "email,inapp".

-- +goose Up
ALTER TABLE schedules ADD COLUMN report_channels TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE schedules DROP COLUMN report_channels;
