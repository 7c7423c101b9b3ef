package service

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/herold-dev/herold/internal/condition"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/render"
	"github.com/herold-dev/herold/internal/store"
)

// scanPage is how many records a page of a scan looks at.
const scanPage = 500

// A run stores its matches (the events, with its counts and how far it
// got) once it has emitBatch of them and at least every emitEvery: a
// sparse schedule (a birthday: a few matches per page) then does not pay a
// transaction per page, and a run taken over after a crash repeats at
// most emitEvery of work.
const (
	emitBatch = scanPage
	emitEvery = time.Second
)

// maxErrorSamples bounds the errors a run keeps for its report.
const maxErrorSamples = 10

// compiledSchedule is a schedule ready to evaluate records.
type compiledSchedule struct {
	sc      *model.Schedule
	ws      *model.Workspace // with the schedule's time zone
	cond    *condition.Program
	exclude *condition.Program
	occ     *render.Compiled
	loc     *time.Location
}

func (s *Service) compileSchedule(ws *model.Workspace, sc *model.Schedule) (*compiledSchedule, error) {
	env, err := s.envFor(sc.LeapDay)
	if err != nil {
		return nil, err
	}
	cs := &compiledSchedule{sc: sc, loc: scheduleLoc(ws, sc)}
	w := *ws
	w.Timezone = cs.loc.String()
	cs.ws = &w
	if cs.cond, err = env.Cached(sc.Condition); err != nil {
		return nil, fmt.Errorf("condition: %w", err)
	}
	if sc.Exclude != "" {
		if cs.exclude, err = env.Cached(sc.Exclude); err != nil {
			return nil, fmt.Errorf("exclude: %w", err)
		}
	}
	if cs.occ, err = compileOccurrence(sc.OccurrenceKey); err != nil {
		return nil, fmt.Errorf("occurrence key: %w", err)
	}
	return cs, nil
}

// record is one scanned contact or object.
type record struct {
	contact *model.Contact
	object  *model.Object
}

// key is the record's position in the scan order.
func (r record) key() string {
	if r.contact != nil {
		return r.contact.ID
	}
	return r.object.ID
}

func (r record) label() string {
	if r.contact != nil {
		return "contact " + r.contact.ID
	}
	return "object " + r.object.Collection + "/" + r.object.ID
}

// Why a match was excluded (store.RunEvent.Excluded): by the schedule's
// exclusion, or by its consent category with the reason a notification of
// that category would give (model.ReasonOptedOut, model.ReasonNoConsent).
// excludedByError marks the event of a record the run could not evaluate:
// it is counted among the run's errors, not its exclusions.
const (
	excludedByRule  = "exclude"
	excludedByError = "error"
)

// match is the evaluation of one record.
type match struct {
	rec        record
	occurrence string
	excluded   bool
	// reason is why it is excluded: excludedByRule, excludedByError or
	// a SuppressReason; failure is the error of excludedByError.
	reason  string
	failure string
	values  map[string]any
}

// errorMatch is the event of a record the run at now could not evaluate:
// explain then tells its holder why they got nothing. One per record and
// day (its occurrence), so a schedule running every few minutes records a
// broken record once a day.
func errorMatch(cs *compiledSchedule, r record, err error, now time.Time) match {
	day := now.In(cs.loc).Format(time.DateOnly)
	return match{rec: r, occurrence: "error-" + r.key() + "-" + day, excluded: true, reason: excludedByError,
		failure: err.Error()}
}

// verdict is the evaluation of one record: a match when ok, nothing when
// the record is not due, or the error that kept it from being decided.
type verdict struct {
	m   match
	ok  bool
	err error
}

// evaluate decides one record with cond, the worker's matcher of the
// schedule's condition, in data, the data model at the scan's instant,
// whose record it replaces; nothing keeps data after the call, so a worker
// reuses one map for all its records.
func (s *Service) evaluate(ctx context.Context, cs *compiledSchedule, cond *condition.Matcher, data map[string]any, r record, now time.Time) verdict {
	if r.contact != nil {
		data[model.RootContact] = r.contact.Data()
	} else {
		data[model.RootObject] = r.object.Data()
	}
	due, err := cond.Match(ctx, data)
	if err != nil || !due {
		return verdict{err: err}
	}
	out, err := cs.occ.Render(ctx, data, render.Options{Location: cs.loc, Now: now, Limits: s.limits})
	if err != nil {
		return verdict{err: fmt.Errorf("occurrence key: %w", err)}
	}
	if out.Subject == "" {
		return verdict{err: errors.New("occurrence key is empty")}
	}
	m := match{rec: r, occurrence: out.Subject}
	if cat := cs.sc.ConsentCategory; cat != "" && r.contact != nil {
		if reason := r.contact.Suppression(cat, ""); reason != "" {
			m.excluded, m.reason = true, string(reason)
			m.values = map[string]any{"contact.consents": stringsAny(r.contact.Consents), "contact.opt_outs": stringsAny(r.contact.OptOuts)}
			return verdict{m: m, ok: true}
		}
	}
	if cs.exclude != nil {
		ex, err := cs.exclude.Eval(ctx, data, cs.loc)
		if err != nil {
			return verdict{err: fmt.Errorf("exclude: %w", err)}
		}
		m.excluded, m.values = ex.Match, ex.Values
		if m.excluded {
			m.reason = excludedByRule
		}
	}
	return verdict{m: m, ok: true}
}

// evaluatePage decides a page's records on every CPU; out[i] belongs to
// page[i].
func (s *Service) evaluatePage(ctx context.Context, cs *compiledSchedule, base map[string]any, page []record, now time.Time) []verdict {
	out := make([]verdict, len(page))
	workers := min(runtime.GOMAXPROCS(0), len(page))
	chunk := (len(page) + workers - 1) / workers
	var wg sync.WaitGroup
	for lo := 0; lo < len(page); lo += chunk {
		hi := min(lo+chunk, len(page))
		wg.Go(func() {
			data := maps.Clone(base)
			cond, err := cs.cond.Matcher(data, cs.loc)
			for i := lo; i < hi; i++ {
				if err != nil {
					out[i] = verdict{err: err}
					continue
				}
				out[i] = s.evaluate(ctx, cs, cond, data, page[i], now)
			}
		})
	}
	wg.Wait()
	return out
}

// sourcePage is one page of a scan: its records to evaluate and how many
// records it looked at, including those the store left out (see
// contactSkip); its last record is always there, where the next page
// starts.
type sourcePage struct {
	recs    []record
	scanned int
}

// scan streams the schedule's source page by page after the record after
// and calls fn with each page and its evaluation at now. The next page is
// read while fn works on this one; a run never holds more than two pages in
// memory.
func (s *Service) scan(ctx context.Context, cs *compiledSchedule, wsID int64, after string, now, since time.Time, fn func(sourcePage, []verdict) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	base := scanData(cs, now, since)
	skip := contactSkip(cs, base)
	type read struct {
		page sourcePage
		err  error
	}
	pages := make(chan read, 1)
	go func() {
		defer close(pages)
		for {
			p, err := s.readPage(ctx, cs.sc, wsID, after, skip)
			select {
			case pages <- read{p, err}:
			case <-ctx.Done():
				return
			}
			if err != nil || p.scanned < scanPage {
				return
			}
			after = p.recs[len(p.recs)-1].key()
		}
	}()
	for p := range pages {
		if p.err != nil {
			return p.err
		}
		if p.page.scanned == 0 {
			return nil
		}
		if err := fn(p.page, s.evaluatePage(ctx, cs, base, p.page.recs, now)); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// scanData is the data model records are evaluated in at now: the
// schedule's workspace and zone, and data.since.
func scanData(cs *compiledSchedule, now, since time.Time) map[string]any {
	base := model.NewData(model.DataInput{Workspace: cs.ws, Now: now})
	base[model.RootData] = map[string]any{"since": since.In(cs.loc)}
	return base
}

// sinceLookBack bounds the runs looked at to find the previous finished run.
const sinceLookBack = 50

// since is the instant a run at now (or a preview for now) takes as its
// start, data.since: when the schedule's previous finished run before
// beforeID (empty: any) started, or, on a first run, the start of now's day
// in loc. After a two-day outage it therefore reaches back over the
// missed days, once.
func (s *Service) since(ctx context.Context, wsID int64, key, beforeID string, now time.Time, loc *time.Location) (time.Time, error) {
	runs, err := s.store.ScheduleRunList(ctx, &store.RunListParams{WorkspaceID: wsID, Schedule: key, Before: beforeID, Limit: sinceLookBack})
	if err != nil {
		return time.Time{}, fmt.Errorf("find the previous run: %w", err)
	}
	for _, r := range runs {
		if r.Status == model.RunFinished && !r.StartedAt.After(now) {
			return r.StartedAt, nil
		}
	}
	y, m, d := now.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc), nil
}

// contactSkip returns the contacts a scan of a contact schedule at base's
// instant may leave to the store (see condition.DateSkip): they cost no
// reading, decoding or evaluation, and the scan counts them as scanned
// and not due, as evaluating them would. A birthday schedule so reads
// about one contact in 366. Nil when the condition does not say.
func contactSkip(cs *compiledSchedule, base map[string]any) *store.DateSkip {
	if cs.sc.Source.Kind != model.SourceContacts {
		return nil
	}
	ds, ok := cs.cond.DateSkip(model.RootContact, base, cs.loc)
	// A fixed field (email, timezone, …) hides an attribute of its name.
	if !ok || slices.Contains(model.ContactFields, ds.Field) {
		return nil
	}
	return &store.DateSkip{Field: ds.Field, MonthDays: ds.MonthDays}
}

// readPage reads up to scanPage records of the schedule's source after the
// record after, without the contacts skip names.
func (s *Service) readPage(ctx context.Context, sc *model.Schedule, wsID int64, after string, skip *store.DateSkip) (sourcePage, error) {
	var p sourcePage
	if sc.Source.Kind == model.SourceContacts {
		cp, err := s.store.ContactScan(ctx, &store.ContactScanParams{
			ListParams: store.ListParams{WorkspaceID: wsID, After: after, Limit: scanPage}, Skip: skip})
		if err != nil {
			return p, fmt.Errorf("read contacts: %w", err)
		}
		for _, c := range cp.Contacts {
			p.recs = append(p.recs, record{contact: c})
		}
		p.scanned = cp.Scanned
		return p, nil
	}
	os, err := s.store.ObjectList(ctx, &store.ObjectListParams{
		ListParams: store.ListParams{WorkspaceID: wsID, After: after, Limit: scanPage}, Collection: sc.Source.Collection})
	if err != nil {
		return p, fmt.Errorf("read objects: %w", err)
	}
	for _, o := range os {
		p.recs = append(p.recs, record{object: o})
	}
	p.scanned = len(p.recs)
	return p, nil
}

// idempotencyKey makes an occurrence fire at most once per schedule.
func idempotencyKey(sc *model.Schedule, occurrence string) string {
	return schedulePrefix + sc.Key + ":" + occurrence
}

// eventFor builds the event a match emits.
func eventFor(sc *model.Schedule, runID string, m match) *EventInput {
	in := &EventInput{Type: sc.EventType, Project: sc.Project, Source: model.SourceSchedule,
		IdempotencyKey: idempotencyKey(sc, m.occurrence), Actors: map[string][]string{},
		Data: map[string]any{"schedule": sc.Key, "occurrence": m.occurrence},
		Origin: &model.Step{Code: model.StepScheduled, Params: map[string]string{
			"schedule": sc.Key, "occurrence": m.occurrence, "run": runID}}}
	if c := m.rec.contact; c != nil {
		in.Contact = c.ID
		in.Actors[sc.Role] = []string{c.ID}
	}
	if o := m.rec.object; o != nil {
		in.Object = &model.ObjectRef{Collection: o.Collection, ID: o.ID}
		for role, ids := range o.Contacts {
			in.Actors[role] = append([]string(nil), ids...)
		}
	}
	if m.reason == excludedByError {
		in.Exclusion = &model.Step{Code: model.StepScheduleError,
			Params: map[string]string{"schedule": sc.Key, "error": m.failure}}
	} else if m.excluded {
		in.Exclusion = &model.Step{Code: model.StepScheduleExcluded, Values: m.values,
			Params: map[string]string{"schedule": sc.Key, "exclude": sc.Exclude, "reason": m.reason}}
		if m.reason != excludedByRule {
			in.Exclusion.Params["category"] = sc.ConsentCategory
		}
	}
	return in
}

// errRunLeaseLost means another runner took a run over (this one's lease
// ran out): it goes on from the run's cursor, this one stops.
var errRunLeaseLost = errors.New("the run's lease passed to another runner")

// executeRun works on a claimed run: scan from where it stopped, evaluate,
// emit events (one transaction per group of matches, which also records
// the counts and how far it got, under the run's lease). When ctx ends (a
// stop, or the lease was lost) it returns ctx's error with the run as last
// stored; whoever claims it next goes on from there. At the end it
// records the result and sends the report.
func (s *Service) executeRun(ctx context.Context, c *store.ClaimedRun) error {
	run := c.ScheduleRun
	ws, err := s.store.WorkspaceGetByID(ctx, c.WorkspaceID)
	if err != nil {
		return fmt.Errorf("load workspace: %w", err)
	}
	sc, err := s.store.ScheduleGet(ctx, ws.ID, run.Schedule)
	if errors.Is(err, store.ErrNotFound) {
		return nil // deleted meanwhile; its runs are gone too
	} else if err != nil {
		return err
	}
	runErr := s.runScan(ctx, ws, sc, run)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(runErr, errRunLeaseLost) {
		return runErr
	}
	fin := s.now()
	run.FinishedAt, run.Status = &fin, model.RunFinished
	if runErr != nil {
		run.Status, run.Failure = model.RunFailed, runErr.Error()
		s.logger.WarnContext(ctx, "schedule run failed", "workspace", ws.Key, "schedule", sc.Key, "run", run.ID, "error", runErr)
	}
	if err := s.store.ScheduleRunUpdate(ctx, ws.ID, run); err != nil {
		return err
	}
	// The report goes out once the run's mail is done: at once when
	// nothing is queued (all suppressed or excluded), else from the
	// runner's poll or the periodic due check (sendDueReports).
	sent, err := s.reportIfDone(ctx, ws, sc, run)
	switch {
	case err != nil:
		s.logger.WarnContext(ctx, "schedule report failed", "workspace", ws.Key, "schedule", sc.Key, "run", run.ID, "error", err)
	case !sent && sc.ReportTo != "":
		s.runner.awaitReport(ws.ID, sc.Key, run.ID)
	}
	return nil
}

func (s *Service) runScan(ctx context.Context, ws *model.Workspace, sc *model.Schedule, run *model.ScheduleRun) error {
	cs, err := s.compileSchedule(ws, sc)
	if err != nil {
		return err
	}
	now := s.now()
	since, err := s.since(ctx, ws.ID, sc.Key, run.ID, now, cs.loc)
	if err != nil {
		return err
	}
	// next is the run as it will be stored with the matches not emitted
	// yet: run itself only moves when they are, so a failure leaves it
	// as stored (counts and cursor agreeing with the events).
	next := *run
	var matches []match
	lastEmit := time.Now()
	flush := func() error {
		if next.Cursor == run.Cursor {
			return nil
		}
		if err := s.emit(ctx, ws, sc, &next, matches); err != nil {
			return fmt.Errorf("emit events: %w", err)
		}
		*run, matches, lastEmit = next, nil, time.Now()
		return nil
	}
	err = s.scan(ctx, cs, ws.ID, run.Cursor, now, since, func(p sourcePage, outs []verdict) error {
		next.Scanned += p.scanned
		for i, o := range outs {
			if o.err != nil {
				next.Errors++
				if len(next.ErrorSamples) < maxErrorSamples {
					next.ErrorSamples = append(next.ErrorSamples, fmt.Sprintf("%s: %v", p.recs[i].label(), o.err))
				}
				matches = append(matches, errorMatch(cs, p.recs[i], o.err, now))
				continue
			}
			if o.ok {
				next.Matched++
				matches = append(matches, o.m)
			}
		}
		next.Cursor = p.recs[len(p.recs)-1].key()
		if len(matches) >= emitBatch || time.Since(lastEmit) >= emitEvery {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

// emit turns a page's matches into events: occurrences that fired before
// are skipped with one query, the rest are decided and rendered on every
// CPU, then stored — with the run's counts and position — in one
// transaction.
func (s *Service) emit(ctx context.Context, ws *model.Workspace, sc *model.Schedule, run *model.ScheduleRun, matches []match) error {
	keys := make([]string, len(matches))
	for i, m := range matches {
		keys[i] = idempotencyKey(sc, m.occurrence)
	}
	used, err := s.store.EventIdempotencyKeys(ctx, ws.ID, keys)
	if err != nil {
		return err
	}
	var ins []*EventInput
	var reasons []string
	skipped := 0
	for i, m := range matches {
		if used[keys[i]] {
			if m.reason != excludedByError { // counted in errors
				skipped++
			}
			continue
		}
		ins, reasons = append(ins, eventFor(sc, run.ID, m)), append(reasons, m.reason)
	}
	counts := *run
	s.ingest.WaitRoom(ctx, len(ins)) // a run goes at the pace of sending, not ahead of it
	_, err = s.ingest.AcceptMany(ctx, ws, ins, func(tx store.Tx, results []*IngestResult) error {
		counts.Skipped += skipped
		events := make([]store.RunEvent, 0, len(results))
		for i, res := range results {
			switch {
			case res.Duplicate && reasons[i] == excludedByError:
				continue // recorded today already; counted in errors
			case res.Duplicate:
				counts.Skipped++
				continue
			case reasons[i] == excludedByError: // counted in errors
			case reasons[i] != "":
				counts.Excluded++
			default:
				counts.Emitted++
			}
			events = append(events, store.RunEvent{EventID: res.Event.ID, Excluded: reasons[i]})
		}
		if err := tx.ScheduleRunEventsAdd(ctx, ws.ID, run.ID, events); err != nil {
			return err
		}
		if err := tx.ScheduleRunUpdate(ctx, ws.ID, &counts); errors.Is(err, store.ErrNotFound) {
			return errRunLeaseLost
		} else if err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	*run = counts
	return nil
}

// ScheduleRunNow queues a run of a schedule now (enabled or not).
func (s *Service) ScheduleRunNow(ctx context.Context, ws *model.Workspace, key string) (*model.ScheduleRun, error) {
	sc, err := s.ScheduleGet(ctx, ws, key)
	if err != nil {
		return nil, err
	}
	run := &model.ScheduleRun{ID: newID(), Schedule: sc.Key, Trigger: model.TriggerManual, Status: model.RunQueued,
		StartedAt: s.now(), ErrorSamples: []string{}}
	if err := s.store.ScheduleRunInsert(ctx, ws.ID, run); err != nil {
		return nil, err
	}
	s.runner.wake()
	return run, nil
}

// RunDueSchedules queues a run for every schedule whose time has come, in
// all workspaces, and advances each to its next slot. Missed slots are run
// once (a catch-up), not once per slot. It then sends the reports of ended
// runs whose mail is done. It is the periodic job River's leader runs.
func (s *Service) RunDueSchedules(ctx context.Context) error {
	now := s.now()
	refs, err := s.store.ScheduleDue(ctx, now, 1000)
	if err != nil {
		return fmt.Errorf("find due schedules: %w", err)
	}
	for _, ref := range refs {
		if err := s.queueDue(ctx, ref, now); err != nil {
			return fmt.Errorf("schedule %s: %w", ref.Key, err)
		}
	}
	if len(refs) > 0 {
		s.runner.wake()
	}
	return s.sendDueReports(ctx)
}

func (s *Service) queueDue(ctx context.Context, ref store.ScheduleRef, now time.Time) error {
	return s.store.WithTx(ctx, func(tx store.Tx) error {
		ws, err := tx.WorkspaceGetByID(ctx, ref.WorkspaceID)
		if err != nil {
			return err
		}
		sc, err := tx.ScheduleGet(ctx, ref.WorkspaceID, ref.Key)
		if err != nil {
			return err
		}
		r, err := rule(ws, sc)
		if err != nil {
			return err
		}
		due := r.Check(*sc.NextRunAt, now)
		if ok, err := tx.ScheduleSetNext(ctx, ws.ID, sc.Key, sc.NextRunAt, &due.Next); err != nil || !ok || !due.Run {
			return err // another due check got here first, or nothing to do
		}
		trigger := model.TriggerScheduled
		if due.CatchUp {
			trigger = model.TriggerCatchUp
		}
		run := &model.ScheduleRun{ID: newID(), Schedule: sc.Key, Trigger: trigger, Slot: &due.Slot,
			Status: model.RunQueued, StartedAt: now, ErrorSamples: []string{}}
		return tx.ScheduleRunInsert(ctx, ws.ID, run)
	})
}

// PreviewMatch is one record that would match.
type PreviewMatch struct {
	Contact    string         `json:"contact,omitempty"`
	Object     string         `json:"object,omitempty"`
	Name       string         `json:"name,omitempty"`
	Email      string         `json:"email,omitempty"`
	Occurrence string         `json:"occurrence"`
	Excluded   bool           `json:"excluded"`
	Values     map[string]any `json:"values,omitempty"`
	// AlreadyDone: this occurrence fired before, a run would skip it.
	AlreadyDone bool `json:"already_done"`
}

// SchedulePreview is who a schedule would match.
type SchedulePreview struct {
	At time.Time `json:"at"`
	// Since is data.since: when the previous run started (see since).
	Since    time.Time      `json:"since"`
	Scanned  int            `json:"scanned"`
	Matched  int            `json:"matched"`
	Errors   int            `json:"errors"`
	Samples  []string       `json:"error_samples"`
	Matches  []PreviewMatch `json:"matches"`
	Complete bool           `json:"complete"`
}

// MaxPreviewMatches bounds the matches a preview lists (it still counts
// them all).
const MaxPreviewMatches = 1000

// SchedulePreviewAt lists who the schedule would match at (zero: now),
// without sending anything.
func (s *Service) SchedulePreviewAt(ctx context.Context, ws *model.Workspace, key string, at time.Time) (*SchedulePreview, error) {
	cs, at, since, err := s.previewSchedule(ctx, ws, key, at)
	if err != nil {
		return nil, err
	}
	sc := cs.sc
	out := &SchedulePreview{At: at, Since: since, Matches: []PreviewMatch{}, Samples: []string{}, Complete: true}
	err = s.scan(ctx, cs, ws.ID, "", at, since, func(p sourcePage, outs []verdict) error {
		out.Scanned += p.scanned
		for i, o := range outs {
			if o.err != nil {
				out.Errors++
				if len(out.Samples) < maxErrorSamples {
					out.Samples = append(out.Samples, fmt.Sprintf("%s: %v", p.recs[i].label(), o.err))
				}
				continue
			}
			if !o.ok {
				continue
			}
			m := o.m
			out.Matched++
			if len(out.Matches) >= MaxPreviewMatches {
				out.Complete = false
				continue
			}
			pm, err := s.previewMatch(ctx, ws, sc, m)
			if err != nil {
				return err
			}
			out.Matches = append(out.Matches, pm)
		}
		return nil
	})
	return out, err
}

// previewSchedule prepares a preview of schedule key at at (zero: now):
// the compiled schedule, the instant and data.since as a run then would
// see it.
func (s *Service) previewSchedule(ctx context.Context, ws *model.Workspace, key string, at time.Time) (*compiledSchedule, time.Time, time.Time, error) {
	sc, err := s.ScheduleGet(ctx, ws, key)
	if err != nil {
		return nil, at, at, err
	}
	cs, err := s.compileSchedule(ws, sc)
	if err != nil {
		return nil, at, at, err
	}
	if at.IsZero() {
		at = s.now()
	}
	since, err := s.since(ctx, ws.ID, sc.Key, "", at, cs.loc)
	return cs, at, since, err
}

func (s *Service) previewMatch(ctx context.Context, ws *model.Workspace, sc *model.Schedule, m match) (PreviewMatch, error) {
	pm := PreviewMatch{Occurrence: m.occurrence, Excluded: m.excluded, Values: m.values}
	if c := m.rec.contact; c != nil {
		pm.Contact, pm.Name, pm.Email = c.ID, c.Name, c.Email
	} else {
		pm.Object = m.rec.object.ID
		if n, ok := m.rec.object.Attributes["name"].(string); ok {
			pm.Name = n
		}
	}
	_, err := s.store.EventGetByIdempotencyKey(ctx, ws.ID, idempotencyKey(sc, m.occurrence))
	switch {
	case err == nil:
		pm.AlreadyDone = true
	case !errors.Is(err, store.ErrNotFound):
		return pm, err
	}
	return pm, nil
}
