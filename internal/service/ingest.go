package service

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/herold-dev/herold/internal/ingest"
	"github.com/herold-dev/herold/internal/model"
)

// EventInput is an event as a host application (or a schedule, or a
// person) sends it; see ingest.Input.
type EventInput = ingest.Input

// IngestResult is the answer for one event; see ingest.Result.
type IngestResult = ingest.Result

// MaxBatchEvents is the most events one batch request may carry.
const MaxBatchEvents = 1000

func newID() string { return ingest.NewID() }

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
	c.data(f("data"), in.Data)
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
	if in.Source != model.SourceSchedule && in.Source != model.SourceMail && hasReservedPrefix(in.IdempotencyKey) {
		c.add(f("idempotency_key"), CodeReserved, "keys starting with %q, %q, %q or %q are Herold's own; choose another",
			schedulePrefix, reportPrefix, broadcastPrefix, mailPrefix)
	}
}

// Prefixes of the idempotency keys Herold makes itself.
const (
	schedulePrefix  = "schedule:"
	reportPrefix    = "report:"
	broadcastPrefix = "broadcast:"
	// mailPrefix starts the keys of mail.received events (see inbound).
	mailPrefix = "mail:"
)

func hasReservedPrefix(key string) bool {
	return strings.HasPrefix(key, schedulePrefix) || strings.HasPrefix(key, reportPrefix) ||
		strings.HasPrefix(key, broadcastPrefix) || strings.HasPrefix(key, mailPrefix)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := keysOf(m)
	sort.Strings(keys)
	return keys
}

// Ingest accepts one event: validates it, then plans its messages,
// renders them, stores everything and queues delivery in one transaction
// (see package ingest).
func (s *Service) Ingest(ctx context.Context, ws *model.Workspace, in *EventInput) (*IngestResult, error) {
	var c checker
	checkEvent(&c, "", in)
	if err := c.err(); err != nil {
		return nil, err
	}
	return s.ingest.Accept(ctx, ws, in)
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
	var valid []*EventInput
	var idx []int
	for i, in := range ins {
		if len(items[i].Errors) == 0 {
			valid, idx = append(valid, in), append(idx, i)
		}
	}
	if len(valid) == 0 {
		return items, nil
	}
	results, err := s.ingest.AcceptMany(ctx, ws, valid, nil)
	if err != nil {
		return nil, err
	}
	for j, res := range results {
		items[idx[j]].Result = res
	}
	return items, nil
}
