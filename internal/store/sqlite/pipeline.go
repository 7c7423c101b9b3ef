package sqlite

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

func scanEvent(r scanner) (*model.Event, error) {
	var e model.Event
	var coll, objID, actors, data, trace, source string
	var occurred, received int64
	var idem sql.NullString
	if err := r.Scan(&e.ID, &e.Type, &e.Project, &coll, &objID, &e.Contact, &actors, &data, &occurred,
		&received, &idem, &source, &trace); err != nil {
		return nil, mapErr(err)
	}
	if coll != "" || objID != "" {
		e.Object = &model.ObjectRef{Collection: coll, ID: objID}
	}
	if err := fromJSON(actors, &e.Actors); err != nil {
		return nil, err
	}
	if err := fromJSON(data, &e.Data); err != nil {
		return nil, err
	}
	if err := fromJSON(trace, &e.Trace); err != nil {
		return nil, err
	}
	e.OccurredAt, e.ReceivedAt = fromMillis(occurred), fromMillis(received)
	e.IdempotencyKey, e.Source = idem.String, model.EventSource(source)
	return &e, nil
}

func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return millis(*t)
}

func (q queriesImpl) EventInsert(ctx context.Context, ws int64, e *model.Event) error {
	_, err := q.db.ExecContext(ctx, query("EventInsert"), eventArgs(ws, e)...)
	return mapErr(err)
}

func eventArgs(ws int64, e *model.Event) []any {
	var coll, objID string
	if e.Object != nil {
		coll, objID = e.Object.Collection, e.Object.ID
	}
	return []any{e.ID, ws, e.Type, e.Project, coll, objID, e.Contact, jsonMap(e.Actors), jsonMap(e.Data),
		millis(e.OccurredAt), millis(e.ReceivedAt), nullString(e.IdempotencyKey), string(e.Source), jsonList(e.Trace)}
}

func (q queriesImpl) EventInsertMany(ctx context.Context, ws int64, es []*model.Event) error {
	return chunks(es, func(part []*model.Event) error {
		args := make([]any, 0, len(part)*14)
		for _, e := range part {
			args = append(args, eventArgs(ws, e)...)
		}
		_, err := q.db.ExecContext(ctx, q.rows.query("EventInsert", len(part)), args...)
		return mapErr(err)
	})
}

func (q queriesImpl) EventGet(ctx context.Context, ws int64, id string) (*model.Event, error) {
	return scanEvent(q.db.QueryRowContext(ctx, query("EventGet"), ws, id))
}

func (q queriesImpl) EventGetByIdempotencyKey(ctx context.Context, ws int64, key string) (*model.Event, error) {
	return scanEvent(q.db.QueryRowContext(ctx, query("EventGetByIdempotencyKey"), ws, key))
}

func (q queriesImpl) EventList(ctx context.Context, p *store.EventListParams) ([]*model.Event, error) {
	rows, err := q.db.QueryContext(ctx, query("EventList"), p.WorkspaceID, p.Project, p.Type, p.Contact,
		nullTime(p.Since), nullTime(p.Until), p.Before, p.Limit)
	return collect(rows, err, scanEvent)
}

func (q queriesImpl) EventPurge(ctx context.Context, p *store.PurgeParams) (int, error) {
	res, err := q.db.ExecContext(ctx, query("EventPurge"), p.WorkspaceID, millis(p.Before), p.Limit)
	if err != nil {
		return 0, mapErr(err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

func scanMessage(r scanner) (*model.Message, error) {
	var m model.Message
	var cc, bcc, status string
	var next, expires, queued, sent sql.NullInt64
	var created, updated int64
	if err := r.Scan(&m.ID, &m.EventID, &m.EventType, &m.Project, &m.Flow, &m.FlowVersion, &m.Notification,
		&m.Template, &m.Channel, &m.Category, &m.Locale, &m.To.ContactID, &m.To.Email, &m.To.Name, &cc, &bcc,
		&m.From, &m.ReplyTo, &m.Subject, &m.HTML, &m.Text, &m.MessageID, &status, &m.Reason, &m.Attempts,
		&next, &expires, &queued, &m.LastReply, &created, &updated, &sent); err != nil {
		return nil, mapErr(err)
	}
	if err := fromJSON(cc, &m.CC); err != nil {
		return nil, err
	}
	if err := fromJSON(bcc, &m.BCC); err != nil {
		return nil, err
	}
	m.Status = model.MessageStatus(status)
	m.NextAttemptAt, m.ExpiresAt, m.SentAt = fromNullMillis(next), fromNullMillis(expires), fromNullMillis(sent)
	m.QueuedAt = fromNullMillis(queued)
	m.CreatedAt, m.UpdatedAt = fromMillis(created), fromMillis(updated)
	return &m, nil
}

func (q queriesImpl) insertEntry(ctx context.Context, ws int64, messageID string, ev *model.MessageEvent) error {
	_, err := q.db.ExecContext(ctx, query("MessageEventInsert"), messageID, ws, millis(ev.At), string(ev.Status),
		ev.Attempt, ev.Actor, ev.Detail, nullTime(ev.NextAttemptAt))
	return mapErr(err)
}

// MessageInsertMany inserts messages and their timelines with multi-row
// INSERTs.
func (q queriesImpl) MessageInsertMany(ctx context.Context, ws int64, ms []*model.Message) error {
	err := chunks(ms, func(part []*model.Message) error {
		args := make([]any, 0, len(part)*33)
		for _, m := range part {
			args = append(args, m.ID, ws, m.EventID, m.EventType, m.Project, m.Flow, m.FlowVersion, m.Notification,
				m.Template, m.Channel, m.Category, m.Locale, m.To.ContactID, m.To.Email, m.To.Name, jsonList(m.CC),
				jsonList(m.BCC), m.From, m.ReplyTo, m.Subject, m.HTML, m.Text, m.MessageID, string(m.Status), m.Reason,
				m.Attempts, nullTime(m.NextAttemptAt), nullTime(m.ExpiresAt), nullTime(m.QueuedAt), m.LastReply,
				millis(m.CreatedAt), millis(m.UpdatedAt), nullTime(m.SentAt))
		}
		_, err := q.db.ExecContext(ctx, q.rows.query("MessageInsert", len(part)), args...)
		return mapErr(err)
	})
	if err != nil {
		return err
	}
	var entries []entry
	for _, m := range ms {
		for i := range m.Timeline {
			entries = append(entries, entry{m.ID, &m.Timeline[i]})
		}
	}
	return q.insertEntries(ctx, ws, entries)
}

// entry is a timeline entry of a message.
type entry struct {
	id string
	ev *model.MessageEvent
}

// insertEntries appends timeline entries with multi-row INSERTs.
func (q queriesImpl) insertEntries(ctx context.Context, ws int64, entries []entry) error {
	return chunks(entries, func(part []entry) error {
		args := make([]any, 0, len(part)*8)
		for _, e := range part {
			args = append(args, e.id, ws, millis(e.ev.At), string(e.ev.Status), e.ev.Attempt, e.ev.Actor, e.ev.Detail,
				nullTime(e.ev.NextAttemptAt))
		}
		_, err := q.db.ExecContext(ctx, q.rows.query("MessageEventInsert", len(part)), args...)
		return mapErr(err)
	})
}

func (q queriesImpl) MessageMarkSending(ctx context.Context, p *store.MarkSendingParams) (map[string]int, error) {
	out := map[string]int{}
	if len(p.IDs) == 0 {
		return out, nil
	}
	rows, err := q.db.QueryContext(ctx, query("MessageMarkSending"), millis(p.At), p.WorkspaceID, jsonList(p.IDs))
	type moved struct {
		id      string
		attempt int
	}
	list, err := collect(rows, err, func(r scanner) (moved, error) {
		var m moved
		return m, mapErr(r.Scan(&m.id, &m.attempt))
	})
	if err != nil {
		return nil, err
	}
	entries := make([]entry, len(list))
	for i, m := range list {
		out[m.id] = m.attempt
		entries[i] = entry{m.id, &model.MessageEvent{At: p.At, Status: model.MsgSending, Attempt: m.attempt}}
	}
	return out, q.insertEntries(ctx, p.WorkspaceID, entries)
}

// MessageRecordMany applies the transitions of each workspace with one
// UPDATE … FROM (VALUES …) per hundred messages.
func (q queriesImpl) MessageRecordMany(ctx context.Context, ps []*store.MessageTransitionParams) ([]bool, error) {
	applied := make([]bool, len(ps))
	index := make(map[string]int, len(ps))
	byWS := map[int64][]*store.MessageTransitionParams{}
	for i, p := range ps {
		index[p.ID] = i
		byWS[p.WorkspaceID] = append(byWS[p.WorkspaceID], p)
	}
	for ws, group := range byWS {
		err := chunks(group, func(part []*store.MessageTransitionParams) error {
			args := make([]any, 0, len(part)*10+1)
			for _, p := range part {
				args = append(args, p.ID, string(p.To), p.Reason, p.Attempts, nullTime(p.NextAttemptAt), p.LastReply,
					nullTime(p.SentAt), nullTime(p.QueuedAt), millis(p.At), jsonList(p.From))
			}
			rows, err := q.db.QueryContext(ctx, q.rows.replaceRows("MessageRecordMany", "MessageRecordRow", len(part)), append(args, ws)...)
			ids, err := collect(rows, err, func(r scanner) (string, error) {
				var id string
				return id, mapErr(r.Scan(&id))
			})
			if err != nil {
				return err
			}
			var entries []entry
			for _, id := range ids {
				i := index[id]
				applied[i] = true
				entries = append(entries, entry{id, &ps[i].Entry})
			}
			return q.insertEntries(ctx, ws, entries)
		})
		if err != nil {
			return nil, err
		}
	}
	return applied, nil
}

func scanEntry(r scanner) (model.MessageEvent, error) {
	var ev model.MessageEvent
	var at int64
	var status string
	var next sql.NullInt64
	if err := r.Scan(&at, &status, &ev.Attempt, &ev.Actor, &ev.Detail, &next); err != nil {
		return ev, mapErr(err)
	}
	ev.At, ev.Status, ev.NextAttemptAt = fromMillis(at), model.MessageStatus(status), fromNullMillis(next)
	return ev, nil
}

func (q queriesImpl) MessageGet(ctx context.Context, ws int64, id string) (*model.Message, error) {
	m, err := scanMessage(q.db.QueryRowContext(ctx, query("MessageGet"), ws, id))
	if err != nil {
		return nil, err
	}
	rows, err := q.db.QueryContext(ctx, query("MessageTimeline"), id, ws)
	m.Timeline, err = collect(rows, err, scanEntry)
	return m, err
}

func (q queriesImpl) MessageGetMany(ctx context.Context, ws int64, ids []string) ([]*model.Message, error) {
	rows, err := q.db.QueryContext(ctx, query("MessageGetMany"), ws, jsonList(ids))
	return collect(rows, err, scanMessage)
}

func (q queriesImpl) MessageList(ctx context.Context, p *store.MessageListParams) ([]*model.Message, error) {
	name := "MessageList"
	switch narrowest := p.Narrowest(); {
	case narrowest == "event":
		name = "MessageListEvent"
	case narrowest == "contact":
		name = "MessageListContact"
	case len(p.Statuses) > 0 && !slices.ContainsFunc(p.Statuses, model.MessageStatus.Terminal):
		name = "MessageListOpen"
	}
	rows, err := q.db.QueryContext(ctx, query(name), p.WorkspaceID, p.EventID, p.Contact, p.Email,
		p.Project, jsonList(p.Statuses), nullTime(p.Since), nullTime(p.Until), p.Before, p.Limit)
	return collect(rows, err, scanMessage)
}

func (q queriesImpl) MessageTransition(ctx context.Context, p *store.MessageTransitionParams) (bool, error) {
	res, err := q.db.ExecContext(ctx, query("MessageTransition"), string(p.To), p.Reason, p.Attempts,
		nullTime(p.NextAttemptAt), p.LastReply, nullTime(p.SentAt), nullTime(p.QueuedAt), millis(p.At), p.WorkspaceID, p.ID, jsonList(p.From))
	if err != nil {
		return false, mapErr(err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return false, err
	}
	return true, q.insertEntry(ctx, p.WorkspaceID, p.ID, &p.Entry)
}

func (q queriesImpl) MessageEventAppend(ctx context.Context, ws int64, messageID string, e *model.MessageEvent) error {
	return affected(q.db.ExecContext(ctx, query("MessageEventAppend"), millis(e.At), string(e.Status), e.Attempt, e.Actor,
		e.Detail, nullTime(e.NextAttemptAt), ws, messageID))
}

func (q queriesImpl) MessageExpiring(ctx context.Context, before time.Time, limit int) ([]store.MessageRef, error) {
	rows, err := q.db.QueryContext(ctx, query("MessageExpiring"), millis(before), limit)
	return collect(rows, err, func(r scanner) (store.MessageRef, error) {
		var ref store.MessageRef
		err := r.Scan(&ref.WorkspaceID, &ref.ID)
		return ref, mapErr(err)
	})
}

func (q queriesImpl) MessageQueueStats(ctx context.Context) (store.QueueStats, error) {
	var st store.QueueStats
	var oldest sql.NullInt64
	if err := q.db.QueryRowContext(ctx, query("MessageQueueStats")).Scan(&st.Depth, &oldest); err != nil {
		return st, mapErr(err)
	}
	st.Oldest = fromNullMillis(oldest)
	return st, nil
}

func (q queriesImpl) CaptureInsert(ctx context.Context, ws int64, messageID string, raw []byte, at time.Time) error {
	_, err := q.db.ExecContext(ctx, query("CaptureInsert"), messageID, ws, raw, millis(at))
	return mapErr(err)
}

func (q queriesImpl) CaptureGet(ctx context.Context, ws int64, messageID string) ([]byte, error) {
	var raw []byte
	err := q.db.QueryRowContext(ctx, query("CaptureGet"), ws, messageID).Scan(&raw)
	return raw, mapErr(err)
}

func (q queriesImpl) CaptureList(ctx context.Context, p *store.CaptureListParams) ([]*store.CapturedMail, error) {
	rows, err := q.db.QueryContext(ctx, query("CaptureList"), p.WorkspaceID, p.Before, p.Limit)
	return collect(rows, err, func(r scanner) (*store.CapturedMail, error) {
		var c store.CapturedMail
		var at int64
		if err := r.Scan(&c.MessageID, &c.EventID, &at, &c.From, &c.To, &c.Subject, &c.Size); err != nil {
			return nil, mapErr(err)
		}
		c.CapturedAt = fromMillis(at)
		return &c, nil
	})
}

func (q queriesImpl) StatsAdd(ctx context.Context, deltas []store.StatsDelta) error {
	for _, d := range deltas {
		if _, err := q.db.ExecContext(ctx, query("StatsAdd"), d.WorkspaceID, d.Day, string(d.Status), d.Reason, d.N); err != nil {
			return mapErr(err)
		}
	}
	return nil
}

func (q queriesImpl) StatsList(ctx context.Context, ws int64, fromDay, toDay string) ([]store.StatsRow, error) {
	rows, err := q.db.QueryContext(ctx, query("StatsList"), ws, fromDay, toDay)
	return collect(rows, err, func(r scanner) (store.StatsRow, error) {
		var s store.StatsRow
		var status string
		err := r.Scan(&s.Day, &status, &s.Reason, &s.Count)
		s.Status = model.MessageStatus(status)
		return s, mapErr(err)
	})
}

func (q queriesImpl) EventIdempotencyKeys(ctx context.Context, ws int64, keys []string) (map[string]bool, error) {
	out := make(map[string]bool)
	if len(keys) == 0 {
		return out, nil
	}
	rows, err := q.db.QueryContext(ctx, query("EventIdempotencyKeys"), ws, jsonList(keys))
	list, err := collect(rows, err, func(r scanner) (string, error) {
		var k string
		return k, mapErr(r.Scan(&k))
	})
	for _, k := range list {
		out[k] = true
	}
	return out, err
}
