package web

import (
	"net/http"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

// runMatchesPageSize is how many of a run's matches the run page lists
// at once; a run of 100,000 matches is paged, not loaded.
const runMatchesPageSize = 50

// runMatchesPage is one page of a run's matches with its filter.
type runMatchesPage struct {
	*service.Page[*service.RunMatch]
	// Outcome is the filter ("" for all); Outcomes are those offered.
	Outcome  string
	Outcomes []string
	// After is the cursor this page started from ("" on the first).
	After string
	// Size is the page size.
	Size int
	// Capture: mail goes to the capture mailbox, so "sent" reads "in the
	// test mailbox".
	Capture bool
}

// Kind is the outcome chip (web.outcome.KIND, class o-KIND) of a
// message of a match, as the events list shows it.
func (p *runMatchesPage) Kind(s model.MessageStatus) string {
	switch s {
	case model.MsgSent:
		if p.Capture {
			return "captured"
		}
		return "sent"
	case model.MsgSuppressed:
		return "suppressed"
	case model.MsgAwaitingConfirmation:
		return "held"
	case model.MsgDeclined, model.MsgExpired:
		return "declined"
	case model.MsgFailed:
		return "failed"
	}
	return "delivering"
}

// runMatches reads the page of the run's matches the request asks for
// (after=, outcome=); an outcome the cockpit does not offer lists all.
func (h *Handler) runMatches(r *http.Request, ws *model.Workspace, key, runID string) (*runMatchesPage, error) {
	q := r.URL.Query()
	p := &runMatchesPage{Outcome: q.Get("outcome"), Outcomes: service.RunOutcomes, After: q.Get("after"),
		Capture: h.svc.CaptureMode(), Size: runMatchesPageSize}
	if !service.ValidRunOutcome(p.Outcome) {
		p.Outcome = ""
	}
	var err error
	p.Page, err = h.svc.ScheduleRunMatches(r.Context(), ws, key, runID, service.RunMatchParams{
		PageParams: service.PageParams{After: p.After, Limit: runMatchesPageSize}, Outcome: p.Outcome})
	return p, err
}
