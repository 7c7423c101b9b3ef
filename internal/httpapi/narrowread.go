package httpapi

import (
	"net/http"
	"strings"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

// The ingest scope's narrow read of the history (docs/decisions.md, "An
// ingest key may ask why not"): a host application with only an ingest key
// must be able to answer "why did this person get no e-mail?" in its own
// UI, so it may list the events and messages of one contact (or the
// messages of one event) and read one message, but not page through the
// whole history, which stays with admin keys.

// narrowFilters are the query parameters that narrow a history list to
// one person or one event, by list path.
var narrowFilters = map[string][]string{
	"/v1/events":   {"contact"},
	"/v1/messages": {"contact", "event"},
}

// narrowRead lets an admin key list anything and an ingest key only a list
// narrowed by one of the path's filters; it returns a 403 otherwise.
func narrowRead(r *http.Request, p *service.Principal) error {
	if p.Key.Has(model.ScopeAdmin) {
		return nil
	}
	filters := narrowFilters[r.URL.Path]
	for _, f := range filters {
		if r.URL.Query().Get(f) != "" {
			return nil
		}
	}
	return &service.ForbiddenError{Detail: "an ingest key may list " + strings.TrimPrefix(r.URL.Path, "/v1/") +
		" only of one contact or event: add ?" + strings.Join(filters, "= or ?") + "=, or use an admin key"}
}
