package store

import (
	"context"
	"time"

	"github.com/herold-dev/herold/internal/model"
)

// InboundCountParams count a workspace's received messages of one kind
// about one address (and object) since a time: soft bounces for the
// threshold, mail of one sender on one object for the throttle.
type InboundCountParams struct {
	WorkspaceID int64
	Address     string
	Kind        string
	// Object is "" for messages matched to no object.
	Object string
	Since  time.Time
}

// InboundQueries are the operations on received mail.
type InboundQueries interface {
	// InboundMessageInsert stores a received message; created is false
	// (and nothing is stored) when the workspace has one with the same
	// Message-ID and content hash already.
	InboundMessageInsert(ctx context.Context, workspaceID int64, m *model.InboundMessage) (created bool, err error)
	InboundMessageCount(ctx context.Context, p *InboundCountParams) (int, error)
	// InboundMessagePurge deletes up to Limit messages received before
	// Before and returns how many.
	InboundMessagePurge(ctx context.Context, p *PurgeParams) (int, error)
}
