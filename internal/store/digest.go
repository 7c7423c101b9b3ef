package store

import (
	"context"
	"time"

	"github.com/herold-dev/herold/internal/model"
)

// DigestItemAddParams add one item to the open digest of (workspace,
// flow, notification, recipient, key), opening it when there is none.
type DigestItemAddParams struct {
	// ID is a new digest's id (unused when one is open).
	ID           string
	WorkspaceID  int64
	Flow         string
	Notification string
	// Recipient identifies the person: the contact id, or the address of
	// a literal recipient. To is the address the message goes to.
	Recipient string
	To        model.Address
	// Key is the rendered digest key ("" for one per recipient).
	Key string
	// EventID is the event the item comes from; a new digest's message
	// belongs to its first event.
	EventID string
	// Data is the data model (JSON) a new digest's message renders with;
	// kept from the first item only.
	Data []byte
	// Item is the item's data (JSON) the template receives.
	Item []byte
	// Now is when the item arrives. ClosesAt and Deadline are a new
	// digest's close and latest close (see model.Digest); Sliding moves
	// the close of an open one to min(ClosesAt, its deadline), and
	// MaxItems (0: none) closes it at Now when reached.
	Now      time.Time
	ClosesAt time.Time
	Deadline time.Time
	Sliding  bool
	MaxItems int
}

// DigestItemAddResult is the digest an item went into.
type DigestItemAddResult struct {
	ID string
	// Total counts the digest's items, this one included.
	Total    int
	ClosesAt time.Time
}

// DigestDueParams list open digests whose close has come, of every
// workspace.
type DigestDueParams struct {
	Now   time.Time
	Limit int
}

// DigestDue names an open digest whose close has come.
type DigestDue struct {
	WorkspaceID int64
	ID          string
}

// DigestClaimParams close one digest if it is still open and due.
type DigestClaimParams struct {
	WorkspaceID int64
	ID          string
	Now         time.Time
}

// DigestClaimed is a digest just closed, with what its message needs.
type DigestClaimed struct {
	model.DigestState
	To           model.Address
	FirstEventID string
	Data         []byte
}

// DigestItemsParams read a digest's first or last Limit items.
type DigestItemsParams struct {
	WorkspaceID int64
	DigestID    string
	// Last reads the last items instead of the first; either way they
	// come back in the order they arrived.
	Last  bool
	Limit int
}

// DigestSetMessageParams record the message a closed digest became.
type DigestSetMessageParams struct {
	WorkspaceID int64
	ID          string
	MessageID   string
}

// DigestQueries are the operations on digests (Sammelnachrichten).
type DigestQueries interface {
	// DigestItemAdd adds an item in one statement per table: concurrent
	// adds for one key make one digest with the exact total (a unique
	// index on the open digests' key and INSERT … ON CONFLICT). The item
	// that reaches MaxItems makes the digest full: the next one opens a
	// new digest.
	DigestItemAdd(ctx context.Context, p *DigestItemAddParams) (*DigestItemAddResult, error)
	// DigestListDue lists open (or full) digests whose close is at or
	// before Now, earliest first.
	DigestListDue(ctx context.Context, p *DigestDueParams) ([]DigestDue, error)
	// DigestClaim closes a digest with one conditional update, so that
	// of two closers only one gets it: ErrNotFound when it is closed
	// already or not due.
	DigestClaim(ctx context.Context, p *DigestClaimParams) (*DigestClaimed, error)
	// DigestItems returns a digest's items' data.
	DigestItems(ctx context.Context, p *DigestItemsParams) ([][]byte, error)
	DigestSetMessage(ctx context.Context, p *DigestSetMessageParams) error
	// DigestListByEvent returns the digests an event's items went into.
	DigestListByEvent(ctx context.Context, workspaceID int64, eventID string) ([]*model.DigestState, error)
	// DigestPurge deletes up to Limit closed digests closed before
	// Before, with their items, and returns how many.
	DigestPurge(ctx context.Context, p *PurgeParams) (int, error)
}
