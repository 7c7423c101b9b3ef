package web

import (
	"net/http"

	"github.com/herold-dev/herold/internal/service"
)

type searchPage struct {
	Query  string
	Result *service.SearchResult
}

// search finds contacts, events and messages by part of a name or e-mail
// address (GET /search?q=).
func (h *Handler) search(w http.ResponseWriter, r *http.Request, rq *request) {
	ws := rq.p.Workspace
	page := &searchPage{Query: r.URL.Query().Get("q")}
	v := h.newView(r, rq, "", "web.search.title")
	v.Page = page
	status := http.StatusOK
	if page.Query != "" {
		res, err := h.svc.Search(r.Context(), ws, page.Query)
		if errs, ok := formErrors(v.L, err, nil); ok {
			v.Errors, status = errs, http.StatusUnprocessableEntity
		} else if err != nil {
			h.fail(w, r, rq, err)
			return
		}
		page.Result = res
	}
	h.render(w, r, status, "search", v)
}
