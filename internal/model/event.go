package model

import "time"

// EventSource says where an event came from.
type EventSource string

// Event sources.
const (
	SourceAPI      EventSource = "api"
	SourceSchedule EventSource = "schedule"
	SourceManual   EventSource = "manual"
	// SourceBroadcast marks the events a broadcast emits, one per
	// contact of its audience.
	SourceBroadcast EventSource = "broadcast"
	// SourceMail: an event "mail.received" made from inbound mail.
	SourceMail EventSource = "mail"
)

// Event is something that happened in the host application (Ereignis).
type Event struct {
	ID      string `json:"id"`
	Type    string `json:"type"`
	Project string `json:"project"`
	// Object is the record the event is about, if any.
	Object *ObjectRef `json:"object,omitempty"`
	// Actors maps a role to contact ids (inline contacts are upserted and
	// replaced by their ids before the event is stored).
	Actors map[string][]string `json:"actors"`
	// Contact is the contact the event is about (the member whose birthday
	// it is); optional.
	Contact        string         `json:"contact,omitempty"`
	Data           map[string]any `json:"data"`
	OccurredAt     time.Time      `json:"occurred_at"`
	ReceivedAt     time.Time      `json:"received_at"`
	IdempotencyKey string         `json:"idempotency_key,omitempty"`
	Source         EventSource    `json:"source"`
	// Trace is the planner's record of every decision for this event.
	Trace []Step `json:"-"`
}

// MessageStatus is where a message is in its life.
type MessageStatus string

// Message statuses. Terminal: declined, expired, sent, failed, suppressed.
const (
	MsgAwaitingConfirmation MessageStatus = "awaiting_confirmation"
	MsgApproved             MessageStatus = "approved"
	MsgDeclined             MessageStatus = "declined"
	MsgExpired              MessageStatus = "expired"
	MsgQueued               MessageStatus = "queued"
	MsgSending              MessageStatus = "sending"
	MsgRetrying             MessageStatus = "retrying"
	MsgSent                 MessageStatus = "sent"
	MsgFailed               MessageStatus = "failed"
	MsgSuppressed           MessageStatus = "suppressed"
	// MsgPlanned appears only in timelines: the first entry of every message.
	MsgPlanned MessageStatus = "planned"
	// MsgUnsubscribed appears only in timelines: the recipient used the
	// message's unsubscribe link and opted out of its category (Actor is
	// the recipient's address, Detail the category).
	MsgUnsubscribed MessageStatus = "unsubscribed"
	// MsgBounced and MsgComplained appear only in timelines: a bounce
	// (Detail the diagnostic) or a complaint (Detail the feedback type)
	// about the sent message came back; Actor is the address.
	MsgBounced    MessageStatus = "bounced"
	MsgComplained MessageStatus = "complained"
)

// Terminal reports whether no further transition can happen.
func (s MessageStatus) Terminal() bool {
	switch s {
	case MsgDeclined, MsgExpired, MsgSent, MsgFailed, MsgSuppressed:
		return true
	}
	return false
}

// MessageStatuses lists every status a message can be in (for filters and
// validation), in lifecycle order.
var MessageStatuses = []MessageStatus{
	MsgAwaitingConfirmation, MsgDeclined, MsgExpired, MsgQueued, MsgSending,
	MsgRetrying, MsgSent, MsgFailed, MsgSuppressed,
}

// SuppressReason says why a recipient got no message.
type SuppressReason string

// Suppression reasons.
const (
	ReasonNoEmail      SuppressReason = "no_email"
	ReasonInvalidEmail SuppressReason = "invalid_email"
	ReasonOptedOut     SuppressReason = "opted_out"
	ReasonNoConsent    SuppressReason = "no_consent"
	// ReasonBroadcastCancelled: the message's broadcast was cancelled
	// before it was sent.
	ReasonBroadcastCancelled SuppressReason = "broadcast_cancelled"
	// ReasonNoContact: an in-app message needs a contact (whose feed it
	// joins); a literal e-mail address has none.
	ReasonNoContact SuppressReason = "no_contact"
)

// Suppression reasons from the workspace's suppression list (see
// Suppression).
const (
	ReasonBounced    SuppressReason = "bounced"
	ReasonComplained SuppressReason = "complained"
	ReasonBlocked    SuppressReason = "blocked"
)

// Address is one mailbox a message goes to, with the contact behind it.
type Address struct {
	ContactID string `json:"contact,omitempty"`
	Email     string `json:"email"`
	Name      string `json:"name,omitempty"`
}

// Message is one delivery to one recipient on one channel (Nachricht).
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
	// InApp is an in-app message's item as rendered (its Subject and
	// Text hold the title and body too).
	InApp     *InAppContent `json:"inapp,omitempty"`
	MessageID string        `json:"message_id"`
	Status    MessageStatus `json:"status"`
	// Reason is the suppression reason or the last failure.
	Reason        string     `json:"reason,omitempty"`
	Attempts      int        `json:"attempts"`
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"`
	// ExpiresAt is when an unanswered confirmation expires.
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	// QueuedAt is when the message was queued for delivery; retries give up
	// a maximum age after it.
	QueuedAt *time.Time `json:"queued_at,omitempty"`
	// LastReply is the mail server's last reply.
	LastReply string     `json:"last_reply,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
	SentAt    *time.Time `json:"sent_at,omitempty"`
	// CapturedAt is when the message was filed in the capture mailbox
	// (no SMTP server configured), CapturedSize its size as built.
	CapturedAt   *time.Time `json:"captured_at,omitempty"`
	CapturedSize int        `json:"captured_size,omitempty"`
	// Timeline is filled when a single message is read.
	Timeline []MessageEvent `json:"timeline,omitempty"`
}

// CaptureReply is the reply recorded for a message filed in the capture
// mailbox instead of being sent (no SMTP server configured).
const CaptureReply = "stored in the capture mailbox (no SMTP server configured)"

// NoSenderReason is the Reason of a message that could not be built
// because neither its template, its flow nor the workspace names a
// sender address (From); explain and the run report say it in the
// reader's words.
const NoSenderReason = "no sender address: set sender.from on the template, its flow or the workspace"

// InterruptedDetail is the Detail of a "sending" timeline entry whose
// attempt never finished: the process sending it stopped (a crash) before
// it could record the outcome, and the message was claimed again.
const InterruptedDetail = "interrupted: the process sending it stopped before it recorded the outcome"

// MessageEvent is one entry of a message's status timeline.
type MessageEvent struct {
	At     time.Time     `json:"at"`
	Status MessageStatus `json:"status"`
	// Attempt is the delivery attempt this entry belongs to (1-based).
	Attempt int `json:"attempt,omitempty"`
	// Actor is who approved or declined.
	Actor string `json:"actor,omitempty"`
	// Detail is a reason or a server reply.
	Detail string `json:"detail,omitempty"`
	// NextAttemptAt is set on retrying entries.
	NextAttemptAt *time.Time `json:"next_attempt_at,omitempty"`
}
