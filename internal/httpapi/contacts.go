package httpapi

import (
	"net/http"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

// contactInput is a contact as the host application sends it.
type contactInput struct {
	ID         string         `json:"id"`
	Email      string         `json:"email"`
	Name       string         `json:"name"`
	Locale     string         `json:"locale"`
	Timezone   string         `json:"timezone"`
	Attributes map[string]any `json:"attributes"`
	Consents   []string       `json:"consents"`
	OptOuts    []string       `json:"opt_outs"`
}

func (in contactInput) model() *model.Contact {
	return &model.Contact{ID: in.ID, Email: in.Email, Name: in.Name, Locale: in.Locale, Timezone: in.Timezone,
		Attributes: in.Attributes, Consents: in.Consents, OptOuts: in.OptOuts}
}

func (h *Handler) listContacts(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	list(h, w, r, p, h.svc.ContactList)
}

func (h *Handler) getContact(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	c, err := h.svc.ContactGet(r.Context(), p.Workspace, r.PathValue("id"))
	h.respond(w, r, http.StatusOK, c, err)
}

func (h *Handler) putContact(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	id := r.PathValue("id")
	var in contactInput
	if err := decode(r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := samePathKey("id", in.ID, id); err != nil {
		h.writeError(w, r, err)
		return
	}
	in.ID = id
	c := in.model()
	created, err := h.svc.ContactPut(r.Context(), p.Workspace, c)
	h.respond(w, r, putStatus(created), c, err)
}

func (h *Handler) deleteContact(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	err := h.svc.ContactDelete(r.Context(), p.Workspace, r.PathValue("id"))
	h.respond(w, r, http.StatusNoContent, nil, err)
}

type bulkInput struct {
	Contacts []contactInput `json:"contacts"`
}

func (h *Handler) bulkContacts(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	var in bulkInput
	if err := decode(r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	cs := make([]*model.Contact, len(in.Contacts))
	for i, c := range in.Contacts {
		cs[i] = c.model()
	}
	res, err := h.svc.ContactBulkUpsert(r.Context(), p.Workspace, cs)
	h.respond(w, r, http.StatusOK, res, err)
}
