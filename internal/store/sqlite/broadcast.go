package sqlite

import (
	"context"
	"database/sql"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
	"github.com/herold-dev/herold/internal/store/dbutil"
)

// scanBroadcast scans a broadcast row after the columns of before (a
// claim's workspace).
func scanBroadcast(r scanner, before ...any) (*model.Broadcast, error) {
	var b model.Broadcast
	var spec, samples string
	var startAt, started, finished sql.NullInt64
	var created, updated int64
	p := &b.Progress
	if err := r.Scan(append(before, &b.Key, &b.Name, &spec, &b.Status, &startAt, &p.Cursor, &p.Scanned, &p.Matched,
		&p.Errors, &samples, &started, &finished, &created, &updated)...); err != nil {
		return nil, mapErr(err)
	}
	if err := dbutil.FromBroadcastSpec([]byte(spec), &b); err != nil {
		return nil, err
	}
	if err := fromJSON(samples, &p.ErrorSamples); err != nil {
		return nil, err
	}
	b.StartAt, b.StartedAt, b.FinishedAt = fromNullMillis(startAt), fromNullMillis(started), fromNullMillis(finished)
	b.CreatedAt, b.UpdatedAt = fromMillis(created), fromMillis(updated)
	return &b, nil
}

func scanBroadcastRow(r scanner) (*model.Broadcast, error) { return scanBroadcast(r) }

func (q queriesImpl) BroadcastUpsert(ctx context.Context, ws int64, b *model.Broadcast) (bool, error) {
	prev, err := q.existing(ctx, "BroadcastExists", ws, b.Key)
	if err != nil {
		return false, err
	}
	spec := string(dbutil.BroadcastSpec(b))
	if prev != nil {
		b.CreatedAt = fromMillis(*prev)
		return false, affected(q.db.ExecContext(ctx, query("BroadcastUpdate"), b.Name, spec, nullTime(b.StartAt),
			millis(b.UpdatedAt), ws, b.Key))
	}
	g := b.Progress
	_, err = q.db.ExecContext(ctx, query("BroadcastInsert"), ws, b.Key, b.Name, spec, b.Status, nullTime(b.StartAt),
		g.Cursor, g.Scanned, g.Matched, g.Errors, jsonList(g.ErrorSamples), nullTime(b.StartedAt), nullTime(b.FinishedAt),
		millis(b.CreatedAt), millis(b.UpdatedAt), millis(store.BroadcastDue(b)))
	return true, mapErr(err)
}

func (q queriesImpl) BroadcastGet(ctx context.Context, ws int64, key string) (*model.Broadcast, error) {
	return scanBroadcast(q.db.QueryRowContext(ctx, query("BroadcastGet"), ws, key))
}

func (q queriesImpl) BroadcastList(ctx context.Context, p *store.ListParams) ([]*model.Broadcast, error) {
	rows, err := q.db.QueryContext(ctx, query("BroadcastList"), p.WorkspaceID, p.After, p.Limit)
	return collect(rows, err, scanBroadcastRow)
}

func (q queriesImpl) BroadcastDelete(ctx context.Context, ws int64, key string) error {
	return affected(q.db.ExecContext(ctx, query("BroadcastDelete"), ws, key))
}

func (q queriesImpl) BroadcastTransition(ctx context.Context, p *store.BroadcastTransitionParams) (bool, error) {
	n, err := rowsAffected(q.db.ExecContext(ctx, query("BroadcastTransition"), string(p.To), nullTime(p.DueAt),
		nullTime(p.StartAt), millis(p.At), p.WorkspaceID, p.Key, jsonList(p.From)))
	return n > 0, err
}

func (q queriesImpl) BroadcastClaim(ctx context.Context, p *store.RunClaimParams) (*store.ClaimedBroadcast, error) {
	c := &store.ClaimedBroadcast{}
	var err error
	c.Broadcast, err = scanBroadcast(q.db.QueryRowContext(ctx, query("BroadcastClaim"), p.Owner,
		millis(p.LeaseUntil), millis(p.Now)), &c.WorkspaceID)
	if err != nil {
		return nil, err
	}
	return c, nil
}

func (q queriesImpl) BroadcastProgress(ctx context.Context, p *store.BroadcastProgressParams) error {
	g := p.Progress
	return affected(q.db.ExecContext(ctx, query("BroadcastProgress"), g.Cursor, g.Scanned, g.Matched, g.Errors,
		jsonList(g.ErrorSamples), p.Done, millis(p.DueAt), millis(p.At), p.WorkspaceID, p.Key, p.Owner))
}

func (q queriesImpl) BroadcastMessageCounts(ctx context.Context, ws int64, key string) ([]store.StatusCount, error) {
	rows, err := q.db.QueryContext(ctx, query("BroadcastMessageCounts"), ws, store.BroadcastNotification(key))
	return collect(rows, err, func(r scanner) (store.StatusCount, error) {
		var c store.StatusCount
		return c, mapErr(r.Scan(&c.Status, &c.Reason, &c.N))
	})
}

func (q queriesImpl) BroadcastQueuedMessages(ctx context.Context, ws int64, key string, limit int) ([]string, error) {
	rows, err := q.db.QueryContext(ctx, query("BroadcastQueuedMessages"), ws, store.BroadcastNotification(key), limit)
	return collect(rows, err, func(r scanner) (string, error) {
		var id string
		return id, mapErr(r.Scan(&id))
	})
}

// The writing broadcast methods run as transactions of the writer (see
// writes.go).

// BroadcastUpsert implements store.BroadcastQueries.
func (s *Store) BroadcastUpsert(ctx context.Context, ws int64, b *model.Broadcast) (bool, error) {
	return write(ctx, s, func(q store.Tx) (bool, error) { return q.BroadcastUpsert(ctx, ws, b) })
}

// BroadcastDelete implements store.BroadcastQueries.
func (s *Store) BroadcastDelete(ctx context.Context, ws int64, key string) error {
	return exec(ctx, s, func(q store.Tx) error { return q.BroadcastDelete(ctx, ws, key) })
}

// BroadcastTransition implements store.BroadcastQueries.
func (s *Store) BroadcastTransition(ctx context.Context, p *store.BroadcastTransitionParams) (bool, error) {
	return write(ctx, s, func(q store.Tx) (bool, error) { return q.BroadcastTransition(ctx, p) })
}

// BroadcastClaim implements store.BroadcastQueries.
func (s *Store) BroadcastClaim(ctx context.Context, p *store.RunClaimParams) (*store.ClaimedBroadcast, error) {
	return write(ctx, s, func(q store.Tx) (*store.ClaimedBroadcast, error) { return q.BroadcastClaim(ctx, p) })
}

// BroadcastProgress implements store.BroadcastQueries.
func (s *Store) BroadcastProgress(ctx context.Context, p *store.BroadcastProgressParams) error {
	return exec(ctx, s, func(q store.Tx) error { return q.BroadcastProgress(ctx, p) })
}
