package service

import (
	"cmp"
	"context"
	"sync"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// Counting a run's mail reads every event of the run and its messages, so
// one count of a 100,000-contact mailing reads 100,000 rows; a broadcast's
// report likewise counts every message of the broadcast. A run page, a
// broadcast page or a script that asks every 100 ms while the mailing is
// delivered made the database count the whole mailing ten times a second:
// in the W2 benchmark a third of the server's CPU went into these counts,
// more than into storing and sending the mail. A count of a large mailing
// is therefore kept for a time proportional to its size and to how long it
// took (so that a busy machine, where counting is slower, counts less
// often) and handed out again; the report says when it was counted
// (RunMail.At, BroadcastReport.CountedAt), so it stays true as of then.
// Small mailings (the usual nightly birthday run, every test) are counted
// afresh on every request.
const (
	// countMinRows is the smallest count (events and messages) that is
	// kept: below it, counting costs less than answering the request.
	countMinRows = 1_000
	// countPerRow is how long a count is kept at least per row counted:
	// a 100,000-message mailing is counted at most once a second.
	countPerRow = 10 * time.Microsecond
	// countTimes is how long a count is kept at least, in multiples of
	// the time it took: counting takes at most 2 % of a core however
	// often anyone asks, also when a busy machine makes it slow (W2 on a
	// saturated machine counted at 1 µs per row, not 0.4).
	countTimes = 50
	// countMaxAge bounds how long any count is kept.
	countMaxAge = 10 * time.Second
	// countMaxKept bounds the counts kept at once.
	countMaxKept = 256
)

// keptCounts keeps recent counts of large mailings (see countMinRows): of
// schedule runs and of broadcasts. The zero value uses the defaults above;
// tests set the fields.
type keptCounts struct {
	minRows int
	perRow  time.Duration
	times   int
	maxKept int

	mu sync.Mutex
	m  map[countKey]keptCount
}

// countKind is what a count counts.
type countKind uint8

const (
	// countRun is a schedule run's events and their mail.
	countRun countKind = iota + 1
	// countBroadcast is a broadcast's messages.
	countBroadcast
)

// countKey names a counted mailing; the workspace is part of it so that no
// count is ever handed to another workspace.
type countKey struct {
	ws   int64
	kind countKind
	id   string
}

// keptCount is one count (a *store.RunOutcome or a []store.StatusCount),
// taken at at (the service's clock: the report's time) and kept until until
// (the process's monotonic clock: how old it is, whatever the service's
// clock says); ended is whether the mailing had ended when it was counted.
type keptCount struct {
	out   any
	at    time.Time
	until time.Time
	ended bool
}

// countOnce returns a kept count of key while it is young enough, else a
// fresh one from count (which also says how many rows it read), and when
// it was counted. A count taken while the mailing was going on is not used
// once it has ended: a report saying "done" must have counted every
// message the mailing emitted. The result is shared: callers must not
// change it.
func countOnce[T any](ctx context.Context, c *keptCounts, s *Service, key countKey, ended bool,
	count func(context.Context) (T, int, error)) (T, time.Time, error) {
	c.mu.Lock()
	kept, ok := c.m[key]
	c.mu.Unlock()
	if ok && kept.ended == ended && time.Now().Before(kept.until) {
		if out, ok := kept.out.(T); ok {
			return out, kept.at, nil
		}
	}
	start := time.Now()
	out, rows, err := count(ctx)
	took := time.Since(start)
	if err != nil {
		var zero T
		return zero, time.Time{}, err
	}
	at := s.now()
	if rows < cmp.Or(c.minRows, countMinRows) {
		c.forget(key)
		return out, at, nil
	}
	keep := min(max(time.Duration(rows)*cmp.Or(c.perRow, countPerRow), time.Duration(cmp.Or(c.times, countTimes))*took),
		countMaxAge)
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	if c.m == nil {
		c.m = map[countKey]keptCount{}
	}
	if len(c.m) >= cmp.Or(c.maxKept, countMaxKept) {
		for k, v := range c.m {
			if !now.Before(v.until) {
				delete(c.m, k)
			}
		}
		if len(c.m) >= cmp.Or(c.maxKept, countMaxKept) {
			clear(c.m) // all young: many large mailings watched at once; counting again is only slower
		}
	}
	c.m[key] = keptCount{out: out, at: at, until: now.Add(keep), ended: ended}
	return out, at, nil
}

// forget drops a count no longer worth keeping (its mailing has become
// small).
func (c *keptCounts) forget(key countKey) {
	c.mu.Lock()
	delete(c.m, key)
	c.mu.Unlock()
}

// runOutcome returns what became of the run's events and their mail and
// when that was counted (see countOnce).
func (c *keptCounts) runOutcome(ctx context.Context, s *Service, ws int64, run *model.ScheduleRun) (*store.RunOutcome, time.Time, error) {
	ended := run.Status == model.RunFinished || run.Status == model.RunFailed
	return countOnce(ctx, c, s, countKey{ws, countRun, run.ID}, ended, func(ctx context.Context) (*store.RunOutcome, int, error) {
		out, err := s.store.ScheduleRunOutcome(ctx, ws, run.ID)
		if err != nil {
			return nil, 0, err
		}
		return out, outcomeRows(out), nil
	})
}

// broadcastMessages returns the broadcast's messages counted by status and
// reason and when they were counted (see countOnce). A broadcast has ended
// once it is done or cancelled: every message it will have exists.
func (c *keptCounts) broadcastMessages(ctx context.Context, s *Service, ws int64, b *model.Broadcast) ([]store.StatusCount, time.Time, error) {
	return countOnce(ctx, c, s, countKey{ws, countBroadcast, b.Key}, b.Status.Final(), func(ctx context.Context) ([]store.StatusCount, int, error) {
		counts, err := s.store.BroadcastMessageCounts(ctx, ws, b.Key)
		rows := 0
		for _, sc := range counts {
			rows += sc.N
		}
		return counts, rows, err
	})
}

// outcomeRows is how many rows a count read: the run's events excluded and
// the messages of the others.
func outcomeRows(out *store.RunOutcome) int {
	n := 0
	for _, k := range out.Excluded {
		n += k
	}
	for _, m := range out.Messages {
		n += m.Count
	}
	return n
}
