// Package impact measures what a proposed configuration would have done to
// real traffic: it replays a workspace's recorded events through the same
// planner the engine uses (ingest.Replan) with the proposed projects and
// flows, and compares the messages with those the current configuration
// plans for the same events today and with those actually recorded.
//
// A replay decides each event as of its received time ("now" for its
// conditions), with the event's object and contacts as they are now: a
// contact whose address or consent changed since the event plans
// differently today. So that such changes are not blamed on the proposal,
// every event is also replayed through the current configuration:
// added, removed and changed messages are the differences between the
// current and the proposed configuration on today's data; what differs
// between the recorded messages and today's replay of the current
// configuration is reported apart as drift.
//
// A replay writes nothing and sends nothing.
package impact

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/herold-dev/herold/internal/clock"
	"github.com/herold-dev/herold/internal/condition"
	"github.com/herold-dev/herold/internal/ingest"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/plan"
	"github.com/herold-dev/herold/internal/store"
)

// Config is a proposed configuration of one workspace: every project and
// every flow (with its notifications). A project or flow missing here is
// one the proposal deletes.
type Config struct {
	Projects []model.Project
	Flows    []model.Flow
}

// Defaults and bounds of Options.
const (
	// DefaultWindow is how far back a replay looks by default.
	DefaultWindow = 7 * 24 * time.Hour
	// DefaultMaxEvents is how many events a replay decides by default.
	DefaultMaxEvents = 10_000
	// MaxMaxEvents bounds Options.MaxEvents, whoever asks.
	MaxMaxEvents = 100_000
	// DefaultExamples is how many examples a group keeps by default.
	DefaultExamples = 3
	// MaxExamples bounds Options.Examples.
	MaxExamples = 20
	// MaxWindow bounds Until - Since.
	MaxWindow = 92 * 24 * time.Hour
)

// pageSize is how many events are read and decided at a time: memory is
// bounded by a page, never by the window.
const pageSize = 200

// Options bound a replay.
type Options struct {
	// Since and Until bound the events' received time [Since, Until).
	// Default Until: now; default Since: Until - 7 days (DefaultWindow).
	// The window may be at most MaxWindow long.
	Since, Until time.Time
	// Days sets Since to Until minus that many days when Since is zero
	// (herold plan --days); zero means DefaultWindow.
	Days int
	// MaxEvents is the most events replayed, newest first; default
	// DefaultMaxEvents, at most MaxMaxEvents. Reaching it is reported
	// (Report.Truncated).
	MaxEvents int
	// Examples is the most examples kept per group; default
	// DefaultExamples, at most MaxExamples.
	Examples int
	// Clock gives "now" for the default window; default the system clock.
	Clock clock.Clock
	// Conditions evaluates the notifications' conditions; default a new
	// environment (condition.New), as the engine's.
	Conditions *condition.Env
}

// ErrOptions is wrapped by every OptionsError.
var ErrOptions = errors.New("invalid replay options")

// OptionsError names the option that is wrong, for an API's problem
// details.
type OptionsError struct {
	// Field is the option's name in the API: since, until, days, max_events or
	// examples.
	Field   string
	Message string
}

func (e *OptionsError) Error() string { return e.Field + ": " + e.Message }

// Unwrap makes every OptionsError an ErrOptions.
func (e *OptionsError) Unwrap() error { return ErrOptions }

// withDefaults fills in the defaults and checks the bounds.
func (o Options) withDefaults() (Options, error) {
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.Until.IsZero() {
		o.Until = o.Clock.Now()
	}
	if o.Days < 0 || o.Days > int(MaxWindow/(24*time.Hour)) {
		return o, &OptionsError{"days", fmt.Sprintf("must be between 1 and %d", int(MaxWindow/(24*time.Hour)))}
	}
	if o.Since.IsZero() {
		o.Since = o.Until.Add(-cmp.Or(time.Duration(o.Days)*24*time.Hour, DefaultWindow))
	}
	o.Since, o.Until = o.Since.UTC(), o.Until.UTC()
	switch {
	case !o.Since.Before(o.Until):
		return o, &OptionsError{"since", fmt.Sprintf("must be before until (%s)", o.Until.Format(time.RFC3339))}
	case o.Until.Sub(o.Since) > MaxWindow:
		return o, &OptionsError{"since", fmt.Sprintf("the window from since to until may be at most %d days", int(MaxWindow/(24*time.Hour)))}
	case o.MaxEvents < 0 || o.MaxEvents > MaxMaxEvents:
		return o, &OptionsError{"max_events", fmt.Sprintf("must be between 1 and %d", MaxMaxEvents)}
	case o.Examples < 0 || o.Examples > MaxExamples:
		return o, &OptionsError{"examples", fmt.Sprintf("must be between 1 and %d", MaxExamples)}
	}
	o.MaxEvents = cmp.Or(o.MaxEvents, DefaultMaxEvents)
	o.Examples = cmp.Or(o.Examples, DefaultExamples)
	if o.Conditions == nil {
		env, err := condition.New()
		if err != nil {
			return o, fmt.Errorf("condition environment: %w", err)
		}
		o.Conditions = env
	}
	return o, nil
}

// Replay replays the events ws received in [opt.Since, opt.Until), newest
// first, through the proposed configuration cfg and through the current
// one, and reports the difference per project, flow and notification. It
// reads a page of events at a time and writes nothing. A cancelled ctx
// stops it with ctx's error.
func Replay(ctx context.Context, st store.Store, ws *model.Workspace, cfg Config, opt Options) (*Report, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, err
	}
	proposed := newFixedConfig(cfg)
	current, err := ingest.StoredConfig(ctx, st, ws.ID)
	if err != nil {
		return nil, fmt.Errorf("read configuration version: %w", err)
	}
	agg := newAggregator(opt.Examples)
	env := opt.Conditions
	rep := &Report{Since: opt.Since, Until: opt.Until}
	before := ""
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		limit := min(pageSize, opt.MaxEvents-rep.Events-rep.Skipped+1)
		evs, err := st.EventList(ctx, &store.EventListParams{WorkspaceID: ws.ID, Since: &opt.Since, Until: &opt.Until,
			Before: before, Limit: limit})
		if err != nil {
			return nil, fmt.Errorf("list events: %w", err)
		}
		if rep.Events+rep.Skipped+len(evs) > opt.MaxEvents {
			evs = evs[:opt.MaxEvents-rep.Events-rep.Skipped]
			rep.Truncated = true
		}
		if err := replayPage(ctx, st, ws, env, current, proposed, evs, agg, rep); err != nil {
			return nil, err
		}
		if rep.Truncated || len(evs) < limit {
			break
		}
		before = evs[len(evs)-1].ID
	}
	if rep.Projects, err = agg.projects(ctx, current, proposed); err != nil {
		return nil, err
	}
	for _, p := range rep.Projects {
		rep.Totals.add(p.Counts)
	}
	return rep, nil
}

// replayPage decides one page of events through both configurations and
// compares them with the recorded messages.
func replayPage(ctx context.Context, st store.Store, ws *model.Workspace, env *condition.Env, current, proposed configView,
	evs []*model.Event, agg *aggregator, rep *Report,
) error {
	if len(evs) == 0 {
		return nil
	}
	cur, err := ingest.Replan(ctx, st, ws, current, env, evs)
	if err != nil {
		return fmt.Errorf("replay with the current configuration: %w", err)
	}
	next, err := ingest.Replan(ctx, st, ws, proposed, env, evs)
	if err != nil {
		return fmt.Errorf("replay with the proposed configuration: %w", err)
	}
	recorded, err := recordedPage(ctx, st, ws.ID, evs, cur)
	if err != nil {
		return err
	}
	for i, ev := range evs {
		rep.Oldest = ev.ReceivedAt
		if cur[i] == nil {
			rep.Skipped++
			continue
		}
		rep.Events++
		agg.event(ev, recorded[i],
			planned(ctx, ev, current, cur[i]),
			planned(ctx, ev, proposed, next[i]))
	}
	return nil
}

// readers is how many queries read recorded messages at once: one query
// per event, run side by side, so that a replay on PostgreSQL is not one
// network round trip per event in a row.
const readers = 4

// recordedPage reads the recorded messages of a page's replayed events
// (those with a plan in cur).
func recordedPage(ctx context.Context, st store.Store, wsID int64, evs []*model.Event, cur []*plan.Output) ([][]Message, error) {
	out := make([][]Message, len(evs))
	errs := make([]error, len(evs))
	next := make(chan int)
	var wg sync.WaitGroup
	for range readers {
		wg.Go(func() {
			for i := range next {
				out[i], errs[i] = recordedMessages(ctx, st, wsID, evs[i].ID)
			}
		})
	}
	for i := range evs {
		if cur[i] != nil {
			next <- i
		}
	}
	close(next)
	wg.Wait()
	return out, errors.Join(errs...)
}

// maxMessagesPerEvent bounds the recorded messages read for one event; an
// event has one message per recipient of each matching notification.
const maxMessagesPerEvent = 10_000

// recordedMessages reads the messages recorded for one event.
func recordedMessages(ctx context.Context, st store.Store, wsID int64, eventID string) ([]Message, error) {
	var out []Message
	before := ""
	for len(out) < maxMessagesPerEvent {
		ms, err := st.MessageList(ctx, &store.MessageListParams{WorkspaceID: wsID, EventID: eventID, Before: before, Limit: 500})
		if err != nil {
			return nil, fmt.Errorf("list messages of event %s: %w", eventID, err)
		}
		for _, m := range ms {
			out = append(out, fromRecorded(m))
		}
		if len(ms) < 500 {
			break
		}
		before = ms[len(ms)-1].ID
	}
	return out, nil
}
