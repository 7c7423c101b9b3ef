package postgres

import (
	"context"

	"github.com/herold-dev/herold/internal/store"
)

// ThrottleCountsLock locks the counters in key order, so that two
// transactions that count against the same counters never deadlock.
func (q queriesImpl) ThrottleCountsLock(ctx context.Context, p *store.ThrottleCountsLockParams) (map[store.ThrottleWindow]int, error) {
	out := make(map[store.ThrottleWindow]int, len(p.Windows))
	for _, w := range store.SortedWindows(p.Windows) {
		if _, err := q.db.Exec(ctx, query("ThrottleCountEnsure"), p.WorkspaceID, w.Key, w.Start, w.End); err != nil {
			return nil, mapErr(err)
		}
		var n int
		if err := q.db.QueryRow(ctx, query("ThrottleCountGet"), p.WorkspaceID, w.Key, w.Start).Scan(&n); err != nil {
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
		if err := affected(q.db.Exec(ctx, query("ThrottleCountAdd"), n, p.WorkspaceID, w.Key, w.Start)); err != nil {
			return err
		}
	}
	return nil
}

func (q queriesImpl) ThrottleCountPurge(ctx context.Context, p *store.PurgeParams) (int, error) {
	tag, err := q.db.Exec(ctx, query("ThrottleCountPurge"), p.WorkspaceID, p.Before, p.Limit)
	if err != nil {
		return 0, mapErr(err)
	}
	return int(tag.RowsAffected()), nil
}
