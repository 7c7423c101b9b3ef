package store

import (
	"context"
	"time"

	"github.com/herold-dev/herold/internal/model"
)

// BroadcastTransitionParams move a broadcast to a new status, but only
// when its current status is one of From (so that a pause racing a cancel
// cannot both win). Any lease is given up.
type BroadcastTransitionParams struct {
	WorkspaceID int64
	Key         string
	From        []model.BroadcastStatus
	To          model.BroadcastStatus
	// DueAt is when a scheduled or running broadcast is due to send
	// next; nil for the other statuses.
	DueAt *time.Time
	// StartAt is stored as the broadcast's start time when set.
	StartAt *time.Time
	// At is the time of the change; a final status records it as
	// finished_at.
	At time.Time
}

// ClaimedBroadcast is a broadcast claimed by a sender (under its lease).
type ClaimedBroadcast struct {
	WorkspaceID int64
	*model.Broadcast
}

// BroadcastProgressParams store how far a claimed broadcast got and
// give its lease up.
type BroadcastProgressParams struct {
	WorkspaceID int64
	Key         string
	// Owner must hold the broadcast's lease, and the broadcast must still
	// be running (not paused or cancelled meanwhile); else ErrNotFound.
	Owner    string
	Progress model.BroadcastProgress
	// Done ends the broadcast (status done, finished at At); otherwise
	// it is due again at DueAt.
	Done  bool
	DueAt time.Time
	At    time.Time
}

// StatusCount counts messages of one status and reason.
type StatusCount struct {
	Status model.MessageStatus
	Reason string
	N      int
}

// BroadcastQueries are the operations on broadcasts.
type BroadcastQueries interface {
	// BroadcastUpsert stores a broadcast's name, spec and start time; a
	// new one is stored whole, with its status and progress (an import),
	// and is due at BroadcastDue when scheduled or running. An existing
	// one keeps its status and progress.
	BroadcastUpsert(ctx context.Context, workspaceID int64, b *model.Broadcast) (created bool, err error)
	BroadcastGet(ctx context.Context, workspaceID int64, key string) (*model.Broadcast, error)
	BroadcastList(ctx context.Context, p *ListParams) ([]*model.Broadcast, error)
	// BroadcastDelete deletes a draft; any other status is ErrNotFound.
	BroadcastDelete(ctx context.Context, workspaceID int64, key string) error
	// BroadcastTransition changes a broadcast's status (see the params);
	// false when its status was not one of p.From.
	BroadcastTransition(ctx context.Context, p *BroadcastTransitionParams) (bool, error)
	// BroadcastClaim takes one due broadcast (scheduled or running, due
	// at or before now; a running one whose lease ran out is due) under
	// the owner's lease and marks it running; none due is ErrNotFound.
	BroadcastClaim(ctx context.Context, p *RunClaimParams) (*ClaimedBroadcast, error)
	// BroadcastProgress stores a claimed broadcast's progress (see the
	// params).
	BroadcastProgress(ctx context.Context, p *BroadcastProgressParams) error
	// BroadcastMessageCounts counts the broadcast's messages by status
	// and reason.
	BroadcastMessageCounts(ctx context.Context, workspaceID int64, key string) ([]StatusCount, error)
	// BroadcastQueuedMessages lists up to limit ids of the broadcast's
	// messages that are queued or retrying (not being sent).
	BroadcastQueuedMessages(ctx context.Context, workspaceID int64, key string, limit int) ([]string, error)
}

// BroadcastNotification is the notification key of a broadcast's
// messages: flows' notification keys never contain a colon, so it names
// the broadcast's messages alone.
func BroadcastNotification(key string) string { return "broadcast:" + key }

// BroadcastEventType is the event type of the events broadcasts emit.
const BroadcastEventType = "broadcast"

// BroadcastDue is when a broadcast stored whole is due to send: a
// scheduled one at its start, a running one at once (at its last
// update).
func BroadcastDue(b *model.Broadcast) time.Time {
	if b.Status == model.BroadcastScheduled && b.StartAt != nil {
		return *b.StartAt
	}
	return b.UpdatedAt
}
