package store

import (
	"context"

	"github.com/herold-dev/herold/internal/model"
)

// MaxSearchQuery bounds a search text, in bytes; MaxSearchResults the
// results of each kind.
const (
	MaxSearchQuery   = 200
	MaxSearchResults = 100
)

// SearchParams find records by part of a name or e-mail address, in any
// letter case (umlauts included: "müller" finds "MÜLLER"), newest or
// first first, at most Limit (1..MaxSearchResults) of each kind.
type SearchParams struct {
	WorkspaceID int64
	// Query is the text to find anywhere in the name or address (1 to
	// MaxSearchQuery bytes; the service trims and checks it).
	Query string
	Limit int
}

// SearchQueries find contacts, events and messages by name or address.
type SearchQueries interface {
	// ContactSearch finds contacts whose name, e-mail address or id
	// contains the query, by id.
	ContactSearch(ctx context.Context, p *SearchParams) ([]*model.Contact, error)
	// EventSearch finds events whose contact or an actor is a contact
	// whose name or e-mail address contains the query, newest first.
	EventSearch(ctx context.Context, p *SearchParams) ([]*model.Event, error)
	// MessageSearch finds messages whose recipient (name or address) or a
	// CC/BCC copy (its address, or the name of its contact) contains the
	// query, newest first, without their rendered copies.
	MessageSearch(ctx context.Context, p *SearchParams) ([]*model.Message, error)
}
