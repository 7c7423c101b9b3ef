// Package model holds Herold's plain domain types: the configuration an
// administrator edits (workspaces, templates, flows with their notifications,
// projects), the data the host application syncs (contacts, objects), and what
// the engine produces (events, messages, traces). The types carry no behaviour
// beyond small, pure helpers; persistence lives in store, decisions in plan.
package model

import (
	"strings"
	"sync"
	"time"
)

// Scope is a permission carried by an API key.
type Scope string

const (
	// ScopeAdmin configures the workspace: templates, flows, projects, keys.
	ScopeAdmin Scope = "admin"
	// ScopeIngest sends events and syncs contacts and objects.
	ScopeIngest Scope = "ingest"
	// ScopeOperator manages workspaces across the installation.
	ScopeOperator Scope = "operator"
)

// Valid reports whether s is a known scope.
func (s Scope) Valid() bool {
	return s == ScopeAdmin || s == ScopeIngest || s == ScopeOperator
}

// Sender is a sender identity. Empty fields fall through to the next level
// (template → flow → workspace).
type Sender struct {
	// From is the From address, e.g. "Agentur Nord <info@agentur-nord.de>".
	From string `json:"from,omitempty" yaml:"from,omitempty"`
	// ReplyTo is the Reply-To address.
	ReplyTo string `json:"reply_to,omitempty" yaml:"reply_to,omitempty"`
}

// Or returns s with each empty field taken from fallback.
func (s Sender) Or(fallback Sender) Sender {
	if s.From == "" {
		s.From = fallback.From
	}
	if s.ReplyTo == "" {
		s.ReplyTo = fallback.ReplyTo
	}
	return s
}

// Workspace is an isolated tenant (Mandant).
type Workspace struct {
	ID   int64  `json:"-"`
	Key  string `json:"key"`
	Name string `json:"name"`
	// DefaultLocale is used when a recipient has no locale. Default "de".
	DefaultLocale string `json:"default_locale"`
	// Timezone is an IANA zone name. Default "Europe/Berlin".
	Timezone string `json:"timezone"`
	// Sender is the workspace-wide sender identity.
	Sender Sender `json:"sender"`
	// AllowedSenders are the domains ("agentur-nord.de") and addresses
	// ("dispo@agentur-nord.de") this workspace may send as, in From and
	// Reply-To; AnySender ("*") allows every address. Only the operator
	// sets them (herold workspaces senders), never the workspace's own
	// admins. Empty: the workspace sends nothing. The bootstrap workspace
	// gets AnySender.
	AllowedSenders []string `json:"allowed_senders"`
	// RetentionDays is how long messages and events are kept. Default 30.
	RetentionDays int `json:"retention_days"`
	// ConfirmationExpiryHours is how long a message waits for approval
	// before it expires. Default 168 (7 days).
	ConfirmationExpiryHours int `json:"confirmation_expiry_hours"`
	// Inbound are the choices for received mail: reply tracking, the
	// subject token and the rules (docs/inbound.md).
	Inbound InboundSettings `json:"inbound"`
	// Vocabulary names the workspace's event types, roles and
	// categories in German and English for the cockpit.
	Vocabulary Vocabulary `json:"vocabulary"`
	// QuietHours hold the workspace's non-urgent e-mail until they end
	// (in each contact's time zone, else the workspace's); empty: none.
	QuietHours QuietHours `json:"quiet_hours"`
	// SummarySchedule is when contacts' daily and weekly summaries are
	// sent; empty fields: 08:00, Mondays.
	SummarySchedule SummarySchedule `json:"summary_schedule"`
	CreatedAt       time.Time       `json:"created_at"`
	UpdatedAt       time.Time       `json:"updated_at"`
}

// Defaults for new workspaces.
const (
	DefaultLocale                  = "de"
	DefaultTimezone                = "Europe/Berlin"
	DefaultRetentionDays           = 30
	DefaultConfirmationExpiryHours = 7 * 24
	DefaultWorkspaceKey            = "default"
)

// Location returns the workspace time zone, UTC when it does not load.
func (w *Workspace) Location() *time.Location { return LoadLocation(w.Timezone) }

// locations memoises time.LoadLocation, which reads the zone database from
// disk on every call. Zones never change while the process runs.
var locations sync.Map

// LoadLocation returns the named IANA zone, UTC for an empty or unknown
// name.
func LoadLocation(name string) *time.Location {
	if loc, ok := locations.Load(name); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "" {
		loc = time.UTC
	}
	locations.Store(name, loc)
	return loc
}

// APIKey is a bearer key of a workspace. The secret is never stored, only its
// SHA-256 hash.
type APIKey struct {
	ID          string     `json:"id"`
	WorkspaceID int64      `json:"-"`
	Name        string     `json:"name"`
	Prefix      string     `json:"prefix"`
	Scopes      []Scope    `json:"scopes"`
	CreatedAt   time.Time  `json:"created_at"`
	RevokedAt   *time.Time `json:"revoked_at,omitempty"`
}

// Has reports whether the key carries scope.
func (k *APIKey) Has(scope Scope) bool {
	for _, s := range k.Scopes {
		if s == scope {
			return true
		}
	}
	return false
}

// Template is an e-mail template (E-Mail-Vorlage) with content per locale.
type Template struct {
	Key         string `json:"key"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Sender overrides the flow's and workspace's sender identity.
	Sender Sender `json:"sender"`
	// Locales maps a locale ("de", "en", "de-AT") to its content.
	Locales   map[string]TemplateContent `json:"locales"`
	CreatedAt time.Time                  `json:"created_at"`
	UpdatedAt time.Time                  `json:"updated_at"`
}

// TemplateContent is one locale's subject, HTML body and text body.
type TemplateContent struct {
	Subject string `json:"subject" yaml:"subject"`
	HTML    string `json:"html,omitempty" yaml:"html,omitempty"`
	Text    string `json:"text,omitempty" yaml:"text,omitempty"`
	// InApp is what an in-app notification shows; nil when the template
	// has no in-app part (its in-app messages then show the subject and
	// the text body).
	InApp *InAppContent `json:"inapp,omitempty" yaml:"inapp,omitempty"`
}

// InAppContent is the in-app part of a template: every field is a
// template like the subject (text/template, placeholders allowed).
type InAppContent struct {
	// Title is the item's headline; default the subject.
	Title string `json:"title,omitempty" yaml:"title,omitempty"`
	// Body is a short plain text; default the text body.
	Body string `json:"body,omitempty" yaml:"body,omitempty"`
	// Link is where a click on the item goes (http, https or a path).
	Link string `json:"link,omitempty" yaml:"link,omitempty"`
	// Actions are optional buttons, at most MaxInAppActions.
	Actions []InAppAction `json:"actions,omitempty" yaml:"actions,omitempty"`
}

// InAppAction is one button of an in-app item.
type InAppAction struct {
	Label string `json:"label" yaml:"label"`
	URL   string `json:"url" yaml:"url"`
}

// MaxInAppActions bounds the buttons of one in-app item.
const MaxInAppActions = 3

// NotificationStatus says whether a notification sends.
type NotificationStatus string

const (
	// StatusActive always sends.
	StatusActive NotificationStatus = "active"
	// StatusInactive never sends.
	StatusInactive NotificationStatus = "inactive"
	// StatusConfirm renders and holds the message until a user approves or
	// declines it (Nachfrage).
	StatusConfirm NotificationStatus = "confirm"
)

// Valid reports whether s is a known status.
func (s NotificationStatus) Valid() bool {
	return s == StatusActive || s == StatusInactive || s == StatusConfirm
}

// CategoryTransactional needs neither consent nor respects opt-outs; every
// other category is a consent category.
const CategoryTransactional = "transactional"

// The channels a notification can send on.
const (
	// ChannelEmail sends e-mail (SMTP or the capture mailbox).
	ChannelEmail = "email"
	// ChannelInApp appends to the recipient contact's feed (the in-app
	// inbox with live updates).
	ChannelInApp = "inapp"
	// ChannelWebhook posts the event, the notification and its recipients
	// once to the notification's webhook endpoint.
	ChannelWebhook = "webhook"
)

// Channels lists the known channels in the order a notification's
// channels are stored and shown.
var Channels = []string{ChannelEmail, ChannelInApp, ChannelWebhook}

// Flow is a named, versioned set of notifications (Benachrichtigungsablauf).
type Flow struct {
	Key         string `json:"key"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Sender overrides the workspace's sender identity for this flow.
	Sender Sender `json:"sender"`
	// Version increases with every change to the flow or its notifications.
	Version       int            `json:"version"`
	Notifications []Notification `json:"notifications"`
	CreatedAt     time.Time      `json:"created_at"`
	UpdatedAt     time.Time      `json:"updated_at"`
}

// Notification is one rule of a flow (Benachrichtigung).
type Notification struct {
	// Key identifies the notification within its flow.
	Key string `json:"key"`
	// Name is an optional human label.
	Name string `json:"name,omitempty"`
	// EventType is the event type that triggers it, e.g. "booking.confirmed".
	EventType string `json:"event_type"`
	// Condition is an optional CEL expression that must be true.
	Condition string `json:"condition,omitempty"`
	// Template is the key of the template to render.
	Template string `json:"template"`
	// Recipients, CC and BCC in the forms of Recipient.
	Recipients []Recipient `json:"recipients"`
	CC         []Recipient `json:"cc,omitempty"`
	BCC        []Recipient `json:"bcc,omitempty"`
	// Status is active, inactive or confirm. Default active.
	Status NotificationStatus `json:"status"`
	// Category is "transactional" (default) or a consent category.
	Category string `json:"category"`
	// Channels are the channels it sends on: "email", "inapp" or both.
	// Default ["email"].
	Channels []string `json:"channels"`
	// Channel is the older single-channel field, kept for saved flows and
	// clients that predate Channels: given alone it is read as
	// Channels = [Channel]; after Normalize it holds Channels joined by
	// commas ("email", "inapp" or "email,inapp").
	Channel string `json:"channel"`
	// Webhook is the id of the workspace's webhook endpoint the webhook
	// channel posts to; required with that channel, empty otherwise.
	Webhook string `json:"webhook,omitempty"`
	// Throttle are rules that suppress messages beyond a number per
	// recipient and window (docs/throttles.md).
	Throttle []ThrottleRule `json:"throttle,omitempty"`
	// Urgent mail is not held by quiet hours.
	Urgent bool `json:"urgent,omitempty"`
	// Digest, when set, collects this notification's e-mails to one
	// recipient into one message over a window (see Digest).
	Digest *Digest `json:"digest,omitempty"`
}

// Sends reports whether the notification sends on channel ch.
func (n *Notification) Sends(ch string) bool {
	list := n.Channels
	if len(list) == 0 {
		list = SplitChannels(n.Channel)
	}
	return contains(list, ch)
}

// SplitChannels reads the stored form of a notification's channels
// ("email,inapp"); "" is e-mail.
func SplitChannels(s string) []string {
	if s == "" {
		return []string{ChannelEmail}
	}
	return strings.Split(s, ",")
}

// Project is a scope events belong to. It uses one flow or none.
type Project struct {
	Key  string `json:"key"`
	Name string `json:"name"`
	// Flow is the key of the flow; empty means nothing is sent.
	Flow string `json:"flow,omitempty"`
	// Members maps a role name to contact ids.
	Members map[string][]string `json:"members"`
	// Attributes are free data for templates and conditions.
	Attributes map[string]any `json:"attributes"`
	CreatedAt  time.Time      `json:"created_at"`
	UpdatedAt  time.Time      `json:"updated_at"`
}

// Contact is a person the host application knows.
type Contact struct {
	// ID is the host application's id of the person.
	ID       string `json:"id"`
	Email    string `json:"email,omitempty"`
	Name     string `json:"name,omitempty"`
	Locale   string `json:"locale,omitempty"`
	Timezone string `json:"timezone,omitempty"`
	// Attributes are free data: birthday, membership status, ...
	Attributes map[string]any `json:"attributes"`
	// Consents lists the consent categories the person agreed to.
	Consents []string `json:"consents"`
	// OptOuts lists the categories the person opted out of on every
	// channel.
	OptOuts []string `json:"opt_outs"`
	// Preferences is the person's current choice per category and
	// channel (and frequency), derived from the preference ledger; the
	// store keeps it, the host app cannot write it with the contact.
	Preferences []Preference `json:"-"`
	CreatedAt   time.Time    `json:"created_at"`
	UpdatedAt   time.Time    `json:"updated_at"`
}

// HasConsent reports whether the contact agreed to category.
func (c *Contact) HasConsent(category string) bool { return contains(c.Consents, category) }

// Suppression returns why the contact must not get a message of category
// on channel, or "": opted out of it (on every channel, or on this one),
// or no consent to it; transactional messages need neither, and the
// contact's own opt-in on a channel (a preference "in") is consent for it.
// It is the one rule for a notification's category and a schedule's
// consent category; channel "" (a schedule, which sends nothing itself)
// counts only an opt-out of every channel and the consents.
func (c *Contact) Suppression(category, channel string) SuppressReason {
	out, optIn := c.OptedOut(category), false
	if channel != "" {
		out, _ = c.ChannelOptedOut(category, channel)
		p := c.PreferenceOf(category, channel)
		optIn = p != nil && p.Value == ValueIn
	}
	switch {
	case category == CategoryTransactional:
		return ""
	case out:
		return ReasonOptedOut
	case !optIn && !c.HasConsent(category):
		return ReasonNoConsent
	}
	return ""
}

// OptedOut reports whether the contact opted out of category.
func (c *Contact) OptedOut(category string) bool { return contains(c.OptOuts, category) }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Object is a record of the host application (task, qualification, ticket)
// that events and schedules refer to.
type Object struct {
	Collection string `json:"collection"`
	ID         string `json:"id"`
	// Attributes are free data: name, dates, status, ...
	Attributes map[string]any `json:"attributes"`
	// Contacts maps a role name to linked contact ids.
	Contacts map[string][]string `json:"contacts"`
	// Subscribers are the contact ids watching the object: its watchers,
	// the recipient form "watchers". Nil when saving keeps the stored ones.
	Subscribers []string  `json:"subscribers"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// ObjectRef names an object.
type ObjectRef struct {
	Collection string `json:"collection"`
	ID         string `json:"id"`
}
