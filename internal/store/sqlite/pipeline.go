package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
	"github.com/herold-dev/herold/internal/store/dbutil"
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
	_, err := q.db.ExecContext(ctx, query("EventInsert"), appendEventArgs(nil, ws, store.EncodeEvents([]*model.Event{e})[0])...)
	return mapErr(err)
}

// appendEventArgs appends the parameters of one row of EventInsert.
func appendEventArgs(args []any, ws int64, r store.EventRow) []any {
	e := r.Event
	var coll, objID string
	if e.Object != nil {
		coll, objID = e.Object.Collection, e.Object.ID
	}
	return append(args, e.ID, ws, e.Type, e.Project, coll, objID, e.Contact, r.Actors, r.Data,
		millis(e.OccurredAt), millis(e.ReceivedAt), nullString(e.IdempotencyKey), string(e.Source), r.Trace)
}

func (q queriesImpl) EventInsertMany(ctx context.Context, ws int64, es []*model.Event) error {
	return q.EventInsertRows(ctx, ws, store.EncodeEvents(es))
}

// EventInsertRows implements store.PipelineQueries.
func (q queriesImpl) EventInsertRows(ctx context.Context, ws int64, rows []store.EventRow) error {
	return chunks(rows, func(part []store.EventRow) error {
		l := takeArgs(len(part) * 14)
		args := l.a
		for _, r := range part {
			args = appendEventArgs(args, ws, r)
		}
		_, err := q.db.ExecContext(ctx, q.rows.query("EventInsert", len(part)), args...)
		l.release(args)
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
		nullTime(p.Since), nullTime(p.Until), p.Before, p.Limit, p.Silent)
	return collect(rows, err, scanEvent)
}

// EventCountSilent implements store.Store.
func (q queriesImpl) EventCountSilent(ctx context.Context, p *store.EventCountSilentParams) (int, error) {
	var n int
	err := q.db.QueryRowContext(ctx, query("EventCountSilent"), p.WorkspaceID, millis(p.Since), p.Limit).Scan(&n)
	return n, mapErr(err)
}

func (q queriesImpl) EventPurge(ctx context.Context, p *store.PurgeParams) (int, error) {
	res, err := q.db.ExecContext(ctx, query("EventPurge"), p.WorkspaceID, millis(p.Before), p.Limit)
	if err != nil {
		return 0, mapErr(err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

func scanMessage(r scanner) (*model.Message, error) { return scanMessageWith(r, nil) }

// scanMessageWith scans a message row, with its workspace first when ws is
// set (claims) and its timeline last when more is given (MessageGet).
func scanMessageWith(r scanner, ws *int64, more ...any) (*model.Message, error) {
	var m model.Message
	var cc, bcc, status, html string
	var next, expires, queued, sent, captured sql.NullInt64
	var created, updated int64
	dest := make([]any, 0, 36)
	if ws != nil {
		dest = append(dest, ws)
	}
	dest = append(dest, &m.ID, &m.EventID, &m.EventType, &m.Project, &m.Flow, &m.FlowVersion, &m.Notification,
		&m.Template, &m.Channel, &m.Category, &m.Locale, &m.To.ContactID, &m.To.Email, &m.To.Name, &cc, &bcc,
		&m.From, &m.ReplyTo, &m.Subject, &html, &m.Text, &m.MessageID, &status, &m.Reason, &m.Attempts,
		&next, &expires, &queued, &m.LastReply, &created, &updated, &sent, &captured, &m.CapturedSize)
	if err := r.Scan(append(dest, more...)...); err != nil {
		return nil, mapErr(err)
	}
	if err := dbutil.SetContentHTML(&m, html); err != nil {
		return nil, err
	}
	if err := fromJSON(cc, &m.CC); err != nil {
		return nil, err
	}
	if err := fromJSON(bcc, &m.BCC); err != nil {
		return nil, err
	}
	m.Status = model.MessageStatus(status)
	m.NextAttemptAt, m.ExpiresAt, m.SentAt = fromNullMillis(next), fromNullMillis(expires), fromNullMillis(sent)
	m.QueuedAt, m.CapturedAt = fromNullMillis(queued), fromNullMillis(captured)
	m.CreatedAt, m.UpdatedAt = fromMillis(created), fromMillis(updated)
	return &m, nil
}

// MessageInsertMany inserts messages with their timelines, and their
// rendered bodies, with multi-row INSERTs.
func (q queriesImpl) MessageInsertMany(ctx context.Context, ws int64, ms []*model.Message) error {
	return q.MessageInsertRows(ctx, ws, "", time.Time{}, store.EncodeMessages(ms))
}

// MessageInsertClaimed inserts queued messages already claimed by owner.
func (q queriesImpl) MessageInsertClaimed(ctx context.Context, ws int64, owner string, until time.Time, ms []*model.Message) error {
	return q.MessageInsertRows(ctx, ws, owner, until, store.EncodeMessages(ms))
}

// MessageInsertRows inserts messages as store.InsertRow says.
func (q queriesImpl) MessageInsertRows(ctx context.Context, ws int64, owner string, until time.Time, rows []store.MessageRow) error {
	return chunks(rows, func(part []store.MessageRow) error {
		l := takeArgs(len(part) * 36)
		args := l.a
		ms := make([]*model.Message, len(part))
		for i, r := range part {
			m := r.Message
			ms[i] = m
			status, attempts, due := store.InsertRow(m, owner, until)
			args = append(args, m.ID, ws, m.EventID, m.EventType, m.Project, m.Flow, m.FlowVersion, m.Notification,
				m.Template, m.Channel, m.Category, m.Locale, m.To.ContactID, m.To.Email, m.To.Name, r.CC,
				r.BCC, m.From, m.ReplyTo, m.Subject, m.MessageID, string(status), m.Reason,
				attempts, nullTime(m.NextAttemptAt), nullTime(m.ExpiresAt), nullTime(m.QueuedAt), m.LastReply,
				millis(m.CreatedAt), millis(m.UpdatedAt), nullTime(m.SentAt), nullTime(due), owner, r.Timeline,
				nullTime(m.CapturedAt), m.CapturedSize)
		}
		_, err := q.db.ExecContext(ctx, q.rows.query("MessageInsert", len(part)), args...)
		if err == nil {
			clear(args)
			args = args[:0]
			for _, r := range part {
				args = append(args, r.Message.ID, r.HTML, r.Message.Text)
			}
			_, err = q.db.ExecContext(ctx, q.rows.query("MessageContentInsert", len(part)), args...)
		}
		l.release(args)
		if err != nil {
			return mapErr(err)
		}
		return q.insertCopies(ctx, ws, ms)
	})
}

// insertCopies indexes the CC and BCC copies of messages, one row per
// address, so that a person's history finds them (see MessageListParams).
func (q queriesImpl) insertCopies(ctx context.Context, ws int64, ms []*model.Message) error {
	copies := store.MessageCopies(ms)
	return chunks(copies, func(part []store.MessageCopy) error {
		args := make([]any, 0, len(part)*4)
		for _, c := range part {
			args = append(args, c.MessageID, ws, c.Contact, c.Email)
		}
		_, err := q.db.ExecContext(ctx, q.rows.query("MessageCopyInsert", len(part)), args...)
		return mapErr(err)
	})
}

// timeline encodes timeline entries for the timeline column.
func timeline(entries []model.MessageEvent) string { return string(dbutil.Timeline(entries)) }

// MessageClaim claims due messages with one UPDATE … RETURNING, then reads
// their bodies.
func (q queriesImpl) MessageClaim(ctx context.Context, p *store.MessageClaimParams) ([]store.ClaimedMessage, error) {
	rows, err := q.db.QueryContext(ctx, query("MessageClaim"), p.Owner, millis(p.LeaseUntil), millis(p.Now), p.Limit,
		string(dbutil.InterruptedEntry(p.Now)))
	claimed, err := collect(rows, err, func(r scanner) (store.ClaimedMessage, error) {
		var c store.ClaimedMessage
		var err error
		c.Message, err = scanMessageWith(r, &c.WorkspaceID)
		return c, err
	})
	if err != nil || len(claimed) == 0 {
		return claimed, err
	}
	byID := make(map[string]*model.Message, len(claimed))
	ids := make([]string, len(claimed))
	for i, c := range claimed {
		byID[c.ID], ids[i] = c.Message, c.ID
	}
	rows, err = q.db.QueryContext(ctx, query("MessageContentGet"), jsonList(ids))
	_, err = collect(rows, err, func(r scanner) (struct{}, error) {
		var id, html, text string
		if err := r.Scan(&id, &html, &text); err != nil {
			return struct{}{}, mapErr(err)
		}
		byID[id].Text = text
		return struct{}{}, dbutil.SetContentHTML(byID[id], html)
	})
	return claimed, err
}

// MessageRecord applies outcomes with one UPDATE … FROM (VALUES …) per
// hundred messages.
func (q queriesImpl) MessageRecord(ctx context.Context, outcomes []*store.MessageOutcome) ([]bool, error) {
	applied := make([]bool, len(outcomes))
	index := make(map[string]int, len(outcomes))
	for i, o := range outcomes {
		index[o.ID] = i
	}
	err := chunks(outcomes, func(part []*store.MessageOutcome) error {
		l := takeArgs(len(part) * 13)
		args := l.a
		for _, o := range part {
			delivered := 0
			if o.Delivered {
				delivered = 1
			}
			args = append(args, o.ID, o.WorkspaceID, o.Owner, delivered, string(o.To), o.Attempts, o.Reason, o.LastReply,
				nullTime(o.SentAt), nullTime(o.DueAt), o.CapturedSize, millis(o.At), o.TimelineJSON())
		}
		rows, err := q.db.QueryContext(ctx, q.rows.replaceRows("MessageRecord", "MessageRecordRow", len(part)), args...)
		l.release(args)
		ids, err := collect(rows, err, func(r scanner) (string, error) {
			var id string
			return id, mapErr(r.Scan(&id))
		})
		for _, id := range ids {
			applied[index[id]] = true
		}
		return err
	})
	return applied, err
}

// MessageNextDue implements store.PipelineQueries.
func (q queriesImpl) MessageNextDue(ctx context.Context, owner string) (*time.Time, error) {
	var due sql.NullInt64
	err := q.db.QueryRowContext(ctx, query("MessageNextDue"), owner).Scan(&due)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, mapErr(err)
	}
	return fromNullMillis(due), nil
}

// MessageLeaseRenew implements store.PipelineQueries.
func (q queriesImpl) MessageLeaseRenew(ctx context.Context, owner string, ids []string, until time.Time) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	return rowsAffected(q.db.ExecContext(ctx, query("MessageLeaseRenew"), millis(until), owner, jsonList(ids)))
}

// MessageLeaseReleaseOwn implements store.PipelineQueries.
func (q queriesImpl) MessageLeaseReleaseOwn(ctx context.Context, owner string, keep []string, now time.Time) (int, error) {
	return rowsAffected(q.db.ExecContext(ctx, query("MessageLeaseReleaseOwn"), owner, jsonList(keep), millis(now)))
}

// MessageLeaseExpire implements store.PipelineQueries.
func (q queriesImpl) MessageLeaseExpire(ctx context.Context, owner string, now time.Time) (int, error) {
	return rowsAffected(q.db.ExecContext(ctx, query("MessageLeaseExpire"), owner, millis(now)))
}

func rowsAffected(res sql.Result, err error) (int, error) {
	if err != nil {
		return 0, mapErr(err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

func (q queriesImpl) MessageGet(ctx context.Context, ws int64, id string) (*model.Message, error) {
	var tl string
	m, err := scanMessageWith(q.db.QueryRowContext(ctx, query("MessageGet"), ws, id), nil, &tl)
	if err != nil {
		return nil, err
	}
	return m, fromJSON(tl, &m.Timeline)
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
		nullTime(p.NextAttemptAt), p.LastReply, nullTime(p.SentAt), nullTime(p.QueuedAt), millis(p.At), p.WorkspaceID, p.ID,
		jsonList(p.From), timeline([]model.MessageEvent{p.Entry}))
	n, err := rowsAffected(res, err)
	return n > 0, err
}

func (q queriesImpl) MessageEventAppend(ctx context.Context, ws int64, messageID string, e *model.MessageEvent) error {
	return affected(q.db.ExecContext(ctx, query("MessageEventAppend"), ws, messageID, timeline([]model.MessageEvent{*e})))
}

func (q queriesImpl) MessageExpiring(ctx context.Context, before time.Time, limit int) ([]store.MessageRef, error) {
	rows, err := q.db.QueryContext(ctx, query("MessageExpiring"), millis(before), limit)
	return collect(rows, err, func(r scanner) (store.MessageRef, error) {
		var ref store.MessageRef
		var created int64
		err := r.Scan(&ref.WorkspaceID, &ref.ID, &created)
		ref.CreatedAt = fromMillis(created)
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

// MessageCountByEvents implements store.Store.
func (q queriesImpl) MessageCountByEvents(ctx context.Context, p *store.MessageCountByEventsParams) ([]store.EventMessageCount, error) {
	if len(p.EventIDs) > store.MaxCountEvents {
		return nil, fmt.Errorf("count messages of %d events: at most %d at once", len(p.EventIDs), store.MaxCountEvents)
	}
	rows, err := q.db.QueryContext(ctx, query("MessageCountByEvents"), p.WorkspaceID, jsonList(p.EventIDs))
	return collect(rows, err, func(r scanner) (store.EventMessageCount, error) {
		var c store.EventMessageCount
		return c, mapErr(r.Scan(&c.EventID, &c.Status, &c.Reason, &c.Captured, &c.N))
	})
}
