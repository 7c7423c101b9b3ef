package model

import "time"

// SuppressionKind says why an address is on a workspace's suppression list.
type SuppressionKind string

// Suppression kinds.
const (
	// SuppressionHardBounce: a mail server refused the address for good
	// (a 5xx reply or a DSN with a permanent status).
	SuppressionHardBounce SuppressionKind = "hard_bounce"
	// SuppressionSoftBounces: temporary failures went past the
	// workspace's threshold.
	SuppressionSoftBounces SuppressionKind = "soft_bounces"
	// SuppressionComplaint: the recipient reported a message as spam.
	SuppressionComplaint SuppressionKind = "complaint"
	// SuppressionManual: an administrator added the address.
	SuppressionManual SuppressionKind = "manual"
)

// SuppressionKinds lists the kinds (for validation and documentation).
var SuppressionKinds = []SuppressionKind{SuppressionHardBounce, SuppressionSoftBounces, SuppressionComplaint, SuppressionManual}

// Valid reports whether k is a known kind.
func (k SuppressionKind) Valid() bool {
	for _, v := range SuppressionKinds {
		if k == v {
			return true
		}
	}
	return false
}

// Reason is the planner's suppression reason for an entry of this kind:
// bounces are "bounced", complaints "complained", manual entries
// "blocked".
func (k SuppressionKind) Reason() SuppressReason {
	switch k {
	case SuppressionHardBounce, SuppressionSoftBounces:
		return ReasonBounced
	case SuppressionComplaint:
		return ReasonComplained
	}
	return ReasonBlocked
}

// Suppression is one entry of a workspace's suppression list: an address
// Herold does not mail, and why.
type Suppression struct {
	// Email is stored in lower case; one entry per address.
	Email string          `json:"email"`
	Kind  SuppressionKind `json:"kind"`
	// Evidence is what put the address on the list: the server's reply
	// ("550 5.1.1 user unknown"), the DSN's diagnostic, the complaint's
	// feedback type, or an administrator's note.
	Evidence string `json:"evidence"`
	// MessageID is the message that bounced or was complained about, if
	// known.
	MessageID string    `json:"message_id,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// ExpiresAt, when set, ends the entry: from then on the address is
	// mailed again.
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// ActiveAt reports whether the entry suppresses mail at t.
func (s *Suppression) ActiveAt(t time.Time) bool {
	return s.ExpiresAt == nil || t.Before(*s.ExpiresAt)
}

// SuppressionKey is the form an address is listed and looked up under:
// its AddressKey, so that an entry for a@b.de also holds for a contact
// whose address was stored as "<a@b.de>".
func SuppressionKey(email string) string { return AddressKey(email) }

// InboundMessage is one message the inbound listener received: kept raw
// with what it was classified as, under the workspace's retention.
type InboundMessage struct {
	ID string `json:"id"`
	// HeaderID is its Message-ID header; with ContentHash (SHA-256 of the
	// raw bytes, hex) it makes a message delivered twice one row.
	HeaderID    string `json:"header_id"`
	ContentHash string `json:"content_hash"`
	MailFrom    string `json:"mail_from"`
	RcptTo      string `json:"rcpt_to"`
	// Kind is the classification: hard_bounce, soft_bounce, complaint,
	// auto_reply, mail, throttled (mail over the throttle) or malformed
	// (a message that does not parse: kept, not acted on).
	Kind string `json:"kind"`
	// Address is the address a bounce or complaint is about, or the
	// sender of mail.
	Address string `json:"address,omitempty"`
	// Object is the object ("collection/id") mail was matched to.
	Object string `json:"object,omitempty"`
	// Evidence is the classification's evidence as JSON.
	Evidence string `json:"evidence"`
	// MessageID is Herold's message the mail is about, when matched.
	MessageID string `json:"message_id,omitempty"`
	// EventID is the mail.received event made from it, if any.
	EventID    string    `json:"event_id,omitempty"`
	Raw        []byte    `json:"-"`
	ReceivedAt time.Time `json:"received_at"`
}
