package model

// StepCode names one kind of decision in an explain trace. Every code has an
// English and a German sentence (see internal/explain).
type StepCode string

// Decision codes recorded by the planner.
const (
	StepEventReceived        StepCode = "event.received"
	StepProjectUnknown       StepCode = "project.unknown"
	StepProjectNoFlow        StepCode = "project.no_flow"
	StepFlowUnknown          StepCode = "flow.unknown"
	StepObjectUnknown        StepCode = "object.unknown"
	StepFlowUsed             StepCode = "flow.used"
	StepFlowNoNotification   StepCode = "flow.no_notification"
	StepNotificationOther    StepCode = "notification.other_event"
	StepNotificationInactive StepCode = "notification.inactive"
	StepConditionFalse       StepCode = "notification.condition_false"
	StepConditionError       StepCode = "notification.condition_error"
	StepNotificationMatched  StepCode = "notification.matched"
	StepRoleEmpty            StepCode = "recipients.role_empty"
	StepContactUnknown       StepCode = "recipients.contact_unknown"
	StepNoObject             StepCode = "recipients.no_object"
	StepNoRecipients         StepCode = "recipients.none"
	StepRecipientDuplicate   StepCode = "recipient.duplicate"
	StepRecipientSuppressed  StepCode = "recipient.suppressed"
	StepMessageAwaiting      StepCode = "message.awaiting_confirmation"
	StepMessageQueued        StepCode = "message.queued"
	StepMessageRenderFailed  StepCode = "message.render_failed"
	// StepWebhookQueued: the webhook channel posts the event, the
	// notification and its recipients once to the notification's
	// endpoint (Params endpoint, recipients: their number).
	StepWebhookQueued    StepCode = "webhook.queued"
	StepManual           StepCode = "event.manual"
	StepScheduled        StepCode = "event.scheduled"
	StepScheduleExcluded StepCode = "schedule.excluded"
	// StepScheduleError: a schedule could not evaluate the record (its
	// condition failed on the record's data); nothing was sent.
	StepScheduleError StepCode = "schedule.error"
	// StepBroadcast names the broadcast that emitted an event.
	StepBroadcast StepCode = "event.broadcast"

	// StepNoWatchers: a notification names the recipient form "watchers"
	// and the event's object has none (Params collection, id, field).
	StepNoWatchers StepCode = "recipients.no_watchers"
)

// Test sends from the cockpit (Testen).
const (
	// StepTestSend: a person sent one notification as a test to one
	// address they typed (Params flow, to, by, template); the
	// notification's own recipients were not used.
	StepTestSend StepCode = "event.test_send"
)

// Digest codes (Sammelnachricht). StepDigestCollected is the planner's:
// the message goes into a digest (Params key: the key template, window).
// StepDigestOpen and StepDigestSent are derived from the stored digest
// when an event is explained (Params key, total, closes_at or closed_at).
const (
	StepDigestCollected StepCode = "digest.collected"
	StepDigestOpen      StepCode = "digest.open"
	StepDigestSent      StepCode = "digest.sent"
)

// Summary codes (frequency summaries and throttle roll-ups, see
// summary.go). StepSummaryCollected is the planner's: the contact chose
// a daily or weekly summary for the category (Params summary, category,
// summary_key). StepSummaryOpen and StepSummarySent are derived from the
// stored summary when an event is explained, also after a roll-up (a
// recipient.suppressed step with reason rolled_up).
const (
	StepSummaryCollected StepCode = "summary.collected"
	StepSummaryOpen      StepCode = "summary.open"
	StepSummarySent      StepCode = "summary.sent"
)

// Codes derived from a message's timeline when an event is explained.
const (
	StepMessageApproved StepCode = "message.approved"
	StepMessageDeclined StepCode = "message.declined"
	StepMessageExpired  StepCode = "message.expired"
	StepMessageSending  StepCode = "message.sending"
	// StepMessageInterrupted is an attempt whose sender stopped (a crash)
	// before it recorded the outcome; the message was sent again.
	StepMessageInterrupted StepCode = "message.interrupted"
	StepMessageRetrying    StepCode = "message.retrying"
	StepMessageSent        StepCode = "message.sent"
	StepMessageFailed      StepCode = "message.failed"
	// StepMessageCancelled is a queued message suppressed later: its
	// broadcast was cancelled before it was sent.
	StepMessageCancelled StepCode = "message.cancelled"
	// StepMessageBounced and StepMessageComplained tell a bounce or a
	// complaint that came back about a sent message (inbound mail).
	StepMessageBounced    StepCode = "message.bounced"
	StepMessageComplained StepCode = "message.complained"
)

// Step is one recorded decision. Fields that do not apply stay empty.
type Step struct {
	Code         StepCode `json:"code"`
	Notification string   `json:"notification,omitempty"`
	// Recipient is a contact id or an address.
	Recipient string `json:"recipient,omitempty"`
	// Message is the id of the message this step produced or concerns.
	Message string `json:"message,omitempty"`
	// Params are the step's details (role, reason, condition, reply, ...).
	Params map[string]string `json:"params,omitempty"`
	// Values are the values a condition saw, by expression.
	Values map[string]any `json:"values,omitempty"`
}
