package client

import (
	"context"
	"net/http"
	"time"
)

// Sender is a workspace's or template's From and Reply-To.
type Sender struct {
	From    string `json:"from,omitempty"`
	ReplyTo string `json:"reply_to,omitempty"`
}

// Workspace is the settings of the key's workspace.
type Workspace struct {
	Key                     string   `json:"key"`
	Name                    string   `json:"name"`
	DefaultLocale           string   `json:"default_locale"`
	Timezone                string   `json:"timezone"`
	Sender                  Sender   `json:"sender"`
	AllowedSenders          []string `json:"allowed_senders"`
	RetentionDays           int      `json:"retention_days"`
	ConfirmationExpiryHours int      `json:"confirmation_expiry_hours"`
	// Inbound are the workspace's choices for received mail
	// (docs/inbound.md).
	Inbound InboundSettings `json:"inbound"`
	// QuietHours hold non-urgent e-mail until they end, e.g.
	// "22:00-07:00", or business hours by weekday, "open Mon-Fri
	// 08:00-18:00" (docs/throttles.md); empty: none.
	QuietHours string `json:"quiet_hours"`
	// SummarySchedule is when contacts' daily and weekly summaries are
	// sent (docs/preferences.md); empty fields: 08:00, Mondays.
	SummarySchedule SummarySchedule `json:"summary_schedule"`
	// Vocabulary names the workspace's event types, roles and consent
	// categories in German and English (the cockpit and the preference
	// page show them); keys without a name are shown as they are.
	Vocabulary Vocabulary `json:"vocabulary"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

// InboundSettings say how received mail that answers no message is
// matched: a signed Reply-To, a subject token, then rules.
type InboundSettings struct {
	ReplyTracking bool          `json:"reply_tracking,omitempty"`
	SubjectToken  *SubjectToken `json:"subject_token,omitempty"`
	Rules         []InboundRule `json:"rules,omitempty"`
}

// SubjectToken finds an object by a token in the subject, e.g. [T-1234].
type SubjectToken struct {
	// Pattern is an RE2 pattern with exactly one group, the object id.
	Pattern    string `json:"pattern"`
	Collection string `json:"collection"`
	Project    string `json:"project"`
}

// InboundRule puts received mail into a project by the sender's domain
// and/or the recipient tag (KEY+TAG@INBOUND_DOMAIN).
type InboundRule struct {
	SenderDomain string `json:"sender_domain,omitempty"`
	Tag          string `json:"tag,omitempty"`
	Project      string `json:"project"`
}

// Workspace returns the key's workspace: a cheap check that the URL and
// the key work.
func (c *Client) Workspace(ctx context.Context) (*Workspace, error) {
	var out Workspace
	if err := c.do(ctx, &request{method: http.MethodGet, path: "/v1/workspace", out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// Vocabulary gives display names per kind, each keyed by the event type,
// role or category.
type Vocabulary struct {
	EventTypes map[string]Label `json:"event_types,omitempty"`
	Roles      map[string]Label `json:"roles,omitempty"`
	Categories map[string]Label `json:"categories,omitempty"`
	// CategoryDetails describe categories for the preference page and
	// list the frequencies recipients may choose.
	CategoryDetails map[string]CategoryDetail `json:"category_details,omitempty"`
}

// CategoryDetail is a category's description for the preference page
// and the frequencies recipients may choose besides instantly (daily,
// weekly); none: no choice.
type CategoryDetail struct {
	Description Label    `json:"description,omitempty"`
	Frequencies []string `json:"frequencies,omitempty"`
}

// Label is a display name in German and English.
type Label struct {
	DE string `json:"de,omitempty"`
	EN string `json:"en,omitempty"`
}

// SummarySchedule is when a workspace's daily and weekly summaries are
// sent: daily ones at At, weekly ones on Weekday at At, in each contact's
// time zone (else the workspace's).
type SummarySchedule struct {
	// At is the local time of day, "17:30"; empty: 08:00.
	At string `json:"at,omitempty"`
	// Weekday is the day of weekly summaries, "friday"; empty: monday.
	Weekday string `json:"weekday,omitempty"`
}
