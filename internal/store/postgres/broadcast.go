package postgres

import (
	"context"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
	"github.com/herold-dev/herold/internal/store/dbutil"
)

// scanBroadcast scans a broadcast row after the columns of before (a
// claim's workspace).
func scanBroadcast(r scanner, before ...any) (*model.Broadcast, error) {
	var b model.Broadcast
	var spec, samples string
	p := &b.Progress
	if err := r.Scan(append(before, &b.Key, &b.Name, &spec, &b.Status, &b.StartAt, &p.Cursor, &p.Scanned, &p.Matched,
		&p.Errors, &samples, &b.StartedAt, &b.FinishedAt, &b.CreatedAt, &b.UpdatedAt)...); err != nil {
		return nil, mapErr(err)
	}
	if err := dbutil.FromBroadcastSpec([]byte(spec), &b); err != nil {
		return nil, err
	}
	if err := dbutil.FromJSON([]byte(samples), &p.ErrorSamples); err != nil {
		return nil, err
	}
	b.StartAt, b.StartedAt, b.FinishedAt = utcPtr(b.StartAt), utcPtr(b.StartedAt), utcPtr(b.FinishedAt)
	b.CreatedAt, b.UpdatedAt = utc(b.CreatedAt), utc(b.UpdatedAt)
	return &b, nil
}

func scanBroadcastRow(r scanner) (*model.Broadcast, error) { return scanBroadcast(r) }

func (q queriesImpl) BroadcastUpsert(ctx context.Context, ws int64, b *model.Broadcast) (bool, error) {
	g := b.Progress
	row := q.db.QueryRow(ctx, query("BroadcastUpsert"), ws, b.Key, b.Name, string(dbutil.BroadcastSpec(b)),
		string(b.Status), b.StartAt, g.Cursor, g.Scanned, g.Matched, g.Errors, string(dbutil.List(g.ErrorSamples)),
		b.StartedAt, b.FinishedAt, b.CreatedAt, b.UpdatedAt, store.BroadcastDue(b))
	return upserted(row, &b.CreatedAt)
}

func (q queriesImpl) BroadcastGet(ctx context.Context, ws int64, key string) (*model.Broadcast, error) {
	return scanBroadcast(q.db.QueryRow(ctx, query("BroadcastGet"), ws, key))
}

func (q queriesImpl) BroadcastList(ctx context.Context, p *store.ListParams) ([]*model.Broadcast, error) {
	rows, err := q.db.Query(ctx, query("BroadcastList"), p.WorkspaceID, p.After, p.Limit)
	return collect(rows, err, scanBroadcastRow)
}

func (q queriesImpl) BroadcastDelete(ctx context.Context, ws int64, key string) error {
	return affected(q.db.Exec(ctx, query("BroadcastDelete"), ws, key))
}

func (q queriesImpl) BroadcastTransition(ctx context.Context, p *store.BroadcastTransitionParams) (bool, error) {
	from := make([]string, len(p.From))
	for i, s := range p.From {
		from[i] = string(s)
	}
	tag, err := q.db.Exec(ctx, query("BroadcastTransition"), string(p.To), p.DueAt, p.StartAt, p.At,
		p.WorkspaceID, p.Key, from)
	if err != nil {
		return false, mapErr(err)
	}
	return tag.RowsAffected() > 0, nil
}

func (q queriesImpl) BroadcastClaim(ctx context.Context, p *store.RunClaimParams) (*store.ClaimedBroadcast, error) {
	c := &store.ClaimedBroadcast{}
	var err error
	c.Broadcast, err = scanBroadcast(q.db.QueryRow(ctx, query("BroadcastClaim"), p.Owner, p.LeaseUntil, p.Now),
		&c.WorkspaceID)
	if err != nil {
		return nil, err
	}
	return c, nil
}

func (q queriesImpl) BroadcastProgress(ctx context.Context, p *store.BroadcastProgressParams) error {
	g := p.Progress
	var due *time.Time
	if !p.Done {
		due = &p.DueAt
	}
	return affected(q.db.Exec(ctx, query("BroadcastProgress"), g.Cursor, g.Scanned, g.Matched, g.Errors,
		string(dbutil.List(g.ErrorSamples)), p.Done, due, p.At, p.WorkspaceID, p.Key, p.Owner))
}

func (q queriesImpl) BroadcastMessageCounts(ctx context.Context, ws int64, key string) ([]store.StatusCount, error) {
	rows, err := q.db.Query(ctx, query("BroadcastMessageCounts"), ws, store.BroadcastNotification(key))
	return collect(rows, err, func(r scanner) (store.StatusCount, error) {
		var c store.StatusCount
		var n int64
		err := r.Scan(&c.Status, &c.Reason, &n)
		c.N = int(n)
		return c, mapErr(err)
	})
}

func (q queriesImpl) BroadcastQueuedMessages(ctx context.Context, ws int64, key string, limit int) ([]string, error) {
	rows, err := q.db.Query(ctx, query("BroadcastQueuedMessages"), ws, store.BroadcastNotification(key), limit)
	return collect(rows, err, func(r scanner) (string, error) {
		var id string
		return id, mapErr(r.Scan(&id))
	})
}
