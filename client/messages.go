package client

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"time"
)

// MessageStatus is where a message is, or a step of its timeline.
type MessageStatus string

// Message statuses. Terminal: declined, expired, sent, failed, suppressed.
const (
	StatusAwaitingConfirmation MessageStatus = "awaiting_confirmation"
	StatusDeclined             MessageStatus = "declined"
	StatusExpired              MessageStatus = "expired"
	StatusQueued               MessageStatus = "queued"
	StatusSending              MessageStatus = "sending"
	StatusRetrying             MessageStatus = "retrying"
	StatusSent                 MessageStatus = "sent"
	StatusFailed               MessageStatus = "failed"
	StatusSuppressed           MessageStatus = "suppressed"
)

// Statuses found only in a message's timeline.
const (
	// StatusPlanned is always the first entry.
	StatusPlanned MessageStatus = "planned"
	// StatusApproved names who approved; StatusQueued follows.
	StatusApproved MessageStatus = "approved"
	// StatusUnsubscribed: the recipient used the message's unsubscribe
	// link (Actor is their address, Detail the category).
	StatusUnsubscribed MessageStatus = "unsubscribed"
	// StatusBounced and StatusComplained: a bounce or a complaint about
	// the sent message came back as inbound mail (Actor is the address,
	// Detail the diagnostic or feedback type).
	StatusBounced    MessageStatus = "bounced"
	StatusComplained MessageStatus = "complained"
)

// Address is one mailbox a message goes to.
type Address struct {
	// Contact is the contact behind the address; empty for literal
	// addresses.
	Contact string `json:"contact,omitempty"`
	Email   string `json:"email"`
	Name    string `json:"name,omitempty"`
}

// MessageSummary is a message as event answers show it.
type MessageSummary struct {
	ID           string `json:"id"`
	Notification string `json:"notification,omitempty"`
	Template     string `json:"template"`
	// Channel is "email" or "inapp": a notification on both channels
	// gives each recipient one message per channel.
	Channel string        `json:"channel"`
	Status  MessageStatus `json:"status"`
	// Reason is why a message was suppressed (no_email, invalid_email,
	// opted_out, no_consent, bounced, complained, blocked), failed or
	// expired.
	Reason  string    `json:"reason,omitempty"`
	To      Address   `json:"to"`
	CC      []Address `json:"cc"`
	BCC     []Address `json:"bcc"`
	Subject string    `json:"subject,omitempty"`
	// ExpiresAt is when an unanswered confirmation expires.
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	// LastReply is the mail server's reply to the last attempt.
	LastReply string `json:"last_reply,omitempty"`
}

// TimelineEntry is one step of a message's life.
type TimelineEntry struct {
	At      time.Time     `json:"at"`
	Status  MessageStatus `json:"status"`
	Attempt int           `json:"attempt,omitempty"`
	// Actor is who approved or declined.
	Actor string `json:"actor,omitempty"`
	// Detail is a reason or the mail server's reply.
	Detail        string     `json:"detail,omitempty"`
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"`
}

// Message is one delivery to one recipient with its rendered copy and
// timeline. Lists leave out HTML, Text and Timeline.
type Message struct {
	ID           string    `json:"id"`
	EventID      string    `json:"event_id"`
	EventType    string    `json:"event_type"`
	Project      string    `json:"project,omitempty"`
	Flow         string    `json:"flow,omitempty"`
	FlowVersion  int       `json:"flow_version,omitempty"`
	Notification string    `json:"notification,omitempty"`
	Template     string    `json:"template"`
	Channel      string    `json:"channel"`
	Category     string    `json:"category"`
	Locale       string    `json:"locale,omitempty"`
	To           Address   `json:"to"`
	CC           []Address `json:"cc"`
	BCC          []Address `json:"bcc"`
	From         string    `json:"from,omitempty"`
	ReplyTo      string    `json:"reply_to,omitempty"`
	Subject      string    `json:"subject,omitempty"`
	HTML         string    `json:"html,omitempty"`
	Text         string    `json:"text,omitempty"`
	// InApp is set on in-app messages (Channel "inapp").
	InApp     *InApp        `json:"inapp,omitempty"`
	MessageID string        `json:"message_id"`
	Status    MessageStatus `json:"status"`
	// Reason is the suppression reason or the last failure.
	Reason        string     `json:"reason,omitempty"`
	Attempts      int        `json:"attempts"`
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"`
	ExpiresAt     *time.Time `json:"expires_at,omitempty"`
	QueuedAt      *time.Time `json:"queued_at,omitempty"`
	// LastReply is the mail server's reply to the last attempt.
	LastReply    string          `json:"last_reply,omitempty"`
	CreatedAt    time.Time       `json:"created_at"`
	UpdatedAt    time.Time       `json:"updated_at"`
	SentAt       *time.Time      `json:"sent_at,omitempty"`
	CapturedAt   *time.Time      `json:"captured_at,omitempty"`
	CapturedSize int             `json:"captured_size,omitempty"`
	Timeline     []TimelineEntry `json:"timeline,omitempty"`
}

// Message returns one message with its rendered copy and timeline.
func (c *Client) Message(ctx context.Context, id string) (*Message, error) {
	var out Message
	if err := c.do(ctx, &request{method: http.MethodGet, path: "/v1/messages/" + escape(id), out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// MessageFilter narrows Messages. An ingest key must set Contact or
// Event.
type MessageFilter struct {
	// Contact: the messages a contact got, as recipient or in CC or BCC.
	Contact string
	// Event: the messages of one event.
	Event    string
	Email    string
	Project  string
	Statuses []MessageStatus
	// Since and Until bound the time a message was created.
	Since, Until time.Time
	// PageSize is the number of messages fetched per request (1–1,000;
	// default the server's).
	PageSize int
}

func (f MessageFilter) query() url.Values {
	q := url.Values{}
	setIf(q, "contact", f.Contact)
	setIf(q, "event", f.Event)
	setIf(q, "email", f.Email)
	setIf(q, "project", f.Project)
	for _, s := range f.Statuses {
		q.Add("status", string(s))
	}
	setTime(q, "since", f.Since)
	setTime(q, "until", f.Until)
	return q
}

// Messages lists messages, newest first, page by page.
func (c *Client) Messages(ctx context.Context, f MessageFilter) iter.Seq2[*Message, error] {
	return list[Message](ctx, c, "/v1/messages", f.query(), f.PageSize)
}

// ConfirmationFilter narrows Confirmations.
type ConfirmationFilter struct {
	Project string
	// Event: only the messages of this event.
	Event string
	// OlderThan: only messages waiting longer than this.
	OlderThan time.Duration
	// PageSize is the number of messages fetched per request.
	PageSize int
}

func (f ConfirmationFilter) query() url.Values {
	q := url.Values{}
	setIf(q, "project", f.Project)
	setIf(q, "event", f.Event)
	if f.OlderThan > 0 {
		q.Set("older_than", f.OlderThan.String())
	}
	return q
}

// Confirmations lists the messages awaiting confirmation, page by page.
func (c *Client) Confirmations(ctx context.Context, f ConfirmationFilter) iter.Seq2[*Message, error] {
	return list[Message](ctx, c, "/v1/confirmations", f.query(), f.PageSize)
}

// Decision is the outcome of approving or declining one message.
type Decision struct {
	ID string
	// Status is the message's status now: queued after an approval,
	// declined after declining, else unchanged; empty when the message
	// does not exist.
	Status MessageStatus
	// Applied is true when the decision changed the message.
	Applied bool
	// Err says why nothing was applied: an *Error matching ErrNotFound
	// (no such message) or ErrConflict (no longer awaiting confirmation).
	// Nil when applied.
	Err error
}

// decisionAnswer is Decision as the API writes it.
type decisionAnswer struct {
	ID      string        `json:"id"`
	Status  MessageStatus `json:"status"`
	Error   string        `json:"error,omitempty"`
	Applied bool          `json:"applied"`
}

// decisionRequest and decisionResults are the bodies of the decisions.
type decisionRequest struct {
	IDs   []string `json:"ids,omitempty"`
	Actor string   `json:"actor,omitempty"`
	// Reason is sent when declining only; the server refuses it when
	// approving.
	Reason string `json:"reason,omitempty"`
}

type decisionResults struct {
	Results []decisionAnswer `json:"results"`
}

// Approve releases messages awaiting confirmation (1–1,000) for sending.
// by names who decided (the host application's user), recorded in each
// message's timeline; empty: the API key's name. Every message gets a
// Decision, in order; one already decided by someone else has Err
// matching ErrConflict. The error is for the request as a whole, and then
// there are no decisions.
func (c *Client) Approve(ctx context.Context, ids []string, by string) ([]Decision, error) {
	return c.decide(ctx, "/v1/confirmations/approve", decisionRequest{IDs: ids, Actor: by})
}

// Decline drops messages awaiting confirmation, like Approve.
func (c *Client) Decline(ctx context.Context, ids []string, by string) ([]Decision, error) {
	return c.decide(ctx, "/v1/confirmations/decline", decisionRequest{IDs: ids, Actor: by})
}

// DeclineBecause declines like Decline and records why (at most 500
// characters); the message's timeline and explain show the reason.
func (c *Client) DeclineBecause(ctx context.Context, ids []string, by, reason string) ([]Decision, error) {
	return c.decide(ctx, "/v1/confirmations/decline", decisionRequest{IDs: ids, Actor: by, Reason: reason})
}

func (c *Client) decide(ctx context.Context, path string, body decisionRequest) ([]Decision, error) {
	var out decisionResults
	// Not replayed after a connection error: a repeated approval would
	// report the first one's success as a conflict.
	if err := c.do(ctx, &request{method: http.MethodPost, path: path, body: body, out: &out}); err != nil {
		return nil, err
	}
	res := make([]Decision, len(out.Results))
	for i, d := range out.Results {
		res[i] = Decision{ID: d.ID, Status: d.Status, Applied: d.Applied}
		switch {
		case d.Applied:
		case d.Status == "":
			res[i].Err = &Error{Status: http.StatusNotFound, Type: "/problems/not-found", Title: "Not found",
				Detail: fmt.Sprintf("message %q does not exist", d.ID)}
		default:
			res[i].Err = &Error{Status: http.StatusConflict, Type: "/problems/conflict", Title: "Conflict", Detail: d.Error}
		}
	}
	return res, nil
}

// ApproveMessage approves one message; by names who decided (see
// Approve). It fails with ErrNotFound or ErrConflict (no longer awaiting
// confirmation).
func (c *Client) ApproveMessage(ctx context.Context, id, by string) error {
	return c.do(ctx, &request{method: http.MethodPost, path: "/v1/messages/" + escape(id) + "/approve", body: decisionRequest{Actor: by}})
}

// DeclineMessage declines one message, like ApproveMessage.
func (c *Client) DeclineMessage(ctx context.Context, id, by string) error {
	return c.do(ctx, &request{method: http.MethodPost, path: "/v1/messages/" + escape(id) + "/decline", body: decisionRequest{Actor: by}})
}

// ManualMessage is a template sent by hand to chosen recipients, outside
// any flow (an admin key's operation). It is recorded as an event of type
// "manual" and explained like any other.
type ManualMessage struct {
	// Template is the key of an existing template.
	Template string `json:"template"`
	// Recipients are "role:NAME", "contact:ID", "email:ADDRESS" or
	// "subscribers", like a notification's.
	Recipients []string `json:"recipients"`
	CC         []string `json:"cc,omitempty"`
	BCC        []string `json:"bcc,omitempty"`
	// Category defaults to "transactional"; a consent category honours
	// consents and opt-outs.
	Category string `json:"category,omitempty"`
	// Project defaults to "manual".
	Project string             `json:"project,omitempty"`
	Object  *ObjectRef         `json:"object,omitempty"`
	Actors  map[string][]Actor `json:"actors,omitempty"`
	Contact *Actor             `json:"contact,omitempty"`
	Data    map[string]any     `json:"data,omitempty"`
	// IdempotencyKey makes a retried send count once; the client sets one
	// when it is empty, as for events.
	IdempotencyKey string `json:"idempotency_key,omitempty"`
}

// SendManual sends a template by hand; the answer lists the messages.
func (c *Client) SendManual(ctx context.Context, m *ManualMessage) (*EventResult, error) {
	if m != nil && m.IdempotencyKey == "" {
		cp := *m
		cp.IdempotencyKey = newIdempotencyKey()
		m = &cp
	}
	var out EventResult
	if err := c.do(ctx, &request{method: http.MethodPost, path: "/v1/messages", body: m, out: &out, replayable: true}); err != nil {
		return nil, err
	}
	return &out, nil
}
