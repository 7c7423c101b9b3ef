package service

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/herold-dev/herold/internal/clock"
	"github.com/herold-dev/herold/internal/explain"
	"github.com/herold-dev/herold/internal/ingest"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
	"github.com/herold-dev/herold/internal/store/sqlite"
	"github.com/herold-dev/herold/internal/transfer"
)

// Bounds of one simulation: what a request may ask for and what it may
// cost.
const (
	// MaxSimulateEvents is the most events one simulation takes.
	MaxSimulateEvents = 1000
	// MaxSimulateSpan is the longest simulated time, from the first
	// event to until.
	MaxSimulateSpan = 366 * 24 * time.Hour
	// MaxSimulateMessages is the most messages the events of one
	// simulation may plan (recipients of all events together).
	MaxSimulateMessages = 10_000
	// SimulateTimeout is the default of Config.SimulateTimeout: below the
	// Go client's 30 s per attempt, so that a client gets the answer that
	// says what to do rather than its own timeout.
	SimulateTimeout = 25 * time.Second
	// maxSimulations is how many simulations run at once; each copies
	// the workspace into a scratch database.
	maxSimulations = 2
)

// SimulateInput is a simulation request: events at given times, decided
// by one flow.
type SimulateInput struct {
	// Events happen at their OccurredAt (required).
	Events []*EventInput
	// Until is where the simulated time ends; default the last event's
	// time. Messages due later are reported as scheduled.
	Until time.Time
}

// Simulation is the timeline a simulation found.
type Simulation struct {
	Flow  string
	From  time.Time
	Until time.Time
	// Events are the input events in the order given, each with the
	// explanation of its decision.
	Events []SimulatedEvent
	// Messages are all messages the events caused, by the time of their
	// outcome (then by event).
	Messages []SimulatedMessage
}

// SimulatedEvent is one input event with its explanation.
type SimulatedEvent struct {
	// Index is the event's position in the request.
	Index       int
	Event       *model.Event
	Explanation *explain.Explanation
}

// Outcomes of a simulated message besides the message statuses it can
// end in (suppressed, awaiting_confirmation, expired).
const (
	// SimSent is a message queued and due by until: delivery takes it at
	// its time.
	SimSent = "sent"
	// SimScheduled is a message queued but due after until.
	SimScheduled = "scheduled"
)

// SimulatedMessage is one message of the timeline.
type SimulatedMessage struct {
	// Event is the index of the event that caused it.
	Event int
	// Outcome is SimSent, SimScheduled or the message's status at until.
	Outcome string
	// At is when it goes out (sent, scheduled) or was decided.
	At      time.Time
	Message *model.Message
}

// simulationGate bounds the simulations in progress and their time.
type simulationGate struct {
	slots   chan struct{}
	timeout time.Duration
}

func newSimulationGate(timeout time.Duration) simulationGate {
	return simulationGate{slots: make(chan struct{}, maxSimulations), timeout: cmp.Or(timeout, SimulateTimeout)}
}

// Simulate runs events through the flow key on a scratch copy of the
// workspace and returns the timeline of what would be sent. The engine's
// own code decides, on a fake clock stepped through the events' times,
// the due times in between (RunDue) and until: ingest plans, renders and
// writes each event into a scratch SQLite database that holds a copy of
// the workspace's configuration, contacts with their current preferences
// (frequencies, opt-outs), objects and suppression list, removed
// afterwards. The workspace's own data is only read; nothing is
// sent, no webhook posted, no feed item shown. Each event is decided by
// the flow key whichever flow its project uses now.
func (s *Service) Simulate(ctx context.Context, ws *model.Workspace, flowKey string, in *SimulateInput, lang string) (*Simulation, error) {
	if _, err := s.FlowGet(ctx, ws, flowKey); err != nil {
		return nil, err
	}
	order, err := checkSimulation(in)
	if err != nil {
		return nil, err
	}
	for i, ev := range in.Events {
		if _, err := s.store.ProjectGet(ctx, ws.ID, ev.Project); errors.Is(err, store.ErrNotFound) {
			return nil, &ValidationError{Fields: []FieldError{{Field: fmt.Sprintf("events[%d].project", i), Code: CodeUnknownRef,
				Detail: fmt.Sprintf("project %q does not exist; name one of the workspace's projects", ev.Project)}}}
		} else if err != nil {
			return nil, fmt.Errorf("load project: %w", err)
		}
	}
	select {
	case s.simulations.slots <- struct{}{}:
		defer func() { <-s.simulations.slots }()
	default:
		return nil, ErrOverloaded
	}
	sctx, cancel := context.WithTimeout(ctx, s.simulations.timeout)
	defer cancel()
	out, err := s.simulate(sctx, ws, flowKey, in, order, lang)
	// Only the simulation's own deadline is the request's fault; a caller
	// that went away gets its own error back.
	if err != nil && ctx.Err() == nil && errors.Is(sctx.Err(), context.DeadlineExceeded) {
		s.logger.WarnContext(ctx, "simulation stopped at its time limit", "workspace", ws.Key, "flow", flowKey,
			"events", len(in.Events), "limit", s.simulations.timeout)
		return nil, &ValidationError{Fields: []FieldError{{Field: "events", Code: CodeTooLong,
			Detail: fmt.Sprintf("the simulation took longer than %s; simulate fewer events or a shorter span", s.simulations.timeout)}}}
	}
	return out, err
}

// checkSimulation validates the request and returns the events' indexes
// in the order of their times.
func checkSimulation(in *SimulateInput) ([]int, error) {
	var c checker
	switch {
	case len(in.Events) == 0:
		c.add("events", CodeRequired, "give at least one event")
	case len(in.Events) > MaxSimulateEvents:
		c.add("events", CodeTooLong, "at most %d events per simulation; split it", MaxSimulateEvents)
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	order := make([]int, len(in.Events))
	for i, ev := range in.Events {
		order[i] = i
		prefix := fmt.Sprintf("events[%d].", i)
		checkEvent(&c, prefix, ev)
		if ev.OccurredAt.IsZero() {
			c.add(prefix+"occurred_at", CodeRequired, "give the time the event happens, e.g. 2026-03-01T09:00:00Z")
		}
		ev.Source = model.SourceAPI
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	slices.SortStableFunc(order, func(a, b int) int { return in.Events[a].OccurredAt.Compare(in.Events[b].OccurredAt) })
	first, last := in.Events[order[0]].OccurredAt, in.Events[order[len(order)-1]].OccurredAt
	if in.Until.IsZero() {
		in.Until = last
	}
	switch {
	case in.Until.Before(last):
		c.add("until", CodeInvalid, "must not be before the last event (%s)", last.UTC().Format(time.RFC3339))
	case in.Until.Sub(first) > MaxSimulateSpan:
		field := "until"
		if last.Sub(first) > MaxSimulateSpan {
			field = fmt.Sprintf("events[%d].occurred_at", order[len(order)-1])
		}
		c.add(field, CodeTooLong, "simulate at most %d days from the first event (%s)",
			int(MaxSimulateSpan.Hours()/24), first.UTC().Format(time.RFC3339))
	}
	return order, c.err()
}

// simulate runs the checked request on a scratch store.
func (s *Service) simulate(ctx context.Context, ws *model.Workspace, flowKey string, in *SimulateInput, order []int, lang string) (*Simulation, error) {
	dir, err := os.MkdirTemp("", "herold-simulate-")
	if err != nil {
		return nil, fmt.Errorf("create scratch directory: %w", err)
	}
	defer func() {
		if err := os.RemoveAll(dir); err != nil {
			s.logger.Warn("remove scratch database of a simulation", "dir", dir, "err", err)
		}
	}()
	scratch, err := sqlite.Open(filepath.Join(dir, "simulate.db"), sqlite.Options{ReadConns: 2})
	if err != nil {
		return nil, fmt.Errorf("open scratch database: %w", err)
	}
	defer scratch.Close()
	if err := scratch.Migrate(ctx); err != nil {
		return nil, fmt.Errorf("migrate scratch database: %w", err)
	}
	sws, err := transfer.CopyWorkspace(ctx, s.store, scratch, ws)
	if err != nil {
		return nil, err
	}
	if err := pointProjects(ctx, scratch, sws.ID, flowKey, in.Events); err != nil {
		return nil, err
	}
	first := in.Events[order[0]].OccurredAt
	fake := clock.NewFake(first)
	sim, err := New(Config{Store: scratch, Clock: fake, Logger: slog.New(slog.DiscardHandler), Conditions: s.conditions,
		RenderLimits: s.limits, Catalog: s.catalog, BaseURL: s.baseURL, Capture: s.capture,
		MessageIDDomain: s.messageIDDomain, InboundDomain: s.inboundDomain})
	if err != nil {
		return nil, err
	}
	evs, err := sim.runTimeline(ctx, sws, fake, in, order)
	if err != nil {
		return nil, err
	}
	return sim.timeline(ctx, sws, flowKey, in, evs, lang)
}

// pointProjects makes the events' projects use flowKey in the scratch
// store.
func pointProjects(ctx context.Context, st store.Store, ws int64, flowKey string, events []*EventInput) error {
	done := map[string]bool{}
	for _, ev := range events {
		if done[ev.Project] {
			continue
		}
		done[ev.Project] = true
		p, err := st.ProjectGet(ctx, ws, ev.Project)
		if err != nil {
			return fmt.Errorf("load copied project %s: %w", ev.Project, err)
		}
		p.Flow = flowKey
		if _, err := st.ProjectUpsert(ctx, ws, p); err != nil {
			return fmt.Errorf("point project %s at flow %s: %w", p.Key, flowKey, err)
		}
	}
	return nil
}

// simSteps are the times after the events' at which the simulation runs
// the due work: when a confirmation expires, when a held message is due.
// Work RunDue does at a time not on a message (a digest closing) adds
// its time here.
type simSteps []time.Time

func (st *simSteps) add(t *time.Time) {
	if t != nil {
		*st = append(*st, *t)
	}
}

// addAfter adds the first moment after t: a deadline is past only after
// it (the stores keep milliseconds and expire what is before now).
func (st *simSteps) addAfter(t *time.Time) {
	if t != nil {
		*st = append(*st, t.Add(time.Millisecond))
	}
}

// digest adds the times the digest that took it an item at at may close:
// its window's end as of this item and its deadline (a sliding window
// ends at the earlier of the two; a later item moves only the first),
// and, with at most so many items, at once (this item may have filled it).
func (st *simSteps) digest(it *ingest.DigestItem, at time.Time) {
	closes, deadline := it.Closing(at)
	st.add(&closes)
	st.add(&deadline)
	if (it.Spec != nil && it.Spec.MaxItems > 0) || !closes.After(at) {
		st.addAfter(&at)
	}
}

// next returns the earliest step after now and not after until, and
// forgets the steps up to now.
func (st *simSteps) next(now, until time.Time) (time.Time, bool) {
	var best time.Time
	kept := (*st)[:0]
	for _, t := range *st {
		if !t.After(now) {
			continue // past: done
		}
		kept = append(kept, t)
		if !t.After(until) && (best.IsZero() || t.Before(best)) {
			best = t
		}
	}
	*st = kept
	return best, !best.IsZero()
}

// runTimeline steps the fake clock through the events and the due work
// and returns the stored event of each input (by index).
func (s *Service) runTimeline(ctx context.Context, ws *model.Workspace, fake *clock.Fake, in *SimulateInput, order []int) ([]*model.Event, error) {
	evs := make([]*model.Event, len(in.Events))
	var steps simSteps
	planned := 0
	for k := 0; k < len(order); {
		at := in.Events[order[k]].OccurredAt
		if t, ok := steps.next(fake.Now(), at); ok && t.Before(at) {
			at = t
		} else {
			at = in.Events[order[k]].OccurredAt
		}
		fake.Set(at)
		if err := s.RunDue(ctx); err != nil {
			return nil, fmt.Errorf("run due work at %s: %w", at.Format(time.RFC3339), err)
		}
		for ; k < len(order) && !in.Events[order[k]].OccurredAt.After(at); k++ {
			i := order[k]
			res, err := s.ingest.Accept(ctx, ws, in.Events[i])
			if err != nil {
				return nil, fmt.Errorf("events[%d]: %w", i, err)
			}
			evs[i] = res.Event
			planned += len(res.Messages)
			if planned > MaxSimulateMessages {
				return nil, &ValidationError{Fields: []FieldError{{Field: "events", Code: CodeTooLong,
					Detail: fmt.Sprintf("the events plan more than %d messages; simulate fewer events", MaxSimulateMessages)}}}
			}
			for _, m := range res.Messages {
				steps.addAfter(m.ExpiresAt)
				steps.add(m.NextAttemptAt)
			}
			for _, it := range res.Digests {
				steps.digest(it, at)
			}
		}
	}
	for {
		t, ok := steps.next(fake.Now(), in.Until)
		if !ok {
			break
		}
		fake.Set(t)
		if err := s.RunDue(ctx); err != nil {
			return nil, fmt.Errorf("run due work at %s: %w", t.Format(time.RFC3339), err)
		}
	}
	fake.Set(in.Until)
	if err := s.RunDue(ctx); err != nil {
		return nil, fmt.Errorf("run due work at %s: %w", in.Until.Format(time.RFC3339), err)
	}
	return evs, nil
}

// timeline reads the messages' states at until from the scratch store.
func (s *Service) timeline(ctx context.Context, ws *model.Workspace, flowKey string, in *SimulateInput, evs []*model.Event, lang string) (*Simulation, error) {
	out := &Simulation{Flow: flowKey, Until: in.Until.UTC(), Events: make([]SimulatedEvent, len(evs))}
	for i, ev := range evs {
		if out.From.IsZero() || ev.ReceivedAt.Before(out.From) {
			out.From = ev.ReceivedAt.UTC()
		}
		msgs, err := s.store.MessageList(ctx, &store.MessageListParams{WorkspaceID: ws.ID, EventID: ev.ID, Limit: MaxSimulateMessages + 1})
		if err != nil {
			return nil, fmt.Errorf("list simulated messages: %w", err)
		}
		// The list omits timelines; explain needs them (an expiry).
		for j, m := range msgs {
			if msgs[j], err = s.store.MessageGet(ctx, ws.ID, m.ID); err != nil {
				return nil, fmt.Errorf("read simulated message: %w", err)
			}
			msgs[j].HTML, msgs[j].Text = "", ""
		}
		full, err := s.store.EventGet(ctx, ws.ID, ev.ID)
		if err != nil {
			return nil, fmt.Errorf("read simulated event: %w", err)
		}
		out.Events[i] = SimulatedEvent{Index: i, Event: full, Explanation: s.explainer.Build(full, msgs, lang, ws.Location())}
		for _, m := range msgs {
			out.Messages = append(out.Messages, simulated(i, m, in.Until))
		}
	}
	slices.SortStableFunc(out.Messages, func(a, b SimulatedMessage) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.Event, b.Event))
	})
	return out, nil
}

// simulated is a message's outcome at until.
func simulated(event int, m *model.Message, until time.Time) SimulatedMessage {
	sm := SimulatedMessage{Event: event, Outcome: string(m.Status), At: m.UpdatedAt.UTC(), Message: m}
	if m.Status == model.MsgQueued {
		sm.At = m.CreatedAt.UTC()
		if m.QueuedAt != nil {
			sm.At = m.QueuedAt.UTC()
		}
		if m.NextAttemptAt != nil && m.NextAttemptAt.After(sm.At) {
			sm.At = m.NextAttemptAt.UTC()
		}
		sm.Outcome = SimSent
		if sm.At.After(until) {
			sm.Outcome = SimScheduled
		}
	}
	return sm
}
