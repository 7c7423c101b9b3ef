package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// Events and messages are inserted many at a time (a schedule run stores
// 500 of each per transaction) with one INSERT … SELECT FROM unnest(…) per
// table: the rows travel column by column as arrays, and PostgreSQL
// executes one statement per table instead of parsing, binding and
// executing one per row. JSON columns travel as text and are cast to
// jsonb, as a single row's parameter would be parsed; times as
// timestamptz, NULL where the model has none. A unique violation (an
// idempotency key already used) fails the whole statement, and so the
// whole insert, with store.ErrConflict.

// EventInsertMany inserts the events with one statement.
func (q queriesImpl) EventInsertMany(ctx context.Context, ws int64, es []*model.Event) error {
	return q.EventInsertRows(ctx, ws, store.EncodeEvents(es))
}

// EventInsertRows implements store.PipelineQueries.
func (q queriesImpl) EventInsertRows(ctx context.Context, ws int64, rows []store.EventRow) error {
	if len(rows) == 0 {
		return nil
	}
	n := len(rows)
	ids, types, projects, colls, objIDs := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	contacts, actors, data, sources, traces := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	occurred, received := make([]time.Time, n), make([]time.Time, n)
	keys := make([]*string, n)
	for i, r := range rows {
		e := r.Event
		if e.Object != nil {
			colls[i], objIDs[i] = e.Object.Collection, e.Object.ID
		}
		ids[i], types[i], projects[i], contacts[i], sources[i] = e.ID, e.Type, e.Project, e.Contact, string(e.Source)
		actors[i], data[i], traces[i] = r.Actors, r.Data, r.Trace
		occurred[i], received[i], keys[i] = e.OccurredAt, e.ReceivedAt, nullString(e.IdempotencyKey)
	}
	_, err := q.db.Exec(ctx, query("EventInsertMany"), ws, ids, types, projects, colls, objIDs, contacts, actors, data,
		occurred, received, keys, sources, traces)
	return mapErr(err)
}

// MessageInsertMany inserts the messages and their rendered bodies with
// one statement each, sent together.
func (q queriesImpl) MessageInsertMany(ctx context.Context, ws int64, ms []*model.Message) error {
	return q.MessageInsertRows(ctx, ws, "", time.Time{}, store.EncodeMessages(ms))
}

// MessageInsertClaimed inserts queued messages already claimed by owner.
func (q queriesImpl) MessageInsertClaimed(ctx context.Context, ws int64, owner string, until time.Time, ms []*model.Message) error {
	return q.MessageInsertRows(ctx, ws, owner, until, store.EncodeMessages(ms))
}

// messageColumns are the per-row columns of messages inserted together,
// in the order of the MessageInsertMany query's parameters ($3 on).
type messageColumns struct {
	ids, events, eventTypes, projects, flows, notifications, templates, channels, categories, locales []string
	toContacts, toEmails, toNames, cc, bcc, froms, replyTos, subjects, messageIDs, statuses           []string
	reasons, lastReplies, timelines, htmls, texts                                                     []string
	flowVersions, attempts, capturedSizes                                                             []int32
	created, updated                                                                                  []time.Time
	next, expires, queued, sent, due, captured                                                        []*time.Time
}

func newMessageColumns(n int) *messageColumns {
	strs := func() []string { return make([]string, n) }
	ints := func() []int32 { return make([]int32, n) }
	times := func() []*time.Time { return make([]*time.Time, n) }
	return &messageColumns{
		ids: strs(), events: strs(), eventTypes: strs(), projects: strs(), flows: strs(), notifications: strs(),
		templates: strs(), channels: strs(), categories: strs(), locales: strs(), toContacts: strs(), toEmails: strs(),
		toNames: strs(), cc: strs(), bcc: strs(), froms: strs(), replyTos: strs(), subjects: strs(), messageIDs: strs(),
		statuses: strs(), reasons: strs(), lastReplies: strs(), timelines: strs(), htmls: strs(), texts: strs(),
		flowVersions: ints(), attempts: ints(), capturedSizes: ints(),
		created: make([]time.Time, n), updated: make([]time.Time, n),
		next: times(), expires: times(), queued: times(), sent: times(), due: times(), captured: times(),
	}
}

// set fills row i with r, stored as store.InsertRow says.
func (c *messageColumns) set(i int, r store.MessageRow, owner string, until time.Time) {
	m := r.Message
	status, attempts, due := store.InsertRow(m, owner, until)
	c.ids[i], c.events[i], c.eventTypes[i], c.projects[i], c.flows[i] = m.ID, m.EventID, m.EventType, m.Project, m.Flow
	c.notifications[i], c.templates[i], c.channels[i], c.categories[i] = m.Notification, m.Template, m.Channel, m.Category
	c.locales[i], c.toContacts[i], c.toEmails[i], c.toNames[i] = m.Locale, m.To.ContactID, m.To.Email, m.To.Name
	c.cc[i], c.bcc[i] = r.CC, r.BCC
	c.froms[i], c.replyTos[i], c.subjects[i], c.messageIDs[i] = m.From, m.ReplyTo, m.Subject, m.MessageID
	c.statuses[i], c.reasons[i], c.lastReplies[i] = string(status), m.Reason, m.LastReply
	c.timelines[i], c.htmls[i], c.texts[i] = r.Timeline, r.HTML, m.Text
	c.flowVersions[i], c.attempts[i], c.capturedSizes[i] = int32(m.FlowVersion), int32(attempts), int32(m.CapturedSize)
	c.created[i], c.updated[i] = m.CreatedAt, m.UpdatedAt
	c.next[i], c.expires[i], c.queued[i], c.sent[i], c.due[i], c.captured[i] = m.NextAttemptAt, m.ExpiresAt, m.QueuedAt, m.SentAt, due, m.CapturedAt
}

// MessageInsertRows inserts messages as store.InsertRow says: the rows,
// their bodies and their copies with one statement each, in one pipelined
// batch (so that even outside a transaction both or neither are stored).
func (q queriesImpl) MessageInsertRows(ctx context.Context, ws int64, owner string, until time.Time, rows []store.MessageRow) error {
	if len(rows) == 0 {
		return nil
	}
	c := newMessageColumns(len(rows))
	ms := make([]*model.Message, len(rows))
	for i, r := range rows {
		c.set(i, r, owner, until)
		ms[i] = r.Message
	}
	b := &pgx.Batch{}
	b.Queue(query("MessageInsertMany"), ws, owner, c.ids, c.events, c.eventTypes, c.projects, c.flows, c.flowVersions,
		c.notifications, c.templates, c.channels, c.categories, c.locales, c.toContacts, c.toEmails, c.toNames, c.cc, c.bcc,
		c.froms, c.replyTos, c.subjects, c.messageIDs, c.statuses, c.reasons, c.attempts, c.next, c.expires, c.queued,
		c.lastReplies, c.created, c.updated, c.sent, c.due, c.timelines, c.captured, c.capturedSizes)
	b.Queue(query("MessageContentInsertMany"), c.ids, c.htmls, c.texts)
	if copies := store.MessageCopies(ms); len(copies) > 0 {
		// The CC and BCC copies, indexed for a person's history.
		msgs, contacts, emails := make([]string, len(copies)), make([]string, len(copies)), make([]string, len(copies))
		for i, cp := range copies {
			msgs[i], contacts[i], emails[i] = cp.MessageID, cp.Contact, cp.Email
		}
		b.Queue(query("MessageCopyInsertMany"), ws, msgs, contacts, emails)
	}
	return mapErr(q.db.SendBatch(ctx, b).Close())
}
