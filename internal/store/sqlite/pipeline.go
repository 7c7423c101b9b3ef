package sqlite

import (
	"context"
	"database/sql"
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
	var coll, objID string
	if e.Object != nil {
		coll, objID = e.Object.Collection, e.Object.ID
	}
	_, err := q.db.ExecContext(ctx, query("EventInsert"), e.ID, ws, e.Type, e.Project, coll, objID, e.Contact,
		jsonMap(e.Actors), jsonMap(e.Data), millis(e.OccurredAt), millis(e.ReceivedAt),
		nullString(e.IdempotencyKey), string(e.Source), jsonList(e.Trace))
	return mapErr(err)
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

func (q queriesImpl) MessageInsertMany(ctx context.Context, ws int64, ms []*model.Message) error {
	for _, m := range ms {
		_, err := q.db.ExecContext(ctx, query("MessageInsert"), m.ID, ws, m.EventID, m.EventType, m.Project, m.Flow,
			m.FlowVersion, m.Notification, m.Template, m.Channel, m.Category, m.Locale, m.To.ContactID, m.To.Email,
			m.To.Name, jsonList(m.CC), jsonList(m.BCC), m.From, m.ReplyTo, m.Subject, m.HTML, m.Text, m.MessageID,
			string(m.Status), m.Reason, m.Attempts, nullTime(m.NextAttemptAt), nullTime(m.ExpiresAt), nullTime(m.QueuedAt), m.LastReply,
			millis(m.CreatedAt), millis(m.UpdatedAt), nullTime(m.SentAt))
		if err != nil {
			return mapErr(err)
		}
		for i := range m.Timeline {
			if err := q.insertEntry(ctx, ws, m.ID, &m.Timeline[i]); err != nil {
				return err
			}
		}
	}
	return nil
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
	rows, err := q.db.QueryContext(ctx, query("MessageList"), p.WorkspaceID, p.EventID, p.Contact, p.Email,
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
