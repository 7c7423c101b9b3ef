-- The preference ledger: every change of a contact's preference (a
-- channel of a category opted in or out, or a category's frequency), who
-- made it, when, and the value before and after. contacts.preferences is
-- the state derived from it (model.Preference list, JSON): the last
-- change per category and setting, which the planner reads.

-- +goose Up
ALTER TABLE contacts ADD COLUMN preferences TEXT NOT NULL DEFAULT '[]';

CREATE TABLE preference_changes (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id INTEGER NOT NULL,
    contact_id   TEXT    NOT NULL,
    category     TEXT    NOT NULL,
    setting      TEXT    NOT NULL,
    old_value    TEXT    NOT NULL,
    new_value    TEXT    NOT NULL,
    source       TEXT    NOT NULL,
    actor        TEXT    NOT NULL DEFAULT '',
    at           INTEGER NOT NULL,
    FOREIGN KEY (workspace_id, contact_id) REFERENCES contacts (workspace_id, id) ON DELETE CASCADE
);
CREATE INDEX preference_changes_contact ON preference_changes (workspace_id, contact_id, id);

-- +goose Down
DROP TABLE preference_changes;
ALTER TABLE contacts DROP COLUMN preferences;
