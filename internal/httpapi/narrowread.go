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

// narrowFilter is a query parameter that narrows a history list to one
// thing, and what that thing is in the 403 that asks for it.
type narrowFilter struct {
	param, what string
}

// narrowFilters are the filters an ingest key may list with, by list path:
// the 403 names exactly these, so that it promises nothing the list
// refuses.
var narrowFilters = map[string][]narrowFilter{
	"/v1/events":   {{"contact", "one contact"}},
	"/v1/messages": {{"contact", "one contact"}, {"event", "one event"}},
}

// narrowRead lets an admin key list anything and an ingest key only a list
// narrowed by one of the path's filters; it returns a 403 otherwise.
func narrowRead(r *http.Request, p *service.Principal) error {
	if p.Key.Has(model.ScopeAdmin) {
		return nil
	}
	filters := narrowFilters[r.URL.Path]
	whats, params := make([]string, len(filters)), make([]string, len(filters))
	for i, f := range filters {
		if r.URL.Query().Get(f.param) != "" {
			return nil
		}
		whats[i], params[i] = f.what, "?"+f.param+"="
	}
	return &service.ForbiddenError{Detail: "an ingest key may list " + strings.TrimPrefix(r.URL.Path, "/v1/") +
		" only of " + strings.Join(whats, " or ") + ": add " + strings.Join(params, " or ") + ", or use an admin key"}
}
