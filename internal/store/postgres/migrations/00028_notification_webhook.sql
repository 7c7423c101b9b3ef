-- The webhook endpoint a notification on the webhook channel posts to.

-- +goose Up
ALTER TABLE notifications ADD COLUMN webhook TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE notifications DROP COLUMN webhook;
