-- The CC and BCC copies of a message, one row per address: a person's
-- history (by contact or by address) includes the copies they received,
-- read through these indexes instead of the JSON lists of every message.
-- Written once with the message; deleted with it.

-- +goose Up
CREATE TABLE message_copies (
    message_id   TEXT    NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    workspace_id INTEGER NOT NULL,
    contact      TEXT    NOT NULL DEFAULT '',
    email        TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX message_copies_message ON message_copies (message_id);
CREATE INDEX message_copies_contact ON message_copies (workspace_id, contact, message_id) WHERE contact <> '';
CREATE INDEX message_copies_email ON message_copies (workspace_id, email COLLATE NOCASE, message_id);

INSERT INTO message_copies (message_id, workspace_id, contact, email)
SELECT m.id, m.workspace_id, COALESCE(json_extract(a.value, '$.contact'), ''), COALESCE(json_extract(a.value, '$.email'), '')
FROM messages m, json_each(m.cc) a WHERE m.cc <> '[]'
UNION ALL
SELECT m.id, m.workspace_id, COALESCE(json_extract(a.value, '$.contact'), ''), COALESCE(json_extract(a.value, '$.email'), '')
FROM messages m, json_each(m.bcc) a WHERE m.bcc <> '[]';

-- +goose Down
DROP TABLE message_copies;
