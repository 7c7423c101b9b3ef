package web

import (
	"net/http"

	"github.com/herold-dev/herold/internal/model"
)

type projectsPage struct {
	Projects []*model.Project
	Flows    []*model.Flow
	// NoFlow counts the projects that send nothing.
	NoFlow int
	// Managed marks projects files manage, by "Project/key".
	Managed map[string]string
}

func (h *Handler) projects(w http.ResponseWriter, r *http.Request, rq *request) {
	ws := rq.p.Workspace
	projects, err := h.allProjects(r, ws)
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	flows, err := h.allFlows(r, ws)
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	page := &projectsPage{Projects: projects, Flows: flows, Managed: h.managed(r, rq.p.Workspace)}
	for _, p := range projects {
		if p.Flow == "" {
			page.NoFlow++
		}
	}
	v := h.newView(r, rq, "projects", "web.projects.title")
	v.Page = page
	h.render(w, r, http.StatusOK, "projects", v)
}

// assignFlow gives a project a flow, or none.
func (h *Handler) assignFlow(w http.ResponseWriter, r *http.Request, rq *request) {
	ws := rq.p.Workspace
	p, err := h.svc.ProjectGet(r.Context(), ws, r.PathValue("key"))
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	upd := *p
	upd.Flow = r.PostFormValue("flow")
	if _, err := h.svc.ProjectPut(r.Context(), ws, &upd); err != nil {
		h.fail(w, r, rq, err)
		return
	}
	notice := "flow_assigned"
	if upd.Flow == "" {
		notice = "flow_removed"
	}
	back := localPath(r.PostFormValue("next"))
	if back == "/" {
		back = "/projects"
	}
	redirect(w, r, back+"#p-"+upd.Key, notice)
}
