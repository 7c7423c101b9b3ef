package httpapi

import (
	"net/http"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

type projectInput struct {
	Key        string              `json:"key"`
	Name       string              `json:"name"`
	Flow       string              `json:"flow"`
	Members    map[string][]string `json:"members"`
	Attributes map[string]any      `json:"attributes"`
}

func (h *Handler) listProjects(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	list(h, w, r, p, h.svc.ProjectList)
}

func (h *Handler) getProject(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	pr, err := h.svc.ProjectGet(r.Context(), p.Workspace, r.PathValue("key"))
	h.respond(w, r, http.StatusOK, pr, err)
}

func (h *Handler) putProject(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	key := r.PathValue("key")
	var in projectInput
	if err := decode(r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := samePathKey("key", in.Key, key); err != nil {
		h.writeError(w, r, err)
		return
	}
	pr := &model.Project{Key: key, Name: in.Name, Flow: in.Flow, Members: in.Members, Attributes: in.Attributes}
	created, err := h.svc.ProjectPut(r.Context(), p.Workspace, pr)
	h.respond(w, r, putStatus(created), pr, err)
}

func (h *Handler) deleteProject(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	err := h.svc.ProjectDelete(r.Context(), p.Workspace, r.PathValue("key"))
	h.respond(w, r, http.StatusNoContent, nil, err)
}
