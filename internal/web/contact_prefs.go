package web

import (
	"net/http"

	"github.com/herold-dev/herold/internal/model"
)

// contactPreferences loads a contact's preferences and ledger for the
// contact page.
func (h *Handler) contactPreferences(r *http.Request, rq *request, page *contactPage) error {
	p, err := h.svc.PreferencesGet(r.Context(), rq.p.Workspace, page.C.ID)
	page.Prefs = p
	return err
}

// saveContactPreferences changes a contact's preferences as an
// administrator: the ledger records the change with source admin and the
// user's address.
func (h *Handler) saveContactPreferences(w http.ResponseWriter, r *http.Request, rq *request) {
	id := r.PathValue("id")
	if err := r.ParseForm(); err != nil {
		h.renderError(w, r, rq, http.StatusBadRequest, "web.error.invalid.title", "web.error.invalid.text")
		return
	}
	_, err := h.svc.PreferencesUpdate(r.Context(), rq.p.Workspace, id, preferenceForm(r), model.PrefByAdmin, rq.p.User.Email)
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	redirect(w, r, "/contacts/"+pathEscape(id)+"#prefs", "preferences_saved")
}
