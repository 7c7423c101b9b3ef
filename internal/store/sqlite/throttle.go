package sqlite

import (
	"context"

	"github.com/herold-dev/herold/internal/store"
)

// ThrottleCountsLock needs no lock statement: every write transaction
// runs on the one writer, so counts read in it stay current until it
// commits.
func (q queriesImpl) ThrottleCountsLock(ctx context.Context, p *store.ThrottleCountsLockParams) (map[store.ThrottleWindow]int, error) {
	out := make(map[store.ThrottleWindow]int, len(p.Windows))
	for _, w := range store.SortedWindows(p.Windows) {
		if _, err := q.db.ExecContext(ctx, query("ThrottleCountEnsure"), p.WorkspaceID, w.Key, millis(w.Start), millis(w.End)); err != nil {
			return nil, mapErr(err)
		}
		var n int
		if err := q.db.QueryRowContext(ctx, query("ThrottleCountGet"), p.WorkspaceID, w.Key, millis(w.Start)).Scan(&n); err != nil {
			return nil, mapErr(err)
		}
		out[w] = n
	}
	return out, nil
}

func (q queriesImpl) ThrottleCountsAdd(ctx context.Context, p *store.ThrottleCountsAddParams) error {
	for w, n := range p.Adds {
		if n == 0 {
			continue
		}
		if err := affected(q.db.ExecContext(ctx, query("ThrottleCountAdd"), n, p.WorkspaceID, w.Key, millis(w.Start))); err != nil {
			return err
		}
	}
	return nil
}

func (q queriesImpl) ThrottleCountPurge(ctx context.Context, p *store.PurgeParams) (int, error) {
	res, err := q.db.ExecContext(ctx, query("ThrottleCountPurge"), p.WorkspaceID, millis(p.Before), p.Limit)
	if err != nil {
		return 0, mapErr(err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// ThrottleCountsLock implements store.Queries on the writer: it creates
// missing counters.
func (s *Store) ThrottleCountsLock(ctx context.Context, p *store.ThrottleCountsLockParams) (map[store.ThrottleWindow]int, error) {
	return write(ctx, s, func(q store.Tx) (map[store.ThrottleWindow]int, error) { return q.ThrottleCountsLock(ctx, p) })
}

// ThrottleCountsAdd implements store.Queries.
func (s *Store) ThrottleCountsAdd(ctx context.Context, p *store.ThrottleCountsAddParams) error {
	return exec(ctx, s, func(q store.Tx) error { return q.ThrottleCountsAdd(ctx, p) })
}

// ThrottleCountPurge implements store.Queries.
func (s *Store) ThrottleCountPurge(ctx context.Context, p *store.PurgeParams) (int, error) {
	return write(ctx, s, func(q store.Tx) (int, error) { return q.ThrottleCountPurge(ctx, p) })
}
