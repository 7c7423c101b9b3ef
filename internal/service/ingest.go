package service

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/plan"
	"github.com/herold-dev/herold/internal/store"
)

// EventInput is an event as a host application (or a schedule) sends it.
type EventInput struct {
	Type    string
	Project string
	Object  *model.ObjectRef
	// Actors maps a role to contact ids.
	Actors map[string][]string
	// Contact is the contact the event is about (optional).
	Contact string
	// Contacts are inline contacts to upsert before planning (those given
	// in full in actors or contact).
	Contacts []*model.Contact
	// ContactFields are the request paths of Contacts (e.g.
	// "actors.promoter[1]"), for error messages.
	ContactFields  []string
	Data           map[string]any
	OccurredAt     time.Time
	IdempotencyKey string
	Source         model.EventSource
	// Origin, when set, is recorded as the first step of the trace (the
	// schedule that emitted the event).
	Origin *model.Step
	// Exclusion, when set, records the event with this step and plans
	// nothing (a schedule excluded the record).
	Exclusion *model.Step
}

// IngestResult is the answer for one event.
type IngestResult struct {
	Event *model.Event
	// Duplicate is true when the idempotency key was seen before: Event and
	// Messages are the first result and nothing new was created.
	Duplicate bool
	Messages  []*model.Message
}

// MaxBatchEvents is the most events one batch request may carry.
const MaxBatchEvents = 1000

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// checkEvent validates an event; prefix is the field path prefix.
func checkEvent(c *checker, prefix string, in *EventInput) {
	f := func(name string) string { return prefix + name }
	c.name(f("type"), in.Type)
	c.name(f("project"), in.Project)
	if in.Object != nil {
		c.name(f("object.collection"), in.Object.Collection)
		c.id(f("object.id"), in.Object.ID)
	}
	for _, role := range sortedKeys(in.Actors) {
		if !model.ValidName(role) {
			c.add(f("actors."+role), CodeInvalid, "%q is not a valid role name: %s", role, model.NameRule())
		}
		for i, id := range in.Actors[role] {
			c.id(fmt.Sprintf("%sactors.%s[%d]", prefix, role, i), id)
		}
	}
	if in.Contact != "" {
		c.id(f("contact"), in.Contact)
	}
	for i, ct := range in.Contacts {
		ct.Normalize()
		path := fmt.Sprintf("contacts[%d]", i)
		if i < len(in.ContactFields) {
			path = in.ContactFields[i]
		}
		checkContact(c, prefix+path+".", ct)
	}
	if len(in.IdempotencyKey) > 200 || model.HasCRLF(in.IdempotencyKey) {
		c.add(f("idempotency_key"), CodeInvalid, "use at most 200 characters on one line")
	}
	if in.Source != model.SourceSchedule && hasReservedPrefix(in.IdempotencyKey) {
		c.add(f("idempotency_key"), CodeReserved, "keys starting with %q or %q are Herold's own; choose another", schedulePrefix, reportPrefix)
	}
}

// Prefixes of the idempotency keys Herold makes itself.
const (
	schedulePrefix = "schedule:"
	reportPrefix   = "report:"
)

func hasReservedPrefix(key string) bool {
	return strings.HasPrefix(key, schedulePrefix) || strings.HasPrefix(key, reportPrefix)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := keysOf(m)
	sort.Strings(keys)
	return keys
}

// Ingest accepts one event: plans its messages, renders them, stores
// everything and queues delivery in one transaction.
func (s *Service) Ingest(ctx context.Context, ws *model.Workspace, in *EventInput) (*IngestResult, error) {
	var c checker
	checkEvent(&c, "", in)
	if err := c.err(); err != nil {
		return nil, err
	}
	if c := s.committer; c != nil {
		return c.submit(ctx, ws, in)
	}
	return s.ingestAlone(ctx, ws, in)
}

// Admit takes a token for a request that writes, or fails at once with
// ErrOverloaded: under overload a quick 503 the client can retry beats
// minutes of queueing until requests time out. The API admits every
// writing request; call release when it is done.
func (s *Service) Admit() (release func(), err error) {
	select {
	case s.admit <- struct{}{}:
		return func() { <-s.admit }, nil
	default:
		return nil, ErrOverloaded
	}
}

// ingestAlone accepts one event in a transaction of its own.
func (s *Service) ingestAlone(ctx context.Context, ws *model.Workspace, in *EventInput) (*IngestResult, error) {
	var res *IngestResult
	err := s.store.WithTx(ctx, func(tx store.Tx) error {
		var p pending
		var err error
		if res, err = s.ingestTx(ctx, tx, ws, in); err != nil {
			return err
		}
		p.add(ws, res)
		return s.flush(ctx, tx, &p)
	})
	if err != nil {
		return nil, err
	}
	s.recordIngest(res)
	return res, nil
}

// BatchItem is one event's answer in a batch: a result or its errors.
type BatchItem struct {
	Result *IngestResult
	Errors []FieldError
}

// IngestBatch accepts many events in one transaction. Invalid events are
// reported by index and skipped; a database error accepts nothing.
func (s *Service) IngestBatch(ctx context.Context, ws *model.Workspace, ins []*EventInput) ([]BatchItem, error) {
	if len(ins) > MaxBatchEvents {
		return nil, &ValidationError{Fields: []FieldError{{Field: "events", Code: CodeTooLong,
			Detail: fmt.Sprintf("at most %d events per batch; split it", MaxBatchEvents)}}}
	}
	items := make([]BatchItem, len(ins))
	for i, in := range ins {
		var c checker
		checkEvent(&c, fmt.Sprintf("events[%d].", i), in)
		items[i].Errors = c.errs
	}
	// Decide and render outside the transaction, then store the whole
	// batch with a few multi-row statements.
	var valid []*EventInput
	var idx []int
	for i, in := range ins {
		if len(items[i].Errors) == 0 {
			valid, idx = append(valid, in), append(idx, i)
		}
	}
	reqs, err := s.prepareGroup(ctx, ws, valid)
	if err != nil {
		return nil, err
	}
	err = s.store.WithTx(ctx, func(tx store.Tx) error {
		results, err := s.writeGroup(ctx, tx, reqs)
		if err != nil {
			return err
		}
		for j, res := range results {
			items[idx[j]].Result = res
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		if it.Result != nil {
			s.recordIngest(it.Result)
		}
	}
	return items, nil
}

// recordIngest counts a committed event and its messages, and tells
// delivery when some are queued.
func (s *Service) recordIngest(res *IngestResult) {
	s.metrics.EventsReceived.WithLabelValues(string(res.Event.Source), fmt.Sprint(res.Duplicate)).Inc()
	if res.Duplicate {
		return
	}
	queued := false
	for _, m := range res.Messages {
		s.metrics.Messages.WithLabelValues(string(m.Status)).Inc()
		queued = queued || m.Status == model.MsgQueued
	}
	if queued {
		s.notify()
	}
}

func (s *Service) ingestTx(ctx context.Context, tx store.Tx, ws *model.Workspace, in *EventInput) (*IngestResult, error) {
	if in.IdempotencyKey != "" {
		if res, err := s.existing(ctx, tx, ws, in.IdempotencyKey); err == nil || !errors.Is(err, store.ErrNotFound) {
			return res, err
		}
	}
	p, err := s.prepare(ctx, tx, ws, in)
	if err != nil {
		return nil, err
	}
	return s.write(ctx, tx, p)
}

// prepared is an event decided and rendered, ready to be stored.
type prepared struct {
	ws       *model.Workspace
	in       *EventInput
	contacts []*model.Contact
	res      *IngestResult
}

// prepare decides an event and renders its messages, reading through q but
// writing nothing. Inline contacts take part in the decision as they will
// be saved.
func (s *Service) prepare(ctx context.Context, q store.Queries, ws *model.Workspace, in *EventInput) (*prepared, error) {
	ps, err := s.prepareAll(ctx, q, ws, []*EventInput{in})
	if err != nil {
		return nil, err
	}
	return ps[0], nil
}

// prepareAll prepares events of one workspace together: what they read is
// loaded with a few queries for all of them (see loadSnapshots), then they
// are decided and rendered on every CPU at once.
func (s *Service) prepareAll(ctx context.Context, q store.Queries, ws *model.Workspace, ins []*EventInput) ([]*prepared, error) {
	now := s.now()
	evs := make([]*model.Event, len(ins))
	var planned []*model.Event
	for i, in := range ins {
		evs[i] = newEvent(in, now)
		if in.Exclusion == nil {
			planned = append(planned, evs[i])
		}
	}
	snaps, err := s.loadSnapshots(ctx, q, ws, planned)
	if err != nil {
		return nil, err
	}
	out := make([]*prepared, len(ins))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(ins)) {
		wg.Go(func() {
			for i := range next {
				out[i] = s.planEvent(ctx, ws, ins[i], evs[i], snaps[evs[i]], now)
			}
		})
	}
	for i := range ins {
		next <- i
	}
	close(next)
	wg.Wait()
	return out, nil
}

// asSaved is an inline contact as saving it will leave it: without
// opt-outs of its own it keeps the stored contact's (nil when new).
func asSaved(ct, stored *model.Contact) *model.Contact {
	if ct.OptOuts != nil {
		return ct
	}
	c := *ct
	c.OptOuts = []string{}
	if stored != nil {
		c.OptOuts = stored.OptOuts
	}
	return &c
}

// newEvent is the event an input becomes, received at now.
func newEvent(in *EventInput, now time.Time) *model.Event {
	for _, ct := range in.Contacts {
		ct.CreatedAt, ct.UpdatedAt = now, now
	}
	ev := &model.Event{
		ID: newID(), Type: in.Type, Project: in.Project, Object: in.Object, Actors: in.Actors,
		Contact: in.Contact, Data: in.Data, OccurredAt: in.OccurredAt, ReceivedAt: now,
		IdempotencyKey: in.IdempotencyKey, Source: in.Source,
	}
	if ev.OccurredAt.IsZero() {
		ev.OccurredAt = now
	}
	if ev.Source == "" {
		ev.Source = model.SourceAPI
	}
	if ev.Actors == nil {
		ev.Actors = map[string][]string{}
	}
	if ev.Data == nil {
		ev.Data = map[string]any{}
	}
	return ev
}

// planEvent plans and renders one event from its snapshot (nil for an event
// a schedule excluded: it is recorded with the exclusion and plans nothing).
func (s *Service) planEvent(ctx context.Context, ws *model.Workspace, in *EventInput, ev *model.Event, snap *snapshot, now time.Time) *prepared {
	var msgs []*model.Message
	if in.Exclusion != nil {
		ev.Trace = []model.Step{{Code: model.StepEventReceived, Params: map[string]string{"type": ev.Type, "project": ev.Project}}, *in.Exclusion}
	} else {
		for _, ct := range in.Contacts {
			snap.contacts[ct.ID] = asSaved(ct, snap.contacts[ct.ID])
		}
		out := plan.Plan(ctx, snap.input(ws, ev, now), s.evaluator())
		msgs = s.materialize(ctx, ws, ev, snap, &out, now)
		ev.Trace = out.Trace
	}
	if in.Origin != nil {
		ev.Trace = append([]model.Step{*in.Origin}, ev.Trace...)
	}
	return &prepared{ws: ws, in: in, contacts: in.Contacts, res: &IngestResult{Event: ev, Messages: msgs}}
}

// write stores a prepared event: its inline contacts, the event with its
// trace and its messages.
func (s *Service) write(ctx context.Context, tx store.Tx, p *prepared) (*IngestResult, error) {
	ws := p.ws
	if len(p.contacts) > 0 {
		if err := tx.ContactUpsertMany(ctx, ws.ID, p.contacts); err != nil {
			return nil, fmt.Errorf("save inline contacts: %w", err)
		}
	}
	if err := tx.EventInsert(ctx, ws.ID, p.res.Event); err != nil {
		return nil, fmt.Errorf("save event: %w", err)
	}
	if err := tx.MessageInsertMany(ctx, ws.ID, p.res.Messages); err != nil {
		return nil, fmt.Errorf("save messages: %w", err)
	}
	return p.res, nil
}

// existing answers a repeated idempotency key with the first result.
func (s *Service) existing(ctx context.Context, q store.Queries, ws *model.Workspace, key string) (*IngestResult, error) {
	ev, err := q.EventGetByIdempotencyKey(ctx, ws.ID, key)
	if err != nil {
		return nil, err
	}
	msgs, err := q.MessageList(ctx, &store.MessageListParams{WorkspaceID: ws.ID, EventID: ev.ID, Limit: 10000})
	if err != nil {
		return nil, fmt.Errorf("load messages of event: %w", err)
	}
	sort.Slice(msgs, func(i, j int) bool { return msgs[i].ID < msgs[j].ID })
	return &IngestResult{Event: ev, Duplicate: true, Messages: msgs}, nil
}

// statsReason keeps suppression reasons (a short, fixed set) and drops free
// text.
func statsReason(m *model.Message) string {
	if m.Status == model.MsgSuppressed {
		return m.Reason
	}
	return ""
}

// messageIDHeader builds the stable Message-ID of a message.
func (s *Service) messageIDHeader(id, from string) string {
	domain := s.msgDomain
	if domain == "" {
		if a, err := model.ParseAddress(from); err == nil {
			_, domain, _ = strings.Cut(a.Address, "@")
		}
	}
	if domain == "" {
		domain = "herold.invalid"
	}
	return id + "@" + domain
}
