package store

import (
	"context"
	"time"

	"github.com/herold-dev/herold/internal/model"
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
}

// MessageListParams filter and page messages, newest first.
type MessageListParams struct {
	WorkspaceID int64
	EventID     string
	Contact     string
	// Email matches the To address (case-insensitive).
	Email    string
	Project  string
	Statuses []model.MessageStatus
	// Since and Until bound created_at (inclusive, exclusive).
	Since, Until *time.Time
	// Before is the id of the last message of the previous page.
	Before string
	Limit  int
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
	// QueuedAt, when set, records when the message was (first) queued.
	QueuedAt *time.Time
	At       time.Time
	// Entry is appended to the timeline.
	Entry model.MessageEvent
}

// MarkSendingParams start a delivery attempt for several messages.
type MarkSendingParams struct {
	WorkspaceID int64
	IDs         []string
	At          time.Time
}

// MessageRef names a message across workspaces (for periodic jobs).
type MessageRef struct {
	WorkspaceID int64
	ID          string
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

// StatsDelta adds N to one daily counter.
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
	EventGet(ctx context.Context, workspaceID int64, id string) (*model.Event, error)
	EventGetByIdempotencyKey(ctx context.Context, workspaceID int64, key string) (*model.Event, error)
	// EventIdempotencyKeys returns which of keys events already use.
	EventIdempotencyKeys(ctx context.Context, workspaceID int64, keys []string) (map[string]bool, error)
	EventList(ctx context.Context, p *EventListParams) ([]*model.Event, error)
	EventPurge(ctx context.Context, p *PurgeParams) (int, error)

	// MessageInsertMany stores messages with their initial timelines.
	MessageInsertMany(ctx context.Context, workspaceID int64, ms []*model.Message) error
	MessageGet(ctx context.Context, workspaceID int64, id string) (*model.Message, error)
	MessageGetMany(ctx context.Context, workspaceID int64, ids []string) ([]*model.Message, error)
	MessageList(ctx context.Context, p *MessageListParams) ([]*model.Message, error)
	MessageTransition(ctx context.Context, p *MessageTransitionParams) (bool, error)
	// MessageMarkSending moves the messages among ids that are queued,
	// retrying or sending to "sending", counts the attempt, records it in
	// their timelines and returns each moved message's attempt number.
	MessageMarkSending(ctx context.Context, p *MarkSendingParams) (map[string]int, error)
	// MessageRecordMany applies several transitions at once (each only if
	// the message is in one of its From statuses) and returns, per
	// transition, whether it applied.
	MessageRecordMany(ctx context.Context, ps []*MessageTransitionParams) ([]bool, error)
	// MessageEventAppend adds an entry to a message's timeline without
	// changing its status (an unsubscribe through the message's link); a
	// message not in the workspace is ErrNotFound.
	MessageEventAppend(ctx context.Context, workspaceID int64, messageID string, e *model.MessageEvent) error
	MessageExpiring(ctx context.Context, before time.Time, limit int) ([]MessageRef, error)
	MessageQueueStats(ctx context.Context) (QueueStats, error)

	CaptureInsert(ctx context.Context, workspaceID int64, messageID string, raw []byte, at time.Time) error
	CaptureGet(ctx context.Context, workspaceID int64, messageID string) ([]byte, error)
	CaptureList(ctx context.Context, p *CaptureListParams) ([]*CapturedMail, error)

	StatsAdd(ctx context.Context, deltas []StatsDelta) error
	StatsList(ctx context.Context, workspaceID int64, fromDay, toDay string) ([]StatsRow, error)
}
