package httpapi

import (
	"net/http"

	"github.com/herold-dev/herold/internal/service"
)

// getStats answers the daily counts of a range of days (?from=, ?to=),
// which the purge keeps when it deletes old messages.
func (h *Handler) getStats(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	q := r.URL.Query()
	st, err := h.svc.StatsList(r.Context(), p.Workspace, service.StatsParams{From: q.Get("from"), To: q.Get("to")})
	h.respond(w, r, http.StatusOK, st, err)
}
