package httpapi

import (
	"net/http"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

// preferencesInput is what a host application sends to change a
// contact's preferences: per category the settings to change.
type preferencesInput struct {
	Categories []categoryPreferenceInput `json:"categories"`
}

type categoryPreferenceInput struct {
	Category  string `json:"category"`
	Email     string `json:"email"`
	InApp     string `json:"inapp"`
	Frequency string `json:"frequency"`
}

func (h *Handler) getPreferences(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	out, err := h.svc.PreferencesGet(r.Context(), p.Workspace, r.PathValue("id"))
	h.respond(w, r, http.StatusOK, out, err)
}

// putPreferences changes the settings given and leaves the others; the
// ledger records the change with source api and the key's id.
func (h *Handler) putPreferences(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	var in preferencesInput
	if err := decode(r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	cats := make([]service.CategoryPreference, len(in.Categories))
	for i, c := range in.Categories {
		cats[i] = service.CategoryPreference{Category: c.Category, Email: c.Email, InApp: c.InApp, Frequency: c.Frequency}
	}
	actor := ""
	if p.Key != nil {
		actor = "key " + p.Key.ID
	}
	out, err := h.svc.PreferencesUpdate(r.Context(), p.Workspace, r.PathValue("id"), cats, model.PrefByAPI, actor)
	h.respond(w, r, http.StatusOK, out, err)
}
