-- An event's messages are looked up by event and workspace together (a
-- run's report and match list, an event's messages, the counts of the
-- event list). With messages_event on event_id alone, PostgreSQL combined
-- it with a workspace index (BitmapAnd) whenever its statistics were older
-- than the table: during the first large mailing of a new installation,
-- before autovacuum had analysed the growing table, each of the run's
-- 100,000 events then read every index entry of the workspace, and the
-- run's report ran for more than 30 s per request while a core of the
-- database went into it (W2 on PostgreSQL; docs/decisions.md). An index on
-- both columns answers each lookup on its own, whatever the statistics.
-- Queries that name the event alone (the cascade from events) still use
-- it by its first column.

-- +goose Up
DROP INDEX messages_event;
CREATE INDEX messages_event ON messages (event_id, workspace_id);

-- +goose Down
DROP INDEX messages_event;
CREATE INDEX messages_event ON messages (event_id);
