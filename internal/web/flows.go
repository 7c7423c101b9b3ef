package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

// all pages through a list to its end (the cockpit shows whole lists of
// configuration, which stays small).
func all[T any](ctx context.Context, list func(ctx context.Context, p service.PageParams) (*service.Page[T], error)) ([]T, error) {
	var out []T
	p := service.PageParams{Limit: service.MaxPageSize}
	for {
		pg, err := list(ctx, p)
		if err != nil {
			return nil, err
		}
		out = append(out, pg.Items...)
		if pg.Next == "" {
			return out, nil
		}
		p.After = pg.Next
	}
}

func (h *Handler) allFlows(r *http.Request, ws *model.Workspace) ([]*model.Flow, error) {
	return all(r.Context(), func(ctx context.Context, p service.PageParams) (*service.Page[*model.Flow], error) {
		return h.svc.FlowList(ctx, ws, p)
	})
}

func (h *Handler) allProjects(r *http.Request, ws *model.Workspace) ([]*model.Project, error) {
	return all(r.Context(), func(ctx context.Context, p service.PageParams) (*service.Page[*model.Project], error) {
		return h.svc.ProjectList(ctx, ws, p)
	})
}

func (h *Handler) allTemplates(r *http.Request, ws *model.Workspace) ([]*model.Template, error) {
	return all(r.Context(), func(ctx context.Context, p service.PageParams) (*service.Page[*model.Template], error) {
		return h.svc.TemplateList(ctx, ws, p)
	})
}

// projectsByFlow maps a flow key to the projects that use it.
func projectsByFlow(projects []*model.Project) map[string][]*model.Project {
	out := map[string][]*model.Project{}
	for _, p := range projects {
		out[p.Flow] = append(out[p.Flow], p)
	}
	return out
}

type flowRow struct {
	Flow     *model.Flow
	Projects []*model.Project
}

type flowsPage struct {
	// Managed marks flows files manage, by "Flow/key" (see managed).
	Managed map[string]string
	Flows   []flowRow
	NoFlow  []*model.Project
	// Form is the new-flow form.
	Form struct{ Key, Name, Description string }
}

func (h *Handler) flows(w http.ResponseWriter, r *http.Request, rq *request) {
	h.renderFlows(w, r, rq, http.StatusOK, nil, nil)
}

func (h *Handler) renderFlows(w http.ResponseWriter, r *http.Request, rq *request, status int, form *flowsPage, errs fieldErrors) {
	ws := rq.p.Workspace
	flows, err := h.allFlows(r, ws)
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	projects, err := h.allProjects(r, ws)
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	byFlow := projectsByFlow(projects)
	page := &flowsPage{NoFlow: byFlow[""], Managed: h.managed(r, ws)}
	if form != nil {
		page.Form = form.Form
	}
	for _, f := range flows {
		page.Flows = append(page.Flows, flowRow{Flow: f, Projects: byFlow[f.Key]})
	}
	v := h.newView(r, rq, "flows", "web.flows.title")
	v.Page = page
	if errs != nil {
		v.Errors = errs
	}
	h.render(w, r, status, "flows", v)
}

// createFlow creates an empty flow; notifications are added on its page.
func (h *Handler) createFlow(w http.ResponseWriter, r *http.Request, rq *request) {
	form := &flowsPage{}
	form.Form.Key = strings.TrimSpace(r.PostFormValue("key"))
	form.Form.Name = strings.TrimSpace(r.PostFormValue("name"))
	form.Form.Description = strings.TrimSpace(r.PostFormValue("description"))
	l := &localizer{cat: h.cat, lang: rq.lang, loc: rq.p.Workspace.Location()}
	if form.Form.Key != "" {
		if _, err := h.svc.FlowGet(r.Context(), rq.p.Workspace, form.Form.Key); err == nil {
			errs := fieldErrors{}
			errs.add("key", l.T("web.flows.exists"))
			h.renderFlows(w, r, rq, http.StatusUnprocessableEntity, form, errs)
			return
		}
	}
	f := &model.Flow{Key: form.Form.Key, Name: form.Form.Name, Description: form.Form.Description}
	if _, err := h.svc.FlowPut(r.Context(), rq.p.Workspace, f); err != nil {
		if errs, ok := formErrors(l, err, nil); ok {
			h.renderFlows(w, r, rq, http.StatusUnprocessableEntity, form, errs)
			return
		}
		h.fail(w, r, rq, err)
		return
	}
	redirect(w, r, "/flows/"+pathEscape(f.Key), "flow_created")
}

type flowPage struct {
	Flow     *model.Flow
	Projects []*model.Project
	// Templates maps a template key to its name (missing ones are flagged).
	Templates map[string]string
	Statuses  []model.NotificationStatus
	// Settings is the flow's own form (name, description, sender).
	Settings *model.Flow
	// Managed is the flow's marker (see managed).
	Managed string
	// Changed is the notification whose status was just set
	// ("?changed=KEY"): its row repeats the notice, since the page
	// scrolls to the row and the notice at the top is out of view.
	Changed string
}

var notificationStatuses = []model.NotificationStatus{model.StatusActive, model.StatusInactive, model.StatusConfirm}

func (h *Handler) flow(w http.ResponseWriter, r *http.Request, rq *request) {
	h.renderFlow(w, r, rq, http.StatusOK, nil, nil)
}

func (h *Handler) renderFlow(w http.ResponseWriter, r *http.Request, rq *request, status int, settings *model.Flow, errs fieldErrors) {
	ws := rq.p.Workspace
	f, err := h.svc.FlowGet(r.Context(), ws, r.PathValue("key"))
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	projects, err := h.allProjects(r, ws)
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	templates, err := h.allTemplates(r, ws)
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	page := &flowPage{Flow: f, Projects: projectsByFlow(projects)[f.Key], Templates: map[string]string{},
		Statuses: notificationStatuses, Settings: f, Managed: h.managed(r, ws)["Flow/"+f.Key],
		Changed: r.URL.Query().Get("changed")}
	if settings != nil {
		page.Settings = settings
	}
	for _, t := range templates {
		page.Templates[t.Key] = t.Name
	}
	v := h.newView(r, rq, "flows", "web.flow.title", "name", f.Name)
	v.Page = page
	if errs != nil {
		v.Errors = errs
	}
	h.render(w, r, status, "flow", v)
}

// saveFlow changes a flow's name, description and sender, keeping its
// notifications.
func (h *Handler) saveFlow(w http.ResponseWriter, r *http.Request, rq *request) {
	ws := rq.p.Workspace
	f, err := h.svc.FlowGet(r.Context(), ws, r.PathValue("key"))
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	upd := *f
	upd.Name = strings.TrimSpace(r.PostFormValue("name"))
	upd.Description = strings.TrimSpace(r.PostFormValue("description"))
	upd.Sender = model.Sender{From: strings.TrimSpace(r.PostFormValue("sender_from")),
		ReplyTo: strings.TrimSpace(r.PostFormValue("sender_reply_to"))}
	if _, err := h.svc.FlowPut(r.Context(), ws, &upd); err != nil {
		l := &localizer{cat: h.cat, lang: rq.lang, loc: ws.Location()}
		if errs, ok := formErrors(l, err, underscored); ok {
			h.renderFlow(w, r, rq, http.StatusUnprocessableEntity, &upd, errs)
			return
		}
		h.fail(w, r, rq, err)
		return
	}
	redirect(w, r, "/flows/"+pathEscape(f.Key), "saved")
}

// pathEscape escapes a key or id for a URL path segment.
func pathEscape(s string) string { return url.PathEscape(s) }
