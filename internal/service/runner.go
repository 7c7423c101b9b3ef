package service

import (
	"context"
	"errors"
	"maps"
	"sync"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// RunnerConfig tunes the runner of schedule runs.
type RunnerConfig struct {
	// Lease is how long a claimed run holds without renewal; it is renewed
	// every third of it. A runner that dies holds its run this long at
	// most (a single server takes it over at its next start). Default 30s.
	Lease time.Duration
	// Poll is how often the runner looks for due runs when nothing wakes
	// it (runs queued by another replica). Default 1s.
	Poll time.Duration
	// Parallel is the most runs one process works on at once. Default 2.
	Parallel int
	// Off keeps the runner from starting (tests).
	Off bool
}

func (c RunnerConfig) withDefaults() RunnerConfig {
	if c.Lease <= 0 {
		c.Lease = 30 * time.Second
	}
	if c.Poll <= 0 {
		c.Poll = time.Second
	}
	if c.Parallel <= 0 {
		c.Parallel = 2
	}
	return c
}

// runner works on schedule runs. A run is its own queue entry: the runner
// claims a due one with a lease (see store.ScheduleQueries), renews the
// lease while it scans, and stores its progress (cursor and counts) with
// every group of events. Stopping interrupts the scans after their current
// group and gives the leases up, so the next start goes on at once; a
// crash leaves the lease to run out (or to the next start of a single
// server).
type runner struct {
	s     *Service
	owner string
	cfg   RunnerConfig
	log   interface {
		Warn(msg string, args ...any)
		Info(msg string, args ...any)
	}

	wakeCh chan struct{}
	slots  chan struct{}
	// mu guards running and unsure: the runs in progress, and whether a
	// claim failed (it may have committed with its answer lost).
	mu      sync.Mutex
	running map[string]bool
	unsure  bool
	// reports are the runs this runner finished whose report waits for
	// their mail; the loop checks them at every poll (after a restart the
	// periodic due check does, see sendDueReports).
	reports map[string]pendingReport
	quit    chan struct{}
	ctx     context.Context // ends at Stop: interrupts the runs
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	once    sync.Once
}

func newRunner(s *Service, owner string, cfg RunnerConfig, log interface {
	Warn(msg string, args ...any)
	Info(msg string, args ...any)
}) *runner {
	cfg = cfg.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	return &runner{s: s, owner: owner, cfg: cfg, log: log, wakeCh: make(chan struct{}, 1),
		slots: make(chan struct{}, cfg.Parallel), running: map[string]bool{}, reports: map[string]pendingReport{},
		quit: make(chan struct{}), ctx: ctx, cancel: cancel}
}

// wake tells the runner that a run was queued.
func (r *runner) wake() {
	select {
	case r.wakeCh <- struct{}{}:
	default:
	}
}

// start begins claiming runs.
func (r *runner) start() {
	if r.cfg.Off {
		return
	}
	if r.owner == "" {
		panic("service: a runner needs an owner name (Config.Owner)")
	}
	r.wg.Add(1)
	go r.loop()
}

// stop interrupts the runs in progress (each stops after its current
// group of events), gives their leases up and waits for them.
func (r *runner) stop() {
	r.once.Do(func() {
		close(r.quit)
		r.cancel()
		r.wg.Wait()
	})
}

func (r *runner) loop() {
	defer r.wg.Done()
	tick := time.NewTicker(r.cfg.Poll)
	defer tick.Stop()
	for poll := false; ; {
		if !poll || r.anythingDue() {
			r.claimWhileFree()
		}
		select {
		case <-r.quit:
			return
		case <-r.wakeCh:
			poll = false
		case <-tick.C:
			poll = true
			r.checkReports()
		}
	}
}

// pendingReport is a run whose report waits for the run's mail.
type pendingReport struct {
	workspaceID int64
	schedule    string
}

// awaitReport has the loop send run's report once its mail is done.
func (r *runner) awaitReport(workspaceID int64, schedule, runID string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reports[runID] = pendingReport{workspaceID: workspaceID, schedule: schedule}
}

// checkReports sends the waiting reports whose run's mail is done (or
// that waited long enough); a report that fails is left to the periodic
// due check.
func (r *runner) checkReports() {
	r.mu.Lock()
	pending := maps.Clone(r.reports)
	r.mu.Unlock()
	for id, p := range pending {
		done, err := r.s.reportRun(r.ctx, p.workspaceID, p.schedule, id)
		if err != nil && r.ctx.Err() == nil {
			r.log.Warn("sending a schedule run's report failed; the periodic check tries again", "run", id, "error", err)
		}
		if done || err != nil {
			r.mu.Lock()
			delete(r.reports, id)
			r.mu.Unlock()
		}
	}
}

// anythingDue reads whether a run is due that this runner may claim (on
// doubt, true).
func (r *runner) anythingDue() bool {
	next, err := r.s.store.ScheduleRunNextDue(r.ctx, r.owner)
	if err != nil {
		return r.ctx.Err() == nil
	}
	return next != nil && !next.After(r.s.now())
}

// claimWhileFree claims due runs while it has free slots.
func (r *runner) claimWhileFree() {
	if !r.reconcile() {
		return
	}
	for {
		select {
		case r.slots <- struct{}{}:
		default:
			return // every slot is busy; a finished run wakes the loop
		}
		now := r.s.now()
		c, err := r.s.store.ScheduleRunClaim(r.ctx, &store.RunClaimParams{Owner: r.owner, Now: now,
			LeaseUntil: now.Add(r.cfg.Lease)})
		if err != nil {
			<-r.slots
			if !errors.Is(err, store.ErrNotFound) && r.ctx.Err() == nil {
				r.mu.Lock()
				r.unsure = true
				r.mu.Unlock()
				r.log.Warn("claiming a schedule run failed; trying again at the next poll", "owner", r.owner, "error", err)
			}
			return
		}
		r.mu.Lock()
		r.running[c.ID] = true
		r.mu.Unlock()
		r.wg.Add(1)
		go r.execute(c)
	}
}

// reconcile gives up the leases this runner holds without knowing it (a
// claim that failed may have committed); it reports whether claiming may
// go on.
func (r *runner) reconcile() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.unsure {
		return true
	}
	keep := make([]string, 0, len(r.running))
	for id := range r.running {
		keep = append(keep, id)
	}
	n, err := r.s.store.ScheduleRunReleaseOwn(r.ctx, r.owner, keep, r.s.now())
	if err != nil {
		return false
	}
	if n > 0 {
		r.log.Warn("a failed claim had taken schedule runs; gave them back", "owner", r.owner, "runs", n)
	}
	r.unsure = false
	return true
}

// execute works on one claimed run, renewing its lease meanwhile.
func (r *runner) execute(c *store.ClaimedRun) {
	defer r.wg.Done()
	defer func() {
		r.mu.Lock()
		delete(r.running, c.ID)
		r.mu.Unlock()
		<-r.slots
		r.wake()
	}()
	ctx, cancel := context.WithCancel(r.ctx)
	defer cancel()
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		r.renew(ctx, cancel, c)
	}()
	err := r.s.executeRun(ctx, c)
	cancel()
	<-renewed
	outcome := "error"
	switch {
	case err == nil && (c.Status == model.RunFinished || c.Status == model.RunFailed):
		outcome = string(c.Status)
	case err == nil:
		outcome = "schedule_deleted"
	case errors.Is(err, errRunLeaseLost):
		outcome = "taken_over"
		r.log.Warn("another runner took this schedule run over", "run", c.ID, "owner", r.owner)
	case r.ctx.Err() != nil:
		// Stopping: give the lease up so the next start goes on at once.
		outcome = "interrupted"
		r.release(c, r.s.now())
		r.log.Info("schedule run interrupted by the stop; it goes on at the next start", "run", c.ID,
			"scanned", c.Scanned)
	default:
		r.log.Warn("schedule run stopped by an error; trying again in a lease's time", "run", c.ID,
			"retry_in", r.cfg.Lease, "error", err)
		r.release(c, r.s.now().Add(r.cfg.Lease))
	}
	r.s.metrics.ScheduleRuns.WithLabelValues(outcome).Inc()
}

// release gives c's lease up: due again at due, for any runner.
func (r *runner) release(c *store.ClaimedRun, due time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := r.s.store.ScheduleRunRelease(ctx, r.owner, c.WorkspaceID, c.ID, due); err != nil {
		r.log.Warn("giving up a schedule run's lease failed; it resumes when the lease runs out", "run", c.ID, "error", err)
	}
}

// renew renews c's lease every third of the lease until ctx ends; a lost
// lease cancels the run.
func (r *runner) renew(ctx context.Context, cancel context.CancelFunc, c *store.ClaimedRun) {
	tick := time.NewTicker(r.cfg.Lease / 3)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		ok, err := r.s.store.ScheduleRunLeaseRenew(ctx, r.owner, c.WorkspaceID, c.ID, r.s.now().Add(r.cfg.Lease))
		switch {
		case err != nil && ctx.Err() == nil:
			r.log.Warn("renewing a schedule run's lease failed", "run", c.ID, "error", err)
		case err == nil && !ok:
			cancel()
			return
		}
	}
}
