package httpapi

import (
	"net/http"

	"github.com/herold-dev/herold/internal/service"
)

func (h *Handler) listSuppressions(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	pp, err := h.pageParams(r, p)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	pg, err := h.svc.SuppressionList(r.Context(), p.Workspace, r.URL.Query().Get("q"), pp)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writePage(h, w, r, p, pg)
}

func (h *Handler) addSuppression(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	var in service.SuppressionInput
	if err := decode(r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	s, created, err := h.svc.SuppressionAdd(r.Context(), p.Workspace, in)
	h.respond(w, r, putStatus(created), s, err)
}

func (h *Handler) deleteSuppression(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	err := h.svc.SuppressionDelete(r.Context(), p.Workspace, r.PathValue("email"))
	h.respond(w, r, http.StatusNoContent, nil, err)
}
