package store

import (
	"context"
	"time"

	"github.com/herold-dev/herold/internal/model"
)

// FeedAppendParams add an in-app message to its contact's feed.
type FeedAppendParams struct {
	WorkspaceID int64
	ContactID   string
	MessageID   string
	Category    string
	Item        model.InAppContent
	At          time.Time
}

// FeedListParams read one page of a contact's feed, newest first.
type FeedListParams struct {
	WorkspaceID int64
	ContactID   string
	// Before is the seq the page starts below; 0 for the newest.
	Before int64
	// Archived lists the archive instead of the inbox. The inbox leaves
	// out items snoozed beyond Now.
	Archived bool
	Now      time.Time
	Limit    int
}

// FeedChangesParams read the items changed after a version, oldest
// change first (a stream's resume).
type FeedChangesParams struct {
	WorkspaceID int64
	ContactID   string
	After       int64
	Limit       int
}

// FeedMarkParams mark items: those named in Seqs and every item up to
// UpTo (0: none), so that "mark all read" leaves alone what arrived after
// the newest item the person saw.
type FeedMarkParams struct {
	WorkspaceID int64
	ContactID   string
	Mark        model.FeedMark
	Seqs        []int64
	UpTo        int64
	// Until is the end of a snooze.
	Until time.Time
	At    time.Time
}

// FeedQueries are the operations on the in-app feed. Writes that must
// see each other (an append and a mark of one contact) are serialised by
// the contact's head row: call them in a transaction.
type FeedQueries interface {
	// FeedAppend adds the item once per message: a second append of the
	// same message (a retried delivery) returns the stored item with
	// created false.
	FeedAppend(ctx context.Context, p *FeedAppendParams) (item *model.FeedItem, created bool, err error)
	FeedList(ctx context.Context, p *FeedListParams) ([]*model.FeedItem, error)
	FeedChanges(ctx context.Context, p *FeedChangesParams) ([]*model.FeedItem, error)
	// FeedMark applies the mark to the items that it changes, giving
	// them a new version, and returns how many changed.
	FeedMark(ctx context.Context, p *FeedMarkParams) (changed int, err error)
	FeedCounts(ctx context.Context, workspaceID int64, contactID string, now time.Time) (*model.FeedCounts, error)
	// FeedSettingsGet returns ErrNotFound for a workspace that has none.
	FeedSettingsGet(ctx context.Context, workspaceID int64) (*model.FeedSettings, error)
	FeedSettingsPut(ctx context.Context, workspaceID int64, s *model.FeedSettings) error
	// FeedPurge deletes up to Limit items that arrived before Before (the
	// workspace's retention, as for messages) and returns how many.
	FeedPurge(ctx context.Context, p *PurgeParams) (int, error)
}
