package web

import (
	"net/http"
	"net/url"
	"strings"

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

// declinePage asks before messages are declined, with an optional reason.
type declinePage struct {
	Messages []*model.Message
	Reason   string
	// Back is where "keep" leads and the decision returns to.
	Back string
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

// decide approves or declines the checked messages (or the one whose row
// button was pressed), recorded with the signed-in user as the actor.
// Declining asks first: without "confirmed" it answers with a page that
// names the messages and takes an optional reason.
func (h *Handler) decide(w http.ResponseWriter, r *http.Request, rq *request) {
	ws, u := rq.p.Workspace, rq.p.User
	ids := r.PostForm["ids"]
	action := r.PostFormValue("action")
	// A row's own button decides that row alone.
	if id := r.PostFormValue("approve_one"); id != "" {
		ids, action = []string{id}, "approve"
	} else if id := r.PostFormValue("decline_one"); id != "" {
		ids, action = []string{id}, "decline"
	}
	if len(ids) == 0 {
		redirect(w, r, confirmBack(r), "nothing_selected")
		return
	}
	if len(ids) > service.MaxPageSize {
		ids = ids[:service.MaxPageSize] // the service refuses more; the form never sends more
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
		if r.PostFormValue("confirmed") != "1" {
			h.renderDecline(w, r, rq, ids, nil)
			return
		}
		decisions, err = h.svc.Decline(r.Context(), ws, ids, actor, r.PostFormValue("reason"))
		if errs, ok := formErrors(&localizer{cat: h.cat, lang: rq.lang, loc: ws.Location()}, err, nil); ok {
			h.renderDecline(w, r, rq, ids, errs)
			return
		}
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
	if applied == 1 {
		// One message: the notice names it (see Handler.notice).
		back, frag, _ := strings.Cut(confirmBack(r), "#")
		sep := "?"
		if strings.Contains(back, "?") {
			sep = "&"
		}
		if frag != "" {
			frag = "#" + frag
		}
		redirect(w, r, back+sep+"msg="+url.QueryEscape(ids[0])+frag, action+"d_one")
		return
	}
	redirect(w, r, confirmBack(r), action+"d", applied)
}

// renderDecline is the question before declining: which messages, and
// why (optional).
func (h *Handler) renderDecline(w http.ResponseWriter, r *http.Request, rq *request, ids []string, errs fieldErrors) {
	page := &declinePage{Reason: r.PostFormValue("reason"), Back: confirmBack(r)}
	for _, id := range ids {
		m, err := h.svc.MessageGet(r.Context(), rq.p.Workspace, id)
		if err != nil {
			h.fail(w, r, rq, err)
			return
		}
		page.Messages = append(page.Messages, m)
	}
	v := h.newView(r, rq, "confirmations", "web.decline.title")
	v.Page = page
	status := http.StatusOK
	if errs != nil {
		v.Errors, status = errs, http.StatusUnprocessableEntity
	}
	h.render(w, r, status, "decline", v)
}

// confirmBack is where a decision returns to: the message page it was
// made on, or the queue.
func confirmBack(r *http.Request) string {
	if next := localPath(r.PostFormValue("next")); next != "/" {
		return next
	}
	return "/confirmations"
}
