package httpapi

import (
	"context"
	"net/http"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

type objectInput struct {
	Collection  string              `json:"collection"`
	ID          string              `json:"id"`
	Attributes  map[string]any      `json:"attributes"`
	Contacts    map[string][]string `json:"contacts"`
	Subscribers []string            `json:"subscribers"`
}

func objectRef(r *http.Request) model.ObjectRef {
	return model.ObjectRef{Collection: r.PathValue("collection"), ID: r.PathValue("id")}
}

func (h *Handler) listObjects(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	collection := r.PathValue("collection")
	list(h, w, r, p, func(ctx context.Context, ws *model.Workspace, pp service.PageParams) (*service.Page[*model.Object], error) {
		return h.svc.ObjectList(ctx, ws, collection, pp)
	})
}

func (h *Handler) getObject(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	o, err := h.svc.ObjectGet(r.Context(), p.Workspace, objectRef(r))
	h.respond(w, r, http.StatusOK, o, err)
}

func (h *Handler) putObject(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	ref := objectRef(r)
	var in objectInput
	if err := decode(r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := samePathKey("collection", in.Collection, ref.Collection); err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := samePathKey("id", in.ID, ref.ID); err != nil {
		h.writeError(w, r, err)
		return
	}
	o := &model.Object{Collection: ref.Collection, ID: ref.ID, Attributes: in.Attributes, Contacts: in.Contacts, Subscribers: in.Subscribers}
	created, err := h.svc.ObjectPut(r.Context(), p.Workspace, o)
	h.respond(w, r, putStatus(created), o, err)
}

func (h *Handler) deleteObject(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	err := h.svc.ObjectDelete(r.Context(), p.Workspace, objectRef(r))
	h.respond(w, r, http.StatusNoContent, nil, err)
}
