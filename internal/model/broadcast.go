package model

import "time"

// BroadcastStatus is where a broadcast is in its life.
type BroadcastStatus string

// Broadcast statuses. A draft is edited; start makes it scheduled (a
// start time ahead) or running; running ones may be paused and resumed;
// done and cancelled are final.
const (
	BroadcastDraft     BroadcastStatus = "draft"
	BroadcastScheduled BroadcastStatus = "scheduled"
	BroadcastRunning   BroadcastStatus = "running"
	BroadcastPaused    BroadcastStatus = "paused"
	BroadcastDone      BroadcastStatus = "done"
	BroadcastCancelled BroadcastStatus = "cancelled"
)

// BroadcastStatuses lists every status, in lifecycle order.
var BroadcastStatuses = []BroadcastStatus{BroadcastDraft, BroadcastScheduled, BroadcastRunning,
	BroadcastPaused, BroadcastDone, BroadcastCancelled}

// Broadcast is a one-off or recurring mailing with its own content and data to an
// audience of contacts (Mailing / Newsletter), always filtered by its
// category's consent and opt-outs.
type Broadcast struct {
	Key  string `json:"key"`
	Name string `json:"name"`
	// Category decides consent and opt-outs, as for a notification;
	// "transactional" needs no consent.
	Category string `json:"category"`
	// Template is a stored template's key; or Content gives the mail
	// inline. Exactly one of the two is set.
	Template string           `json:"template,omitempty"`
	Content  *TemplateContent `json:"content,omitempty"`
	// Sender overrides the template's and the workspace's sender.
	Sender Sender `json:"sender"`
	// Data is the broadcast's own data (issue title, articles, links):
	// templates see it as .data.
	Data map[string]any `json:"data"`
	// Audience is a CEL condition over contact that selects the
	// recipients; empty means all contacts.
	Audience string `json:"audience,omitempty"`
	// PerMinute paces the broadcast: at most this many messages a
	// minute. 0 sends as fast as delivery takes them.
	PerMinute int `json:"per_minute,omitempty"`
	// Recurrence (optional) makes the broadcast recurring: a five-field
	// cron in the workspace's time zone ("0 8 * * MON"). Each occurrence
	// sends one edition, a broadcast of its own (Series, Edition) with
	// its own progress and report.
	Recurrence string `json:"recurrence,omitempty"`
	// Series and Edition name, on an edition, the recurring broadcast it
	// belongs to and its number (1, 2, …); its key is "SERIES:000001".
	Series  string `json:"series,omitempty"`
	Edition int    `json:"edition,omitempty"`
	// StartAt is when a started broadcast begins sending (nil: at once).
	StartAt *time.Time      `json:"start_at,omitempty"`
	Status  BroadcastStatus `json:"status"`
	// Progress is how far sending got; it is stored with every batch of
	// messages, so a restart goes on from there.
	Progress   BroadcastProgress `json:"progress"`
	StartedAt  *time.Time        `json:"started_at,omitempty"`
	FinishedAt *time.Time        `json:"finished_at,omitempty"`
	CreatedAt  time.Time         `json:"created_at"`
	UpdatedAt  time.Time         `json:"updated_at"`
}

// BroadcastProgress is how far a broadcast's scan of the contacts got.
type BroadcastProgress struct {
	// Cursor is the id of the last contact looked at.
	Cursor string `json:"-"`
	// Scanned counts the contacts looked at, Matched those in the
	// audience (each got an event: a message or a suppression), Errors
	// those whose audience condition could not be evaluated.
	Scanned      int      `json:"scanned"`
	Matched      int      `json:"matched"`
	Errors       int      `json:"errors"`
	ErrorSamples []string `json:"error_samples"`
}

// Final reports whether the status is done or cancelled.
func (s BroadcastStatus) Final() bool { return s == BroadcastDone || s == BroadcastCancelled }
