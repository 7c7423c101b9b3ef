package postgres

import (
	"context"
	"errors"
	"fmt"
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
		e.OccurredAt, e.ReceivedAt, nullString(e.IdempotencyKey), string(e.Source), dbutil.Steps(e.Trace)}
}

func (q queriesImpl) EventInsert(ctx context.Context, ws int64, e *model.Event) error {
	_, err := q.db.Exec(ctx, query("EventInsert"), eventArgs(ws, e)...)
	return mapErr(err)
}

func (q queriesImpl) EventGet(ctx context.Context, ws int64, id string) (*model.Event, error) {
	return scanEvent(q.db.QueryRow(ctx, query("EventGet"), ws, id))
}

func (q queriesImpl) EventGetByIdempotencyKey(ctx context.Context, ws int64, key string) (*model.Event, error) {
	return scanEvent(q.db.QueryRow(ctx, query("EventGetByIdempotencyKey"), ws, key))
}

func (q queriesImpl) EventList(ctx context.Context, p *store.EventListParams) ([]*model.Event, error) {
	rows, err := q.db.Query(ctx, query("EventList"), p.WorkspaceID, p.Project, p.Type, p.Contact,
		p.Since, p.Until, p.Before, p.Limit, p.Silent)
	return collect(rows, err, scanEvent)
}

// EventCountSilent implements store.Store.
func (q queriesImpl) EventCountSilent(ctx context.Context, p *store.EventCountSilentParams) (int, error) {
	var n int64
	err := q.db.QueryRow(ctx, query("EventCountSilent"), p.WorkspaceID, p.Since, p.Limit).Scan(&n)
	return int(n), mapErr(err)
}

func (q queriesImpl) EventPurge(ctx context.Context, p *store.PurgeParams) (int, error) {
	tag, err := q.db.Exec(ctx, query("EventPurge"), p.WorkspaceID, p.Before, p.Limit)
	if err != nil {
		return 0, mapErr(err)
	}
	return int(tag.RowsAffected()), nil
}

func scanMessage(r scanner) (*model.Message, error) { return scanMessageWith(r, nil) }

// scanMessageWith scans a message row, with its workspace first when ws is
// set (claims) and its timeline last when more is given (MessageGet).
func scanMessageWith(r scanner, ws *int64, more ...any) (*model.Message, error) {
	var m model.Message
	var cc, bcc []byte
	var status, html string
	dest := make([]any, 0, 34)
	if ws != nil {
		dest = append(dest, ws)
	}
	dest = append(dest, &m.ID, &m.EventID, &m.EventType, &m.Project, &m.Flow, &m.FlowVersion, &m.Notification,
		&m.Template, &m.Channel, &m.Category, &m.Locale, &m.To.ContactID, &m.To.Email, &m.To.Name, &cc, &bcc,
		&m.From, &m.ReplyTo, &m.Subject, &html, &m.Text, &m.MessageID, &status, &m.Reason, &m.Attempts,
		&m.NextAttemptAt, &m.ExpiresAt, &m.QueuedAt, &m.LastReply, &m.CreatedAt, &m.UpdatedAt, &m.SentAt,
		&m.CapturedAt, &m.CapturedSize)
	if err := r.Scan(append(dest, more...)...); err != nil {
		return nil, mapErr(err)
	}
	if err := dbutil.SetContentHTML(&m, html); err != nil {
		return nil, err
	}
	if err := dbutil.FromJSON(cc, &m.CC); err != nil {
		return nil, err
	}
	if err := dbutil.FromJSON(bcc, &m.BCC); err != nil {
		return nil, err
	}
	m.Status = model.MessageStatus(status)
	m.NextAttemptAt, m.ExpiresAt, m.QueuedAt, m.SentAt = utcPtr(m.NextAttemptAt), utcPtr(m.ExpiresAt), utcPtr(m.QueuedAt), utcPtr(m.SentAt)
	m.CapturedAt = utcPtr(m.CapturedAt)
	m.CreatedAt, m.UpdatedAt = utc(m.CreatedAt), utc(m.UpdatedAt)
	return &m, nil
}

func (q queriesImpl) MessageGet(ctx context.Context, ws int64, id string) (*model.Message, error) {
	var tl []byte
	m, err := scanMessageWith(q.db.QueryRow(ctx, query("MessageGet"), ws, id), nil, &tl)
	if err != nil {
		return nil, err
	}
	if err := dbutil.FromJSON(tl, &m.Timeline); err != nil {
		return nil, err
	}
	for i := range m.Timeline {
		e := &m.Timeline[i]
		e.At, e.NextAttemptAt = utc(e.At), utcPtr(e.NextAttemptAt)
	}
	return m, nil
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
		p.LastReply, p.SentAt, p.QueuedAt, p.At, p.WorkspaceID, p.ID, from,
		string(dbutil.Timeline([]model.MessageEvent{p.Entry})))
	if err != nil {
		return false, mapErr(err)
	}
	return tag.RowsAffected() > 0, nil
}

func (q queriesImpl) MessageEventAppend(ctx context.Context, ws int64, messageID string, e *model.MessageEvent) error {
	return affected(q.db.Exec(ctx, query("MessageEventAppend"), ws, messageID,
		string(dbutil.Timeline([]model.MessageEvent{*e}))))
}

func (q queriesImpl) MessageExpiring(ctx context.Context, before time.Time, limit int) ([]store.MessageRef, error) {
	rows, err := q.db.Query(ctx, query("MessageExpiring"), before, limit)
	return collect(rows, err, func(r scanner) (store.MessageRef, error) {
		var ref store.MessageRef
		err := r.Scan(&ref.WorkspaceID, &ref.ID, &ref.CreatedAt)
		ref.CreatedAt = utc(ref.CreatedAt)
		return ref, mapErr(err)
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

// MessageClaim claims due messages with one UPDATE … FROM (SELECT … FOR
// UPDATE SKIP LOCKED) … RETURNING.
func (q queriesImpl) MessageClaim(ctx context.Context, p *store.MessageClaimParams) ([]store.ClaimedMessage, error) {
	rows, err := q.db.Query(ctx, query("MessageClaim"), p.Owner, p.LeaseUntil, p.Now, p.Limit,
		string(dbutil.InterruptedEntry(p.Now)))
	return collect(rows, err, func(r scanner) (store.ClaimedMessage, error) {
		var c store.ClaimedMessage
		var err error
		c.Message, err = scanMessageWith(r, &c.WorkspaceID)
		return c, err
	})
}

// MessageRecord applies outcomes with one UPDATE … FROM unnest(…).
func (q queriesImpl) MessageRecord(ctx context.Context, outcomes []*store.MessageOutcome) ([]bool, error) {
	applied := make([]bool, len(outcomes))
	if len(outcomes) == 0 {
		return applied, nil
	}
	n := len(outcomes)
	ids, owners, statuses, reasons, replies, entries := make([]string, n), make([]string, n), make([]string, n),
		make([]string, n), make([]string, n), make([]string, n)
	wss := make([]int64, n)
	delivered := make([]bool, n)
	attempts, captured := make([]int32, n), make([]int32, n)
	sent, due := make([]*time.Time, n), make([]*time.Time, n)
	at := make([]time.Time, n)
	index := make(map[string]int, n)
	for i, o := range outcomes {
		index[o.ID] = i
		ids[i], wss[i], owners[i], delivered[i], statuses[i] = o.ID, o.WorkspaceID, o.Owner, o.Delivered, string(o.To)
		attempts[i], reasons[i], replies[i], sent[i], due[i] = int32(o.Attempts), o.Reason, o.LastReply, o.SentAt, o.DueAt
		captured[i], at[i], entries[i] = int32(o.CapturedSize), o.At, o.TimelineJSON()
	}
	rows, err := q.db.Query(ctx, query("MessageRecord"), ids, wss, owners, delivered, statuses, attempts, reasons,
		replies, sent, due, captured, at, entries)
	got, err := collect(rows, err, func(r scanner) (string, error) {
		var id string
		return id, mapErr(r.Scan(&id))
	})
	for _, id := range got {
		applied[index[id]] = true
	}
	return applied, err
}

// MessageNextDue implements store.PipelineQueries.
func (q queriesImpl) MessageNextDue(ctx context.Context, owner string) (*time.Time, error) {
	var due *time.Time
	err := q.db.QueryRow(ctx, query("MessageNextDue"), owner).Scan(&due)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, mapErr(err)
	}
	return utcPtr(due), nil
}

// MessageLeaseRenew implements store.PipelineQueries.
func (q queriesImpl) MessageLeaseRenew(ctx context.Context, owner string, ids []string, until time.Time) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	tag, err := q.db.Exec(ctx, query("MessageLeaseRenew"), until, owner, ids)
	return int(tag.RowsAffected()), mapErr(err)
}

// MessageLeaseReleaseOwn implements store.PipelineQueries.
func (q queriesImpl) MessageLeaseReleaseOwn(ctx context.Context, owner string, keep []string, now time.Time) (int, error) {
	if keep == nil {
		keep = []string{}
	}
	tag, err := q.db.Exec(ctx, query("MessageLeaseReleaseOwn"), owner, keep, now)
	return int(tag.RowsAffected()), mapErr(err)
}

// MessageLeaseExpire implements store.PipelineQueries.
func (q queriesImpl) MessageLeaseExpire(ctx context.Context, owner string, now time.Time) (int, error) {
	tag, err := q.db.Exec(ctx, query("MessageLeaseExpire"), owner, now)
	return int(tag.RowsAffected()), mapErr(err)
}

// MessageCountByEvents implements store.Store.
func (q queriesImpl) MessageCountByEvents(ctx context.Context, p *store.MessageCountByEventsParams) ([]store.EventMessageCount, error) {
	if len(p.EventIDs) > store.MaxCountEvents {
		return nil, fmt.Errorf("count messages of %d events: at most %d at once", len(p.EventIDs), store.MaxCountEvents)
	}
	rows, err := q.db.Query(ctx, query("MessageCountByEvents"), p.WorkspaceID, p.EventIDs)
	return collect(rows, err, func(r scanner) (store.EventMessageCount, error) {
		var c store.EventMessageCount
		var n int64
		err := r.Scan(&c.EventID, &c.Status, &c.Reason, &c.Captured, &n)
		c.N = int(n)
		return c, mapErr(err)
	})
}
