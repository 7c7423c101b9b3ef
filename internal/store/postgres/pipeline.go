package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
	"github.com/herold-dev/herold/internal/store/dbutil"
)

func scanEvent(r scanner) (*model.Event, error) {
	var e model.Event
	var coll, objID, source string
	var actors, data, trace []byte
	var idem *string
	if err := r.Scan(&e.ID, &e.Type, &e.Project, &coll, &objID, &e.Contact, &actors, &data, &e.OccurredAt,
		&e.ReceivedAt, &idem, &source, &trace); err != nil {
		return nil, mapErr(err)
	}
	if coll != "" || objID != "" {
		e.Object = &model.ObjectRef{Collection: coll, ID: objID}
	}
	if err := dbutil.FromJSON(actors, &e.Actors); err != nil {
		return nil, err
	}
	if err := dbutil.FromJSON(data, &e.Data); err != nil {
		return nil, err
	}
	if err := dbutil.FromJSON(trace, &e.Trace); err != nil {
		return nil, err
	}
	if idem != nil {
		e.IdempotencyKey = *idem
	}
	e.OccurredAt, e.ReceivedAt, e.Source = utc(e.OccurredAt), utc(e.ReceivedAt), model.EventSource(source)
	return &e, nil
}

func eventArgs(ws int64, e *model.Event) []any {
	var coll, objID string
	if e.Object != nil {
		coll, objID = e.Object.Collection, e.Object.ID
	}
	return []any{e.ID, ws, e.Type, e.Project, coll, objID, e.Contact, dbutil.Map(e.Actors), dbutil.Map(e.Data),
		e.OccurredAt, e.ReceivedAt, nullString(e.IdempotencyKey), string(e.Source), dbutil.List(e.Trace)}
}

func (q queriesImpl) EventInsert(ctx context.Context, ws int64, e *model.Event) error {
	_, err := q.db.Exec(ctx, query("EventInsert"), eventArgs(ws, e)...)
	return mapErr(err)
}

// EventInsertMany sends the inserts in one pipelined batch.
func (q queriesImpl) EventInsertMany(ctx context.Context, ws int64, es []*model.Event) error {
	if len(es) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	for _, e := range es {
		b.Queue(query("EventInsert"), eventArgs(ws, e)...)
	}
	return mapErr(q.db.SendBatch(ctx, b).Close())
}

func (q queriesImpl) EventGet(ctx context.Context, ws int64, id string) (*model.Event, error) {
	return scanEvent(q.db.QueryRow(ctx, query("EventGet"), ws, id))
}

func (q queriesImpl) EventGetByIdempotencyKey(ctx context.Context, ws int64, key string) (*model.Event, error) {
	return scanEvent(q.db.QueryRow(ctx, query("EventGetByIdempotencyKey"), ws, key))
}

func (q queriesImpl) EventList(ctx context.Context, p *store.EventListParams) ([]*model.Event, error) {
	rows, err := q.db.Query(ctx, query("EventList"), p.WorkspaceID, p.Project, p.Type, p.Contact,
		p.Since, p.Until, p.Before, p.Limit)
	return collect(rows, err, scanEvent)
}

func (q queriesImpl) EventPurge(ctx context.Context, p *store.PurgeParams) (int, error) {
	tag, err := q.db.Exec(ctx, query("EventPurge"), p.WorkspaceID, p.Before, p.Limit)
	if err != nil {
		return 0, mapErr(err)
	}
	return int(tag.RowsAffected()), nil
}

func scanMessage(r scanner) (*model.Message, error) {
	var m model.Message
	var cc, bcc []byte
	var status string
	if err := r.Scan(&m.ID, &m.EventID, &m.EventType, &m.Project, &m.Flow, &m.FlowVersion, &m.Notification,
		&m.Template, &m.Channel, &m.Category, &m.Locale, &m.To.ContactID, &m.To.Email, &m.To.Name, &cc, &bcc,
		&m.From, &m.ReplyTo, &m.Subject, &m.HTML, &m.Text, &m.MessageID, &status, &m.Reason, &m.Attempts,
		&m.NextAttemptAt, &m.ExpiresAt, &m.QueuedAt, &m.LastReply, &m.CreatedAt, &m.UpdatedAt, &m.SentAt); err != nil {
		return nil, mapErr(err)
	}
	if err := dbutil.FromJSON(cc, &m.CC); err != nil {
		return nil, err
	}
	if err := dbutil.FromJSON(bcc, &m.BCC); err != nil {
		return nil, err
	}
	m.Status = model.MessageStatus(status)
	m.NextAttemptAt, m.ExpiresAt, m.QueuedAt, m.SentAt = utcPtr(m.NextAttemptAt), utcPtr(m.ExpiresAt), utcPtr(m.QueuedAt), utcPtr(m.SentAt)
	m.CreatedAt, m.UpdatedAt = utc(m.CreatedAt), utc(m.UpdatedAt)
	return &m, nil
}

func entryArgs(ws int64, messageID string, ev *model.MessageEvent) []any {
	return []any{messageID, ws, ev.At, string(ev.Status), ev.Attempt, ev.Actor, ev.Detail, ev.NextAttemptAt}
}

// MessageInsertMany sends the messages and their timelines in one batch.
func (q queriesImpl) MessageInsertMany(ctx context.Context, ws int64, ms []*model.Message) error {
	if len(ms) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	for _, m := range ms {
		b.Queue(query("MessageInsert"), m.ID, ws, m.EventID, m.EventType, m.Project, m.Flow, m.FlowVersion,
			m.Notification, m.Template, m.Channel, m.Category, m.Locale, m.To.ContactID, m.To.Email, m.To.Name,
			dbutil.List(m.CC), dbutil.List(m.BCC), m.From, m.ReplyTo, m.Subject, m.HTML, m.Text, m.MessageID,
			string(m.Status), m.Reason, m.Attempts, m.NextAttemptAt, m.ExpiresAt, m.QueuedAt, m.LastReply,
			m.CreatedAt, m.UpdatedAt, m.SentAt)
		for i := range m.Timeline {
			b.Queue(query("MessageEventInsert"), entryArgs(ws, m.ID, &m.Timeline[i])...)
		}
	}
	return mapErr(q.db.SendBatch(ctx, b).Close())
}

func scanEntry(r scanner) (model.MessageEvent, error) {
	var ev model.MessageEvent
	var status string
	if err := r.Scan(&ev.At, &status, &ev.Attempt, &ev.Actor, &ev.Detail, &ev.NextAttemptAt); err != nil {
		return ev, mapErr(err)
	}
	ev.At, ev.Status, ev.NextAttemptAt = utc(ev.At), model.MessageStatus(status), utcPtr(ev.NextAttemptAt)
	return ev, nil
}

func (q queriesImpl) MessageGet(ctx context.Context, ws int64, id string) (*model.Message, error) {
	m, err := scanMessage(q.db.QueryRow(ctx, query("MessageGet"), ws, id))
	if err != nil {
		return nil, err
	}
	rows, err := q.db.Query(ctx, query("MessageTimeline"), id, ws)
	m.Timeline, err = collect(rows, err, scanEntry)
	return m, err
}

func (q queriesImpl) MessageGetMany(ctx context.Context, ws int64, ids []string) ([]*model.Message, error) {
	rows, err := q.db.Query(ctx, query("MessageGetMany"), ws, ids)
	return collect(rows, err, scanMessage)
}

func (q queriesImpl) MessageList(ctx context.Context, p *store.MessageListParams) ([]*model.Message, error) {
	statuses := make([]string, len(p.Statuses))
	for i, s := range p.Statuses {
		statuses[i] = string(s)
	}
	name := "MessageList"
	switch p.Narrowest() {
	case "event":
		name = "MessageListEvent"
	case "contact":
		name = "MessageListContact"
	}
	rows, err := q.db.Query(ctx, query(name), p.WorkspaceID, p.EventID, p.Contact, p.Email, p.Project,
		statuses, p.Since, p.Until, p.Before, p.Limit)
	return collect(rows, err, scanMessage)
}

func (q queriesImpl) MessageTransition(ctx context.Context, p *store.MessageTransitionParams) (bool, error) {
	from := make([]string, len(p.From))
	for i, s := range p.From {
		from[i] = string(s)
	}
	tag, err := q.db.Exec(ctx, query("MessageTransition"), string(p.To), p.Reason, p.Attempts, p.NextAttemptAt,
		p.LastReply, p.SentAt, p.QueuedAt, p.At, p.WorkspaceID, p.ID, from)
	if err != nil {
		return false, mapErr(err)
	}
	if tag.RowsAffected() == 0 {
		return false, nil
	}
	_, err = q.db.Exec(ctx, query("MessageEventInsert"), entryArgs(p.WorkspaceID, p.ID, &p.Entry)...)
	return true, mapErr(err)
}

func (q queriesImpl) MessageEventAppend(ctx context.Context, ws int64, messageID string, e *model.MessageEvent) error {
	return affected(q.db.Exec(ctx, query("MessageEventAppend"), entryArgs(ws, messageID, e)...))
}

func (q queriesImpl) MessageExpiring(ctx context.Context, before time.Time, limit int) ([]store.MessageRef, error) {
	rows, err := q.db.Query(ctx, query("MessageExpiring"), before, limit)
	return collect(rows, err, func(r scanner) (store.MessageRef, error) {
		var ref store.MessageRef
		return ref, mapErr(r.Scan(&ref.WorkspaceID, &ref.ID))
	})
}

func (q queriesImpl) MessageQueueStats(ctx context.Context) (store.QueueStats, error) {
	var st store.QueueStats
	if err := q.db.QueryRow(ctx, query("MessageQueueStats")).Scan(&st.Depth, &st.Oldest); err != nil {
		return st, mapErr(err)
	}
	st.Oldest = utcPtr(st.Oldest)
	return st, nil
}

func (q queriesImpl) CaptureInsert(ctx context.Context, ws int64, messageID string, raw []byte, at time.Time) error {
	_, err := q.db.Exec(ctx, query("CaptureInsert"), messageID, ws, raw, at)
	return mapErr(err)
}

func (q queriesImpl) CaptureGet(ctx context.Context, ws int64, messageID string) ([]byte, error) {
	var raw []byte
	err := q.db.QueryRow(ctx, query("CaptureGet"), ws, messageID).Scan(&raw)
	return raw, mapErr(err)
}

func (q queriesImpl) CaptureList(ctx context.Context, p *store.CaptureListParams) ([]*store.CapturedMail, error) {
	rows, err := q.db.Query(ctx, query("CaptureList"), p.WorkspaceID, p.Before, p.Limit)
	return collect(rows, err, func(r scanner) (*store.CapturedMail, error) {
		var c store.CapturedMail
		if err := r.Scan(&c.MessageID, &c.EventID, &c.CapturedAt, &c.From, &c.To, &c.Subject, &c.Size); err != nil {
			return nil, mapErr(err)
		}
		c.CapturedAt = utc(c.CapturedAt)
		return &c, nil
	})
}

func (q queriesImpl) StatsAdd(ctx context.Context, deltas []store.StatsDelta) error {
	if len(deltas) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	for _, d := range deltas {
		b.Queue(query("StatsAdd"), d.WorkspaceID, d.Day, string(d.Status), d.Reason, d.N)
	}
	return mapErr(q.db.SendBatch(ctx, b).Close())
}

func (q queriesImpl) StatsList(ctx context.Context, ws int64, fromDay, toDay string) ([]store.StatsRow, error) {
	rows, err := q.db.Query(ctx, query("StatsList"), ws, fromDay, toDay)
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
	rows, err := q.db.Query(ctx, query("EventIdempotencyKeys"), ws, keys)
	list, err := collect(rows, err, func(r scanner) (string, error) {
		var k string
		return k, mapErr(r.Scan(&k))
	})
	for _, k := range list {
		out[k] = true
	}
	return out, err
}

func (q queriesImpl) MessageMarkSending(ctx context.Context, p *store.MarkSendingParams) (map[string]int, error) {
	out := map[string]int{}
	if len(p.IDs) == 0 {
		return out, nil
	}
	rows, err := q.db.Query(ctx, query("MessageMarkSending"), p.At, p.WorkspaceID, p.IDs)
	type moved struct {
		id      string
		attempt int
	}
	list, err := collect(rows, err, func(r scanner) (moved, error) {
		var m moved
		return m, mapErr(r.Scan(&m.id, &m.attempt))
	})
	if err != nil || len(list) == 0 {
		return out, err
	}
	b := &pgx.Batch{}
	for _, m := range list {
		out[m.id] = m.attempt
		b.Queue(query("MessageEventInsert"), entryArgs(p.WorkspaceID, m.id,
			&model.MessageEvent{At: p.At, Status: model.MsgSending, Attempt: m.attempt})...)
	}
	return out, mapErr(q.db.SendBatch(ctx, b).Close())
}

// MessageRecordMany sends the transitions in one pipelined batch, then the
// timeline entries of those that applied in another.
func (q queriesImpl) MessageRecordMany(ctx context.Context, ps []*store.MessageTransitionParams) ([]bool, error) {
	applied := make([]bool, len(ps))
	if len(ps) == 0 {
		return applied, nil
	}
	b := &pgx.Batch{}
	for _, p := range ps {
		from := make([]string, len(p.From))
		for i, s := range p.From {
			from[i] = string(s)
		}
		b.Queue(query("MessageTransition"), string(p.To), p.Reason, p.Attempts, p.NextAttemptAt, p.LastReply,
			p.SentAt, p.QueuedAt, p.At, p.WorkspaceID, p.ID, from)
	}
	br := q.db.SendBatch(ctx, b)
	for i := range ps {
		tag, err := br.Exec()
		if err != nil {
			_ = br.Close()
			return nil, mapErr(err)
		}
		applied[i] = tag.RowsAffected() == 1
	}
	if err := br.Close(); err != nil {
		return nil, mapErr(err)
	}
	entries := &pgx.Batch{}
	for i, p := range ps {
		if applied[i] {
			entries.Queue(query("MessageEventInsert"), entryArgs(p.WorkspaceID, p.ID, &p.Entry)...)
		}
	}
	if entries.Len() == 0 {
		return applied, nil
	}
	return applied, mapErr(q.db.SendBatch(ctx, entries).Close())
}
