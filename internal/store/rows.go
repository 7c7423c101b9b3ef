package store

import (
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store/dbutil"
)

// On SQLite every write transaction takes its turn on the one writer, so
// whatever a transaction computes there keeps every other writer waiting.
// EventRow and MessageRow carry the columns that take real work to encode
// (JSON, above all the events' traces and the messages' timelines), so that
// a caller encodes them before its transaction, on any core, and the
// transaction only binds them. They are strings, as both drivers bind
// JSON columns (a []byte would be a BLOB to SQLite). The stored bytes are those the per-model
// inserts (EventInsertMany, MessageInsertMany) store: they encode with
// these same functions.

// EventRow is an event with its JSON columns encoded (see EncodeEvents).
type EventRow struct {
	Event               *model.Event
	Actors, Data, Trace string
}

// EncodeEvents encodes the JSON columns of events.
func EncodeEvents(es []*model.Event) []EventRow {
	rows := make([]EventRow, len(es))
	for i, e := range es {
		rows[i] = EventRow{Event: e, Actors: string(dbutil.Map(e.Actors)), Data: string(dbutil.Map(e.Data)),
			Trace: string(dbutil.Steps(e.Trace))}
	}
	return rows
}

// MessageRow is a message with its encoded columns: its copies, its
// timeline and its content row's html (see dbutil.ContentHTML).
type MessageRow struct {
	Message           *model.Message
	CC, BCC, Timeline string
	HTML              string
}

// EncodeMessages encodes the columns of messages that take work.
func EncodeMessages(ms []*model.Message) []MessageRow {
	rows := make([]MessageRow, len(ms))
	for i, m := range ms {
		rows[i] = MessageRow{Message: m, CC: string(dbutil.List(m.CC)), BCC: string(dbutil.List(m.BCC)),
			Timeline: string(dbutil.Timeline(m.Timeline)), HTML: dbutil.ContentHTML(m)}
	}
	return rows
}
