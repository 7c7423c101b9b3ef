package store

import (
	"context"
	"slices"
	"strings"
	"time"
)

// ThrottleWindow names one throttle counter: a scope and recipient (Key)
// in one window [Start, End).
type ThrottleWindow struct {
	Key        string
	Start, End time.Time
}

// ThrottleCountsLockParams name the counters a transaction is about to
// count against.
type ThrottleCountsLockParams struct {
	WorkspaceID int64
	Windows     []ThrottleWindow
}

// ThrottleCountsAddParams add to counters locked by ThrottleCountsLock
// in the same transaction.
type ThrottleCountsAddParams struct {
	WorkspaceID int64
	// Adds maps a counter to the messages it counted.
	Adds map[ThrottleWindow]int
}

// ThrottleQueries are the operations on throttle counters (see
// model.ThrottleRule). A transaction locks the counters its messages
// count against, decides with their counts and adds what it wrote, so
// that two concurrent events never both take the last slot.
type ThrottleQueries interface {
	// ThrottleCountsLock creates the named counters that do not exist
	// (at 0) and returns every one's count, locked until the transaction
	// ends (PostgreSQL: row locks taken in key order; SQLite: the single
	// writer). Outside a transaction the counts are only a snapshot.
	ThrottleCountsLock(ctx context.Context, p *ThrottleCountsLockParams) (map[ThrottleWindow]int, error)
	ThrottleCountsAdd(ctx context.Context, p *ThrottleCountsAddParams) error
	// ThrottleCountPurge deletes up to Limit counters whose window ended
	// before Before and returns how many.
	ThrottleCountPurge(ctx context.Context, p *PurgeParams) (int, error)
}

// SortedWindows returns ws without duplicates, by key and start: the
// order in which a store locks them.
func SortedWindows(ws []ThrottleWindow) []ThrottleWindow {
	out := slices.Clone(ws)
	slices.SortFunc(out, func(a, b ThrottleWindow) int {
		if c := strings.Compare(a.Key, b.Key); c != 0 {
			return c
		}
		return a.Start.Compare(b.Start)
	})
	return slices.Compact(out)
}
