package store

import (
	"context"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store/dbutil"
)

// EventListParams filter and page events, newest first.
type EventListParams struct {
	WorkspaceID int64
	Project     string
	Type        string
	// Contact matches the event's subject contact or any actor.
	Contact string
	// Since and Until bound received_at (inclusive, exclusive).
	Since, Until *time.Time
	// Before is the id of the last event of the previous page.
	Before string
	Limit  int
	// Silent keeps only events that produced no message at all (bound
	// the scan with Since).
	Silent bool
}

// MessageListParams filter and page messages, newest first.
type MessageListParams struct {
	WorkspaceID int64
	EventID     string
	// Contact matches the recipient's contact and the contacts of the CC
	// and BCC copies: a person's history includes the copies they got.
	Contact string
	// Email matches the To address and the CC and BCC addresses
	// (case-insensitive).
	Email    string
	Project  string
	Statuses []model.MessageStatus
	// Since and Until bound created_at (inclusive, exclusive).
	Since, Until *time.Time
	// Before is the id of the last message of the previous page.
	Before string
	Limit  int
}

// MessageCopy is one CC or BCC address of a message, as the stores index
// them for the Contact and Email filters of MessageListParams.
type MessageCopy struct {
	MessageID string
	Contact   string
	Email     string
}

// MessageCopies lists the CC and BCC addresses of messages, in order.
func MessageCopies(ms []*model.Message) []MessageCopy {
	var out []MessageCopy
	for _, m := range ms {
		for _, list := range [][]model.Address{m.CC, m.BCC} {
			for _, a := range list {
				out = append(out, MessageCopy{MessageID: m.ID, Contact: a.ContactID, Email: a.Email})
			}
		}
	}
	return out
}

// Narrowest names the filter of p that selects the fewest messages, so a
// store can run a query whose plan starts from that filter's index
// instead of walking the workspace's history: "event", "contact", or ""
// for neither.
func (p *MessageListParams) Narrowest() string {
	switch {
	case p.EventID != "":
		return "event"
	case p.Contact != "":
		return "contact"
	}
	return ""
}

// MessageTransitionParams move a message to a new status, but only when
// its current status is one of From (so that two workers or an approval
// racing an expiry cannot both win), and append a timeline entry.
type MessageTransitionParams struct {
	WorkspaceID int64
	ID          string
	From        []model.MessageStatus
	// To and the following fields are the message's new values.
	To            model.MessageStatus
	Reason        string
	Attempts      int
	NextAttemptAt *time.Time
	LastReply     string
	SentAt        *time.Time
	// QueuedAt, when set, records when the message was (first) queued;
	// a message moved to queued becomes due for sending at that time.
	QueuedAt *time.Time
	At       time.Time
	// Entry is appended to the timeline.
	Entry model.MessageEvent
}

// MessageClaimParams claim due messages for sending. A message is due when
// it is queued, or retrying and its next attempt has come, or sending with
// a lease that ran out (its sender stopped without recording an outcome).
type MessageClaimParams struct {
	// Owner names the claiming process; the leases carry it.
	Owner string
	// Now is the time of the claim: what is due by then is claimed.
	Now time.Time
	// LeaseUntil is when the claim lapses unless it is renewed or its
	// outcome recorded first.
	LeaseUntil time.Time
	// Limit is the most messages one claim takes.
	Limit int
}

// ClaimedMessage is a message claimed for sending: its Status is
// "sending" and Attempts counts this attempt.
type ClaimedMessage struct {
	WorkspaceID int64
	*model.Message
}

// MessageOutcome records what became of a claimed message, releasing its
// lease. It applies only while the message is still "sending" under
// Owner's lease, except a delivered message: the mail server took it, so
// it is recorded as sent even when the lease passed to another process
// meanwhile (which must then not send or record it again).
type MessageOutcome struct {
	WorkspaceID int64
	ID          string
	Owner       string
	// To is sent, retrying or failed; or queued or retrying (with the
	// attempt not counted) for a claim released unsent.
	To model.MessageStatus
	// Delivered says the mail server accepted the message.
	Delivered bool
	Attempts  int
	Reason    string
	LastReply string
	SentAt    *time.Time
	// DueAt is when a retrying or released message is next due.
	DueAt *time.Time
	// CapturedSize, when above 0, files the message in the capture
	// mailbox (its size in bytes as built).
	CapturedSize int
	At           time.Time
	// Entries are appended to the timeline.
	Entries []model.MessageEvent
	// Timeline is Entries encoded as the timeline column stores them, set
	// by EncodeOutcomes before the transaction so that SQLite's one writer
	// only binds it; empty: MessageRecord encodes Entries itself. Set
	// Entries before encoding: a later change is not seen.
	Timeline string
}

// EncodeOutcomes encodes the timeline entries of outcomes (see
// MessageOutcome.Timeline) with the function MessageRecord uses, so the
// stored bytes do not depend on who encoded them.
func EncodeOutcomes(outcomes []*MessageOutcome) {
	for _, o := range outcomes {
		o.Timeline = string(dbutil.Timeline(o.Entries))
	}
}

// TimelineJSON is what MessageRecord appends to the message's timeline:
// Timeline, or Entries encoded now.
func (o *MessageOutcome) TimelineJSON() string {
	if o.Timeline != "" {
		return o.Timeline
	}
	return string(dbutil.Timeline(o.Entries))
}

// MessageRef names a message across workspaces (for periodic jobs).
type MessageRef struct {
	WorkspaceID int64
	ID          string
	// CreatedAt is when the message was planned: the day whose
	// awaiting_confirmation count holds it while it waits.
	CreatedAt time.Time
}

// QueueStats describe undelivered mail across all workspaces.
type QueueStats struct {
	// Depth counts messages queued, sending or waiting for a retry.
	Depth int
	// Oldest is the creation time of the oldest of them.
	Oldest *time.Time
}

// CapturedMail is a message in the capture mailbox.
type CapturedMail struct {
	MessageID  string    `json:"id"`
	EventID    string    `json:"event_id"`
	CapturedAt time.Time `json:"captured_at"`
	From       string    `json:"from"`
	To         string    `json:"to"`
	Subject    string    `json:"subject"`
	Size       int       `json:"size"`
}

// CaptureListParams page the capture mailbox, newest first.
type CaptureListParams struct {
	WorkspaceID int64
	Before      string
	Limit       int
}

// StatsDelta adds N to one daily counter. A negative N takes a message
// off the counter when it leaves the status counted (a confirmation
// approved, declined or expired); a counter never goes below zero, and
// StatsList leaves out counters at zero.
type StatsDelta struct {
	WorkspaceID int64
	// Day is YYYY-MM-DD in the workspace's time zone.
	Day    string
	Status model.MessageStatus
	Reason string
	N      int
}

// StatsRow is one daily counter.
type StatsRow struct {
	Day    string              `json:"day"`
	Status model.MessageStatus `json:"status"`
	Reason string              `json:"reason,omitempty"`
	Count  int                 `json:"count"`
}

// PurgeParams delete old events with their messages.
type PurgeParams struct {
	WorkspaceID int64
	// Before: events received earlier are deleted when none of their
	// messages is still pending.
	Before time.Time
	Limit  int
}

// PipelineQueries are the operations on events and messages.
type PipelineQueries interface {
	EventInsert(ctx context.Context, workspaceID int64, e *model.Event) error
	// EventInsertMany inserts several events at once; a duplicate
	// idempotency key is ErrConflict and inserts none of them.
	EventInsertMany(ctx context.Context, workspaceID int64, es []*model.Event) error
	// EventInsertRows is EventInsertMany with the JSON columns encoded
	// before the transaction (see EncodeEvents).
	EventInsertRows(ctx context.Context, workspaceID int64, rows []EventRow) error
	EventGet(ctx context.Context, workspaceID int64, id string) (*model.Event, error)
	EventGetByIdempotencyKey(ctx context.Context, workspaceID int64, key string) (*model.Event, error)
	// EventIdempotencyKeys returns which of keys events already use.
	EventIdempotencyKeys(ctx context.Context, workspaceID int64, keys []string) (map[string]bool, error)
	EventList(ctx context.Context, p *EventListParams) ([]*model.Event, error)
	// EventCountSilent counts the events received since p.Since that
	// produced no message, up to p.Limit (the count stops there).
	EventCountSilent(ctx context.Context, p *EventCountSilentParams) (int, error)
	EventPurge(ctx context.Context, p *PurgeParams) (int, error)

	// MessageInsertMany stores messages with their initial timelines.
	MessageInsertMany(ctx context.Context, workspaceID int64, ms []*model.Message) error
	// MessageInsertClaimed stores queued messages already claimed by
	// owner until until, as MessageClaim would have left them ("sending",
	// first attempt): the process that creates them sends them without
	// claiming them (see delivery.Dispatcher.Reserve).
	MessageInsertClaimed(ctx context.Context, workspaceID int64, owner string, until time.Time, ms []*model.Message) error
	// MessageInsertRows is MessageInsertMany (owner "") or
	// MessageInsertClaimed with the columns encoded before the
	// transaction (see EncodeMessages).
	MessageInsertRows(ctx context.Context, workspaceID int64, owner string, until time.Time, rows []MessageRow) error
	MessageGet(ctx context.Context, workspaceID int64, id string) (*model.Message, error)
	MessageGetMany(ctx context.Context, workspaceID int64, ids []string) ([]*model.Message, error)
	MessageList(ctx context.Context, p *MessageListParams) ([]*model.Message, error)
	// MessageCountByEvents counts the messages of the given events (at
	// most MaxCountEvents) by event, status, reason and whether they
	// went to the capture mailbox: the outcome of each row of an event
	// list in one query.
	MessageCountByEvents(ctx context.Context, p *MessageCountByEventsParams) ([]EventMessageCount, error)
	MessageTransition(ctx context.Context, p *MessageTransitionParams) (bool, error)
	// MessageClaim moves up to Limit due messages, oldest due first, to
	// "sending" under the owner's lease with one statement, counts the
	// attempt, and returns them with their rendered copies. A message whose
	// lease ran out gets a timeline entry saying its attempt was
	// interrupted; the owner's own leases are never claimed again (it is
	// still sending those). On PostgreSQL, concurrent claims skip each
	// other's rows.
	MessageClaim(ctx context.Context, p *MessageClaimParams) ([]ClaimedMessage, error)
	// MessageRecord applies outcomes (see MessageOutcome) and returns, per
	// outcome, whether it applied.
	MessageRecord(ctx context.Context, outcomes []*MessageOutcome) ([]bool, error)
	// MessageNextDue returns when the next message owner may claim is due
	// (nil when none is): a read, so that an idle server polls without
	// writing.
	MessageNextDue(ctx context.Context, owner string) (*time.Time, error)
	// MessageLeaseRenew moves the lease of the owner's messages among ids
	// to until; it returns how many it renewed.
	MessageLeaseRenew(ctx context.Context, owner string, ids []string, until time.Time) (int, error)
	// MessageLeaseReleaseOwn gives back, unsent, every message leased by
	// owner but not in keep: a claim whose answer was lost (the database
	// went away after it committed) left them leased by a process that
	// does not know it holds them. They are due at now, the attempt not
	// counted.
	MessageLeaseReleaseOwn(ctx context.Context, owner string, keep []string, now time.Time) (int, error)
	// MessageLeaseExpire ends, as of now, the leases of every owner but
	// owner: a single server that starts knows no other process can be
	// sending, so the messages its previous run left "sending" are due at
	// once instead of when their leases run out.
	MessageLeaseExpire(ctx context.Context, owner string, now time.Time) (int, error)
	// MessageEventAppend adds an entry to a message's timeline without
	// changing its status (an unsubscribe through the message's link); a
	// message not in the workspace is ErrNotFound.
	MessageEventAppend(ctx context.Context, workspaceID int64, messageID string, e *model.MessageEvent) error
	MessageExpiring(ctx context.Context, before time.Time, limit int) ([]MessageRef, error)
	MessageQueueStats(ctx context.Context) (QueueStats, error)

	// CaptureList pages through the messages filed in the capture mailbox
	// (see MessageOutcome.CapturedSize).
	CaptureList(ctx context.Context, p *CaptureListParams) ([]*CapturedMail, error)

	StatsAdd(ctx context.Context, deltas []StatsDelta) error
	StatsList(ctx context.Context, workspaceID int64, fromDay, toDay string) ([]StatsRow, error)
}

// InsertRow is how a new message is stored: its status, attempts, lease
// owner and due time (nil: not in the delivery queue). A queued message
// is due at its creation, or at its NextAttemptAt when it waits until
// then (a paced broadcast's); one inserted claimed (owner set) is
// "sending" in its first attempt until its lease runs out.
func InsertRow(m *model.Message, owner string, until time.Time) (status model.MessageStatus, attempts int, due *time.Time) {
	switch {
	case owner != "":
		return model.MsgSending, m.Attempts + 1, &until
	case m.Status == model.MsgQueued:
		if m.NextAttemptAt != nil {
			return m.Status, m.Attempts, m.NextAttemptAt
		}
		return m.Status, m.Attempts, &m.CreatedAt
	case m.Status == model.MsgRetrying || m.Status == model.MsgSending:
		if m.NextAttemptAt != nil {
			return m.Status, m.Attempts, m.NextAttemptAt
		}
		return m.Status, m.Attempts, &m.CreatedAt
	}
	return m.Status, m.Attempts, nil
}

// MaxCountEvents bounds the events MessageCountByEvents counts at once (a
// page of an event list).
const MaxCountEvents = 500

// MessageCountByEventsParams name the events whose messages are counted.
type MessageCountByEventsParams struct {
	WorkspaceID int64
	EventIDs    []string
}

// EventMessageCount is how many messages of one event have a status and
// reason; Captured counts messages filed in the capture mailbox apart.
type EventMessageCount struct {
	EventID  string
	Status   model.MessageStatus
	Reason   string
	Captured bool
	N        int
}

// EventCountSilentParams bound the count of events without messages.
type EventCountSilentParams struct {
	WorkspaceID int64
	Since       time.Time
	// Limit caps the count (and the rows read).
	Limit int
}
