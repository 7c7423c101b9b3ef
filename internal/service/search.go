package service

import (
	"context"
	"fmt"
	"strings"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// SearchLimit is how many records of each kind a search returns.
const SearchLimit = 20

// SearchResult is what a search by name or address found.
type SearchResult struct {
	Query    string
	Contacts []*model.Contact
	Events   []*model.Event
	Messages []*model.Message
	// More is true for each kind that had more than SearchLimit matches.
	MoreContacts, MoreEvents, MoreMessages bool
}

// Search finds contacts, events (of those contacts, as subject or actor)
// and messages (to them, or with them in CC/BCC) by part of a name or
// e-mail address, in any letter case, in the workspace only.
func (s *Service) Search(ctx context.Context, ws *model.Workspace, query string) (*SearchResult, error) {
	q := strings.TrimSpace(query)
	if q == "" {
		return nil, &ValidationError{Fields: []FieldError{{Field: "q", Code: CodeRequired, Detail: "type part of a name or e-mail address"}}}
	}
	if len(q) > store.MaxSearchQuery {
		return nil, &ValidationError{Fields: []FieldError{{Field: "q", Code: CodeTooLong,
			Detail: fmt.Sprintf("use at most %d bytes", store.MaxSearchQuery)}}}
	}
	p := &store.SearchParams{WorkspaceID: ws.ID, Query: q, Limit: SearchLimit + 1}
	out := &SearchResult{Query: q}
	var err error
	if out.Contacts, err = s.store.ContactSearch(ctx, p); err != nil {
		return nil, fmt.Errorf("search contacts: %w", err)
	}
	if out.Events, err = s.store.EventSearch(ctx, p); err != nil {
		return nil, fmt.Errorf("search events: %w", err)
	}
	if out.Messages, err = s.store.MessageSearch(ctx, p); err != nil {
		return nil, fmt.Errorf("search messages: %w", err)
	}
	out.Contacts, out.MoreContacts = cut(out.Contacts)
	out.Events, out.MoreEvents = cut(out.Events)
	out.Messages, out.MoreMessages = cut(out.Messages)
	return out, nil
}

// cut keeps SearchLimit records and says whether there were more.
func cut[T any](s []T) ([]T, bool) {
	if len(s) > SearchLimit {
		return s[:SearchLimit], true
	}
	return s, false
}
