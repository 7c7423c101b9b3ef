package model

import "time"

// Webhook endpoint states.
const (
	// WebhookActive endpoints receive deliveries.
	WebhookActive = "active"
	// WebhookPaused endpoints were paused by the circuit breaker after
	// failing repeatedly; their deliveries wait until an admin resumes
	// the endpoint.
	WebhookPaused = "paused"
	// WebhookDisabled endpoints answered 410 Gone or were disabled by an
	// admin; nothing is delivered to them.
	WebhookDisabled = "disabled"
)

// WebhookChannelPost is the payload type of a post of the webhook channel:
// an event, the notification and its recipients.
const WebhookChannelPost = "notification.webhook"

// Webhook delivery states.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"
)

// WebhookEndpoint is a workspace's subscription: an URL and the event
// types and message outcomes posted to it, signed with its secret.
type WebhookEndpoint struct {
	ID          string
	WorkspaceID int64
	URL         string
	Description string
	// EventTypes are patterns of event types ("booking.confirmed",
	// "booking.*", "*"); none subscribes to no events.
	EventTypes []string
	// Outcomes are message outcomes (sent, failed, bounced, …).
	Outcomes []string
	// Secret is the signing secret, sealed (encrypted) by the service;
	// PreviousSecret is the one it replaced, still signing until
	// PreviousUntil (the rotation's overlap).
	Secret         []byte
	PreviousSecret []byte
	PreviousUntil  *time.Time
	State          string
	// StateReason says why an endpoint is paused or disabled.
	StateReason string
	// Failures counts the deliveries' failed attempts since the last
	// success (the circuit breaker's count).
	Failures  int
	CreatedAt time.Time
	UpdatedAt time.Time
}

// WebhookDelivery is one payload for one endpoint, attempted until it is
// delivered or given up. Its ID is the webhook-id header, the same for
// every attempt.
type WebhookDelivery struct {
	ID          string
	WorkspaceID int64
	EndpointID  string
	// Type is the payload's type ("event.received", "message.sent", …).
	Type string
	// EventID and MessageID say what the delivery is about ("" when not).
	EventID   string
	MessageID string
	Payload   []byte
	Status    string
	Attempts  int
	// NextAt is when a pending delivery is attempted next.
	NextAt     *time.Time
	LastReason string
	// Lease names the job that owns the delivery's attempts: queueing it
	// again (a replay, a resumed endpoint) gives it a new lease, and a
	// job holding an older one does nothing.
	Lease     string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// WebhookAttempt is one request of a delivery and its response.
type WebhookAttempt struct {
	DeliveryID  string
	WorkspaceID int64
	Number      int
	At          time.Time
	// StatusCode is the HTTP status, 0 when no response came.
	StatusCode int
	Latency    time.Duration
	// Excerpt is the start of the response body.
	Excerpt string
	// Error is why no response came.
	Error string
	// Verdict is what the attempt meant: delivered, retry, failed, gone.
	Verdict string
}
