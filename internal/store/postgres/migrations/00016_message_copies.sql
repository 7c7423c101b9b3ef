-- The CC and BCC copies of a message, one row per address: a person's
-- history (by contact or by address) includes the copies they received,
-- read through these indexes instead of the JSON lists of every message.
-- Written once with the message; deleted with it.

-- +goose Up
CREATE TABLE message_copies (
    message_id   TEXT   NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    workspace_id BIGINT NOT NULL,
    contact      TEXT   NOT NULL DEFAULT '',
    email        TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX message_copies_message ON message_copies (message_id);
CREATE INDEX message_copies_contact ON message_copies (workspace_id, contact, message_id) WHERE contact <> '';
CREATE INDEX message_copies_email ON message_copies (workspace_id, lower(email), message_id);

INSERT INTO message_copies (message_id, workspace_id, contact, email)
SELECT m.id, m.workspace_id, COALESCE(a->>'contact', ''), COALESCE(a->>'email', '')
FROM messages m, jsonb_array_elements(m.cc || m.bcc) a
WHERE m.cc <> '[]'::jsonb OR m.bcc <> '[]'::jsonb;

-- +goose Down
DROP TABLE message_copies;
