package client

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"time"
)

// Actor is a contact in an event: a contact id Herold already knows
// (ContactID) or a contact sent along, which Herold creates or replaces
// before planning (Inline).
type Actor struct {
	ID      string
	Contact *Contact
}

// ContactID refers to a contact Herold already knows.
func ContactID(id string) Actor { return Actor{ID: id} }

// Inline sends a contact with the event; Herold creates or updates it.
func Inline(c Contact) Actor { return Actor{ID: c.ID, Contact: &c} }

// MarshalJSON writes the id or the contact object.
func (a Actor) MarshalJSON() ([]byte, error) {
	if a.Contact != nil {
		return json.Marshal(a.Contact)
	}
	return json.Marshal(a.ID)
}

// UnmarshalJSON reads an id or a contact object, so an Event round-trips.
func (a *Actor) UnmarshalJSON(b []byte) error {
	if b = bytes.TrimSpace(b); len(b) > 0 && b[0] == '"' {
		*a = Actor{}
		return json.Unmarshal(b, &a.ID)
	}
	var ct Contact
	if err := json.Unmarshal(b, &ct); err != nil {
		return err
	}
	*a = Inline(ct)
	return nil
}

// ObjectRef names an object.
type ObjectRef struct {
	Collection string `json:"collection"`
	ID         string `json:"id"`
}

// Event is something that happened in the host application, to send.
type Event struct {
	// Type is matched against the notifications' event type.
	Type string `json:"type"`
	// Project is the project's key.
	Project string     `json:"project"`
	Object  *ObjectRef `json:"object,omitempty"`
	// Actors are contacts by role ("promoter", "assignee", …).
	Actors map[string][]Actor `json:"actors,omitempty"`
	// Contact is the contact the event is about (whose birthday it is).
	Contact *Actor         `json:"contact,omitempty"`
	Data    map[string]any `json:"data,omitempty"`
	// OccurredAt defaults to when Herold receives the event.
	OccurredAt *time.Time `json:"occurred_at,omitempty"`
	// IdempotencyKey makes a retried event count once. Leave it empty and
	// the client sets a random one per call (starting with "go-"), so its
	// own retries are safe; set your own (e.g. "booking-4711-confirmed")
	// to make your retries across calls or restarts safe too.
	IdempotencyKey string `json:"idempotency_key,omitempty"`
}

// withKey returns e with an idempotency key, leaving the caller's event
// unchanged.
func withKey(e *Event) *Event {
	if e == nil || e.IdempotencyKey != "" {
		return e
	}
	cp := *e
	cp.IdempotencyKey = newIdempotencyKey()
	return &cp
}

func newIdempotencyKey() string { return "go-" + rand.Text() }

// EventResult is the answer to an accepted event: what it planned.
type EventResult struct {
	ID string `json:"id"`
	// Duplicate is true when the idempotency key was seen before: this is
	// the first result and nothing new was created.
	Duplicate  bool      `json:"duplicate"`
	ReceivedAt time.Time `json:"received_at"`
	// Messages lists every planned message, suppressed ones included.
	Messages []MessageSummary `json:"messages"`
}

// SendEvent sends one event; the answer lists every planned message. The
// event gets an idempotency key when it has none (see Event).
func (c *Client) SendEvent(ctx context.Context, e *Event) (*EventResult, error) {
	var out EventResult
	if err := c.do(ctx, &request{method: http.MethodPost, path: "/v1/events", body: withKey(e), out: &out, replayable: true}); err != nil {
		return nil, err
	}
	return &out, nil
}

// BatchResult is one event's outcome in SendEvents.
type BatchResult struct {
	// Index is the event's position in the request.
	Index int
	// Result is the accepted event's answer; nil when it was rejected.
	Result *EventResult
	// Err is why the event was rejected: an *Error matching ErrValidation,
	// its fields named "events[INDEX].FIELD". Nil when accepted.
	Err error
}

// batchItem is BatchResult as the API writes it.
type batchItem struct {
	Index      int              `json:"index"`
	ID         string           `json:"id"`
	Duplicate  bool             `json:"duplicate"`
	ReceivedAt time.Time        `json:"received_at"`
	Messages   []MessageSummary `json:"messages"`
	Errors     []FieldError     `json:"errors"`
}

// batchRequest and batchAnswer are the bodies of POST /v1/events/batch.
type batchRequest struct {
	Events []*Event `json:"events"`
}

type batchAnswer struct {
	Results []batchItem `json:"results"`
}

// SendEvents sends up to 1,000 events in one request and one transaction,
// each with an idempotency key (see Event). Valid events are accepted even
// when others are rejected: look at each result's Err. The error is for
// the request as a whole, and then there are no results.
func (c *Client) SendEvents(ctx context.Context, events []*Event) ([]BatchResult, error) {
	in := batchRequest{Events: make([]*Event, len(events))}
	for i, e := range events {
		in.Events[i] = withKey(e)
	}
	var out batchAnswer
	if err := c.do(ctx, &request{method: http.MethodPost, path: "/v1/events/batch", body: in, out: &out, replayable: true}); err != nil {
		return nil, err
	}
	res := make([]BatchResult, len(out.Results))
	for i, it := range out.Results {
		res[i].Index = it.Index
		if len(it.Errors) > 0 {
			res[i].Err = &Error{Status: http.StatusUnprocessableEntity, Type: "/problems/validation-error",
				Title: fmt.Sprintf("Event %d rejected", it.Index), Detail: it.Errors[0].Detail, Errors: it.Errors}
			continue
		}
		res[i].Result = &EventResult{ID: it.ID, Duplicate: it.Duplicate, ReceivedAt: it.ReceivedAt, Messages: it.Messages}
	}
	return res, nil
}

// EventSource says where a stored event came from.
type EventSource string

// Event sources.
const (
	SourceAPI      EventSource = "api"
	SourceSchedule EventSource = "schedule"
	SourceManual   EventSource = "manual"
	// SourceBroadcast marks the events a broadcast emits, one per
	// recipient.
	SourceBroadcast EventSource = "broadcast"
	// SourceMail: a "mail.received" event made from inbound mail.
	SourceMail EventSource = "mail"
)

// StoredEvent is an event as Herold recorded it: inline actors were
// replaced by their ids.
type StoredEvent struct {
	ID             string              `json:"id"`
	Type           string              `json:"type"`
	Project        string              `json:"project"`
	Object         *ObjectRef          `json:"object,omitempty"`
	Actors         map[string][]string `json:"actors"`
	Contact        string              `json:"contact,omitempty"`
	Data           map[string]any      `json:"data"`
	OccurredAt     time.Time           `json:"occurred_at"`
	ReceivedAt     time.Time           `json:"received_at"`
	IdempotencyKey string              `json:"idempotency_key,omitempty"`
	Source         EventSource         `json:"source"`
}

// EventDetail is one stored event with all its messages, oldest first.
type EventDetail struct {
	StoredEvent
	Messages []MessageSummary `json:"messages"`
}

// Event returns one stored event with all its messages.
func (c *Client) Event(ctx context.Context, id string) (*EventDetail, error) {
	var out EventDetail
	if err := c.do(ctx, &request{method: http.MethodGet, path: "/v1/events/" + escape(id), out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// EventFilter narrows Events. An ingest key must set Contact.
type EventFilter struct {
	// Contact: only events with this contact as an actor or as contact.
	Contact string
	Project string
	Type    string
	// Since and Until bound the time an event was received.
	Since, Until time.Time
	// PageSize is the number of events fetched per request (1–1,000;
	// default the server's).
	PageSize int
}

func (f EventFilter) query() url.Values {
	q := url.Values{}
	setIf(q, "contact", f.Contact)
	setIf(q, "project", f.Project)
	setIf(q, "type", f.Type)
	setTime(q, "since", f.Since)
	setTime(q, "until", f.Until)
	return q
}

// Events lists stored events, newest first, page by page.
func (c *Client) Events(ctx context.Context, f EventFilter) iter.Seq2[*StoredEvent, error] {
	return list[StoredEvent](ctx, c, "/v1/events", f.query(), f.PageSize)
}

func setTime(q url.Values, name string, t time.Time) {
	if !t.IsZero() {
		q.Set(name, t.UTC().Format(time.RFC3339Nano))
	}
}

// StepCode is the stable code of an explained decision.
type StepCode string

// Step codes (the OpenAPI document's StepCode).
const (
	StepEventReceived               StepCode = "event.received"
	StepEventManual                 StepCode = "event.manual"
	StepEventScheduled              StepCode = "event.scheduled"
	StepScheduleExcluded            StepCode = "schedule.excluded"
	StepScheduleError               StepCode = "schedule.error"
	StepProjectUnknown              StepCode = "project.unknown"
	StepProjectNoFlow               StepCode = "project.no_flow"
	StepFlowUnknown                 StepCode = "flow.unknown"
	StepObjectUnknown               StepCode = "object.unknown"
	StepFlowUsed                    StepCode = "flow.used"
	StepFlowNoNotification          StepCode = "flow.no_notification"
	StepNotificationOtherEvent      StepCode = "notification.other_event"
	StepNotificationInactive        StepCode = "notification.inactive"
	StepNotificationConditionFalse  StepCode = "notification.condition_false"
	StepNotificationConditionError  StepCode = "notification.condition_error"
	StepNotificationMatched         StepCode = "notification.matched"
	StepRecipientsRoleEmpty         StepCode = "recipients.role_empty"
	StepRecipientsContactUnknown    StepCode = "recipients.contact_unknown"
	StepRecipientsNoObject          StepCode = "recipients.no_object"
	StepRecipientsNoWatchers        StepCode = "recipients.no_watchers"
	StepRecipientsNone              StepCode = "recipients.none"
	StepRecipientDuplicate          StepCode = "recipient.duplicate"
	StepRecipientSuppressed         StepCode = "recipient.suppressed"
	StepMessageAwaitingConfirmation StepCode = "message.awaiting_confirmation"
	StepMessageQueued               StepCode = "message.queued"
	StepMessageRenderFailed         StepCode = "message.render_failed"
	StepMessageApproved             StepCode = "message.approved"
	StepMessageDeclined             StepCode = "message.declined"
	StepMessageExpired              StepCode = "message.expired"
	StepMessageSending              StepCode = "message.sending"
	StepMessageInterrupted          StepCode = "message.interrupted"
	StepMessageRetrying             StepCode = "message.retrying"
	StepMessageSent                 StepCode = "message.sent"
	StepMessageFailed               StepCode = "message.failed"
	StepEventBroadcast              StepCode = "event.broadcast"
	StepMessageCancelled            StepCode = "message.cancelled"
	StepWebhookQueued               StepCode = "webhook.queued"
	// StepMessageBounced and StepMessageComplained: a bounce or a
	// complaint about the sent message came back as inbound mail.
	StepMessageBounced    StepCode = "message.bounced"
	StepMessageComplained StepCode = "message.complained"
	// Digest steps (docs/digests.md): the message went into a digest;
	// that digest is still open, or was sent (Message is its message).
	StepDigestCollected StepCode = "digest.collected"
	StepDigestOpen      StepCode = "digest.open"
	StepDigestSent      StepCode = "digest.sent"
)

// ExplainStep is one recorded decision.
type ExplainStep struct {
	Code         StepCode `json:"code"`
	Notification string   `json:"notification,omitempty"`
	// Recipient is a contact id or an address.
	Recipient string `json:"recipient,omitempty"`
	// Message is the id of the message the step produced or concerns.
	Message string `json:"message,omitempty"`
	// At is set on steps taken from a message's timeline.
	At     *time.Time        `json:"at,omitempty"`
	Params map[string]string `json:"params,omitempty"`
	// Values are the values a condition saw, by expression.
	Values map[string]any `json:"values,omitempty"`
	// Text is the step as a sentence in the answer's language.
	Text string `json:"text"`
}

// Explanation answers "why (not) sent?".
type Explanation struct {
	// EventID is empty for a dry run.
	EventID string `json:"event_id,omitempty"`
	// Language is the language of Summary and the steps' Text.
	Language string           `json:"language"`
	Summary  string           `json:"summary"`
	Steps    []ExplainStep    `json:"steps"`
	Messages []MessageSummary `json:"messages"`
	// Webhooks are the webhook deliveries the event caused; none for a
	// dry run.
	Webhooks []WebhookDelivery `json:"webhooks,omitempty"`
}

// WebhookDelivery is one payload posted, or to be posted, to a webhook
// endpoint (docs/webhooks.md).
type WebhookDelivery struct {
	// ID is the webhook-id header, the same for every attempt.
	ID        string `json:"id"`
	Endpoint  string `json:"endpoint"`
	Type      string `json:"type"`
	EventID   string `json:"event_id,omitempty"`
	MessageID string `json:"message_id,omitempty"`
	// Status is pending, delivered or failed.
	Status        string     `json:"status"`
	Attempts      int        `json:"attempts"`
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"`
	LastReason    string     `json:"last_reason,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
	// Payload and AttemptHistory are set for a single delivery only.
	Payload        json.RawMessage  `json:"payload,omitempty"`
	AttemptHistory []WebhookAttempt `json:"attempt_history,omitempty"`
}

// WebhookAttempt is one attempt of a webhook delivery.
type WebhookAttempt struct {
	Number int       `json:"number"`
	At     time.Time `json:"at"`
	// StatusCode is 0 when no response came.
	StatusCode      int    `json:"status_code"`
	LatencyMS       int64  `json:"latency_ms"`
	ResponseExcerpt string `json:"response_excerpt,omitempty"`
	Error           string `json:"error,omitempty"`
	// Verdict is delivered, retry, failed or gone.
	Verdict string `json:"verdict"`
}

func langQuery(lang string) url.Values {
	q := url.Values{}
	setIf(q, "lang", lang)
	return q
}

// Explain explains a past event in lang ("de" or "en"; empty: the
// client's language, see WithLanguage).
func (c *Client) Explain(ctx context.Context, eventID, lang string) (*Explanation, error) {
	var out Explanation
	err := c.do(ctx, &request{method: http.MethodGet, path: "/v1/events/" + escape(eventID) + "/explain", query: langQuery(lang), out: &out})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// DryRun explains in lang what a hypothetical event would send, sending
// nothing and saving nothing.
func (c *Client) DryRun(ctx context.Context, e *Event, lang string) (*Explanation, error) {
	var out Explanation
	err := c.do(ctx, &request{method: http.MethodPost, path: "/v1/explain", query: langQuery(lang), body: e, out: &out, replayable: true})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
