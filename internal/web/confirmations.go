package web

import (
	"net/http"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

type confirmationsPage struct {
	Messages []*model.Message
	Next     string
	Project  string
	Projects []*model.Project
	// Problems lists the messages a decision could not change.
	Problems []service.Decision
}

func (h *Handler) confirmations(w http.ResponseWriter, r *http.Request, rq *request) {
	h.renderConfirmations(w, r, rq, nil)
}

func (h *Handler) renderConfirmations(w http.ResponseWriter, r *http.Request, rq *request, problems []service.Decision) {
	ws, q := rq.p.Workspace, r.URL.Query()
	page := &confirmationsPage{Project: q.Get("project"), Problems: problems}
	pg, err := h.svc.PendingList(r.Context(), ws, service.PendingParams{Project: page.Project,
		PageParams: service.PageParams{After: q.Get("after")}})
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	page.Next = pg.Next
	// The list leaves out the rendered copies; the queue shows each mail.
	for _, m := range pg.Items {
		full, err := h.svc.MessageGet(r.Context(), ws, m.ID)
		if err != nil {
			h.fail(w, r, rq, err)
			return
		}
		page.Messages = append(page.Messages, full)
	}
	if page.Projects, err = h.allProjects(r, ws); err != nil {
		h.fail(w, r, rq, err)
		return
	}
	v := h.newView(r, rq, "confirmations", "web.confirmations.title")
	v.Page = page
	setSecurityHeaders(w.Header(), true) // the mails are shown in sandboxed frames
	h.render(w, r, http.StatusOK, "confirmations", v)
}

// decide approves or declines the checked messages, recorded with the
// signed-in user as the actor.
func (h *Handler) decide(w http.ResponseWriter, r *http.Request, rq *request) {
	ws, u := rq.p.Workspace, rq.p.User
	ids := r.PostForm["ids"]
	action := r.PostFormValue("action")
	if len(ids) == 0 {
		redirect(w, r, confirmBack(r), "nothing_selected")
		return
	}
	actor := u.Email
	if u.Name != "" {
		actor = u.Name + " <" + u.Email + ">"
	}
	var (
		decisions []service.Decision
		err       error
	)
	switch action {
	case "approve":
		decisions, err = h.svc.Approve(r.Context(), ws, ids, actor)
	case "decline":
		decisions, err = h.svc.Decline(r.Context(), ws, ids, actor)
	default:
		h.renderError(w, r, rq, http.StatusBadRequest, "web.error.invalid.title", "web.error.invalid.text")
		return
	}
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	applied := 0
	var problems []service.Decision
	for _, d := range decisions {
		if d.Applied {
			applied++
		} else {
			problems = append(problems, d)
		}
	}
	if len(problems) > 0 {
		h.renderConfirmations(w, r, rq, problems)
		return
	}
	h.logger.InfoContext(r.Context(), "confirmations decided", "action", action, "count", applied, "user", u.ID)
	redirect(w, r, confirmBack(r), action+"d", applied)
}

// confirmBack is where a decision returns to: the message page it was
// made on, or the queue.
func confirmBack(r *http.Request) string {
	if next := localPath(r.PostFormValue("next")); next != "/" {
		return next
	}
	return "/confirmations"
}
