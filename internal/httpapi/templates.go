package httpapi

import (
	"net/http"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

type templateInput struct {
	Key         string                           `json:"key"`
	Name        string                           `json:"name"`
	Description string                           `json:"description"`
	Sender      model.Sender                     `json:"sender"`
	Locales     map[string]model.TemplateContent `json:"locales"`
}

func (h *Handler) listTemplates(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	list(h, w, r, p, h.svc.TemplateList)
}

func (h *Handler) getTemplate(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	t, err := h.svc.TemplateGet(r.Context(), p.Workspace, r.PathValue("key"))
	h.respond(w, r, http.StatusOK, t, err)
}

func (h *Handler) putTemplate(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	key := r.PathValue("key")
	var in templateInput
	if err := decode(r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := samePathKey("key", in.Key, key); err != nil {
		h.writeError(w, r, err)
		return
	}
	t := &model.Template{Key: key, Name: in.Name, Description: in.Description, Sender: in.Sender, Locales: in.Locales}
	created, err := h.svc.TemplatePut(r.Context(), p.Workspace, t)
	h.respond(w, r, putStatus(created), t, err)
}

func (h *Handler) deleteTemplate(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	err := h.svc.TemplateDelete(r.Context(), p.Workspace, r.PathValue("key"))
	h.respond(w, r, http.StatusNoContent, nil, err)
}

type previewInput struct {
	Locale string                 `json:"locale"`
	Data   map[string]any         `json:"data"`
	Draft  *model.TemplateContent `json:"draft"`
}

func (h *Handler) previewTemplate(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	var in previewInput
	if err := decode(r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	out, err := h.svc.TemplatePreview(r.Context(), p.Workspace, r.PathValue("key"),
		service.PreviewParams{Locale: in.Locale, Data: in.Data, Content: in.Draft})
	h.respond(w, r, http.StatusOK, out, err)
}
