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
// one count of a 100,000-contact mailing reads 100,000 rows. A run page or
// a script that asks every 100 ms while the mailing is delivered made the
// database count the whole run ten times a second: in the W2 benchmark a
// third of the server's CPU went into these counts, more than into
// storing and sending the mail. A count of a large run is therefore kept
// for a time proportional to its size and to how long it took (so that a
// busy machine, where counting is slower, counts less often) and handed
// out again; the report says when it was counted (RunMail.At), so it
// stays true as of then.
// Small runs (the usual nightly birthday run, every test) are counted
// afresh on every request.
const (
	// runCountMinRows is the smallest count (events and messages) that is
	// kept: below it, counting costs less than answering the request.
	runCountMinRows = 1_000
	// runCountPerRow is how long a count is kept at least per row
	// counted: a 100,000-message run is counted at most once a second.
	runCountPerRow = 10 * time.Microsecond
	// runCountTimes is how long a count is kept at least, in multiples of
	// the time it took: counting takes at most 2 % of a core however
	// often anyone asks, also when a busy machine makes it slow (W2 on a
	// saturated machine counted at 1 µs per row, not 0.4).
	runCountTimes = 50
	// runCountMaxAge bounds how long any count is kept.
	runCountMaxAge = 10 * time.Second
	// runCountMaxRuns bounds the counts kept at once.
	runCountMaxRuns = 256
)

// runCounts keeps recent counts of large runs (see runCountMinRows). The
// zero value uses the defaults above; tests set the fields.
type runCounts struct {
	minRows int
	perRow  time.Duration
	times   int
	maxRuns int

	mu sync.Mutex
	m  map[runCountKey]runCount
}

// runCountKey names a run; the workspace is part of it so that no count is
// ever handed to another workspace.
type runCountKey struct {
	ws  int64
	run string
}

// runCount is one count, taken at at (the service's clock: the report's
// time) and kept until until (the process's monotonic clock: how old it
// is, whatever the service's clock says); ended is whether the run had
// ended when it was counted.
type runCount struct {
	out   *store.RunOutcome
	at    time.Time
	until time.Time
	ended bool
}

// outcome returns what became of the run's events and their mail and when
// that was counted: a kept count while it is young enough, else a fresh
// one from the store. A count taken while the run was going on is not
// used once it has ended: a report saying "done" must have counted every
// message the run emitted. The result is shared: callers must not change
// it.
func (c *runCounts) outcome(ctx context.Context, s *Service, ws int64, run *model.ScheduleRun) (*store.RunOutcome, time.Time, error) {
	key := runCountKey{ws, run.ID}
	ended := run.Status == model.RunFinished || run.Status == model.RunFailed
	c.mu.Lock()
	kept, ok := c.m[key]
	c.mu.Unlock()
	if ok && kept.ended == ended && time.Now().Before(kept.until) {
		return kept.out, kept.at, nil
	}
	start := time.Now()
	out, err := s.store.ScheduleRunOutcome(ctx, ws, run.ID)
	took := time.Since(start)
	if err != nil {
		return nil, time.Time{}, err
	}
	at := s.now()
	rows := outcomeRows(out)
	if rows < cmp.Or(c.minRows, runCountMinRows) {
		c.forget(key)
		return out, at, nil
	}
	keep := min(max(time.Duration(rows)*cmp.Or(c.perRow, runCountPerRow), time.Duration(cmp.Or(c.times, runCountTimes))*took),
		runCountMaxAge)
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	if c.m == nil {
		c.m = map[runCountKey]runCount{}
	}
	if len(c.m) >= cmp.Or(c.maxRuns, runCountMaxRuns) {
		for k, v := range c.m {
			if !now.Before(v.until) {
				delete(c.m, k)
			}
		}
		if len(c.m) >= cmp.Or(c.maxRuns, runCountMaxRuns) {
			clear(c.m) // all young: many large runs watched at once; counting again is only slower
		}
	}
	c.m[key] = runCount{out: out, at: at, until: now.Add(keep), ended: ended}
	return out, at, nil
}

// forget drops a count no longer worth keeping (its run has become small).
func (c *runCounts) forget(key runCountKey) {
	c.mu.Lock()
	delete(c.m, key)
	c.mu.Unlock()
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
