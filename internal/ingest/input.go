package ingest

import (
	"time"

	"github.com/google/uuid"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/plan"
)

// Input is an event as a host application, a schedule or a person sends
// it, validated by the caller.
type Input struct {
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
	ContactFields []string
	Data          map[string]any
	// OccurredAt is when it happened in the host application; zero means
	// when it is received.
	OccurredAt     time.Time
	IdempotencyKey string
	Source         model.EventSource
	// Origin, when set, is recorded as the first step of the trace (the
	// schedule that emitted the event).
	Origin *model.Step
	// Exclusion, when set, records the event with this step and plans
	// nothing (a schedule excluded the record).
	Exclusion *model.Step
	// Manual, when set, is the one notification a person sends by hand,
	// instead of the project's flow.
	Manual *model.Notification
	// Template, when set with Manual, is the template Manual's template
	// key names, given whole (a broadcast's own content) instead of read
	// from the workspace's templates.
	Template *model.Template
	// NotBefore, when after the time the event is accepted, keeps its
	// queued messages in the delivery queue until then (a paced
	// broadcast spreads a batch over its minute): delivery claims them
	// when they are due, and until then they can still be cancelled.
	NotBefore time.Time
}

// Result is the answer for one event.
type Result struct {
	Event *model.Event
	// Duplicate is true when the idempotency key was seen before: Event and
	// Messages are the first result and nothing new was created.
	Duplicate bool
	Messages  []*model.Message
	// Webhooks are the posts the webhook channel planned (not kept: the
	// queued deliveries record them).
	Webhooks []plan.Webhook
	// Digests are the items collected into digests instead of messages.
	Digests []*DigestItem
}

// NewID returns a new time-ordered id (UUIDv7).
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// newEvent is the event an input becomes, received at now.
func newEvent(in *Input, now time.Time) *model.Event {
	for _, ct := range in.Contacts {
		ct.CreatedAt, ct.UpdatedAt = now, now
	}
	ev := &model.Event{
		ID: NewID(), Type: in.Type, Project: in.Project, Object: in.Object, Actors: in.Actors,
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
