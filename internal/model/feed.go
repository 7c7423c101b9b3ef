package model

import "time"

// FeedItem is one in-app message in a contact's feed, as the contact's
// browser sees it.
type FeedItem struct {
	// Seq numbers the contact's items in arrival order (from 1).
	Seq int64 `json:"seq"`
	// Version is the contact's change counter at the item's last change;
	// the live stream's event ids are versions.
	Version int64 `json:"version"`
	// MessageID is Herold's id of the message that delivered the item.
	MessageID string `json:"message_id"`
	Category  string `json:"category,omitempty"`
	InAppContent
	CreatedAt    time.Time  `json:"created_at"`
	SeenAt       *time.Time `json:"seen_at"`
	ReadAt       *time.Time `json:"read_at"`
	ArchivedAt   *time.Time `json:"archived_at"`
	SnoozedUntil *time.Time `json:"snoozed_until"`
}

// FeedCounts are a feed's badges, computed by the server with every
// change so that they never drift: items neither archived nor snoozed
// that are unread or unseen, and the contact's change counter.
type FeedCounts struct {
	Unread  int   `json:"unread"`
	Unseen  int   `json:"unseen"`
	Version int64 `json:"version"`
}

// FeedMark is what a mark does to the items it names.
type FeedMark string

// The marks. Read implies seen; the rest change one timestamp each.
const (
	FeedSeen      FeedMark = "seen"
	FeedRead      FeedMark = "read"
	FeedUnread    FeedMark = "unread"
	FeedArchived  FeedMark = "archived"
	FeedUnarchive FeedMark = "unarchived"
	FeedSnoozed   FeedMark = "snoozed"
)

// Valid reports whether m is a known mark.
func (m FeedMark) Valid() bool {
	switch m {
	case FeedSeen, FeedRead, FeedUnread, FeedArchived, FeedUnarchive, FeedSnoozed:
		return true
	}
	return false
}

// FeedSettings are a workspace's in-app settings: the secret that signs
// feed tokens (and the previous one, still accepted after a rotation so
// that tokens already handed out keep working until they expire) and the
// browser origins allowed to call the feed.
type FeedSettings struct {
	Secret         string    `json:"-"`
	PreviousSecret string    `json:"-"`
	Origins        []string  `json:"origins"`
	UpdatedAt      time.Time `json:"updated_at"`
}
