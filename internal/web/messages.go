package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
	"github.com/herold-dev/herold/internal/store"
)

// messageFilter is the history's search form.
type messageFilter struct {
	Recipient string
	Event     string
	Project   string
	Status    string
	Since     string
	Until     string
}

type messagesPage struct {
	Filter   messageFilter
	Messages []*model.Message
	// NextURL fetches older messages; empty on the last page.
	NextURL  string
	Projects []*model.Project
	Statuses []model.MessageStatus
	// Labels names each message's project or broadcast.
	Labels *scopeLabels
}

// parseDay reads a YYYY-MM-DD field as midnight in loc.
func parseDay(s string, loc *time.Location) (*time.Time, bool) {
	if s == "" {
		return nil, true
	}
	t, err := time.ParseInLocation("2006-01-02", s, loc)
	if err != nil {
		return nil, false
	}
	return &t, true
}

func (h *Handler) messages(w http.ResponseWriter, r *http.Request, rq *request) {
	ws, q := rq.p.Workspace, r.URL.Query()
	f := messageFilter{Recipient: strings.TrimSpace(q.Get("recipient")), Event: strings.TrimSpace(q.Get("event")),
		Project: q.Get("project"), Status: q.Get("status"), Since: q.Get("since"), Until: q.Get("until")}
	v := h.newView(r, rq, "messages", "web.messages.title")
	page := &messagesPage{Filter: f, Statuses: model.MessageStatuses}
	mf := service.MessageFilter{EventID: f.Event, Project: f.Project, PageParams: service.PageParams{After: q.Get("after")}}
	if strings.Contains(f.Recipient, "@") {
		mf.Email = f.Recipient
	} else {
		mf.Contact = f.Recipient
	}
	if f.Status != "" {
		mf.Statuses = []model.MessageStatus{model.MessageStatus(f.Status)}
	}
	loc := ws.Location()
	since, ok1 := parseDay(f.Since, loc)
	until, ok2 := parseDay(f.Until, loc)
	if !ok1 {
		v.Errors.add("since", v.L.T("web.messages.bad_day"))
	}
	if !ok2 {
		v.Errors.add("until", v.L.T("web.messages.bad_day"))
	}
	if until != nil {
		next := until.AddDate(0, 0, 1) // the whole last day
		until = &next
	}
	mf.Since, mf.Until = since, until
	var err error
	if page.Projects, err = h.allProjects(r, ws); err != nil {
		h.fail(w, r, rq, err)
		return
	}
	if !v.Errors.Any() {
		pg, err := h.svc.MessageList(r.Context(), ws, mf)
		if err != nil {
			if errs, ok := formErrors(v.L, err, func(string) (string, string, bool) { return "status", "", true }); ok {
				v.Errors = errs
			} else {
				h.fail(w, r, rq, err)
				return
			}
		} else {
			page.Messages = pg.Items
			if pg.Next != "" {
				nq := url.Values{}
				for k, vs := range q {
					nq[k] = vs
				}
				nq.Set("after", pg.Next)
				page.NextURL = "/messages?" + nq.Encode()
			}
		}
	}
	page.Labels = h.newScopeLabels(r.Context(), v.L, ws, page.Projects, messageBroadcasts(page.Messages))
	v.Page = page
	h.render(w, r, http.StatusOK, "messages", v)
}

type messagePage struct {
	M *model.Message
	// Awaiting is true when the message can be approved or declined.
	Awaiting bool
	// HasCopy is true when there is a rendered copy (suppressed messages
	// and those that failed while rendering have none); NoCopy names the
	// sentence shown instead.
	HasCopy bool
	NoCopy  string
	// Scope is the message's project, or the broadcast it was sent for
	// (Scope.Href set); Inline is true when its template is the
	// broadcast's own content, which has no page of its own.
	Scope  scopeLabel
	Inline bool
}

func (h *Handler) message(w http.ResponseWriter, r *http.Request, rq *request) {
	m, err := h.svc.MessageGet(r.Context(), rq.p.Workspace, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	v := h.newView(r, rq, "messages", "web.message.title", "subject", m.Subject)
	if m.Subject == "" {
		v.Title = v.L.T("web.message.title_nosubject")
	}
	page := &messagePage{M: m, Awaiting: m.Status == model.MsgAwaitingConfirmation,
		HasCopy: m.Subject != "" && m.Status != model.MsgSuppressed, NoCopy: noCopyKey(m), Inline: service.BroadcastInline(m)}
	broadcasts := messageBroadcasts([]*model.Message{m})
	var projects []*model.Project
	if p, err := h.svc.ProjectGet(r.Context(), rq.p.Workspace, m.Project); err == nil && broadcasts == nil {
		projects = []*model.Project{p}
	}
	page.Scope = h.newScopeLabels(r.Context(), v.L, rq.p.Workspace, projects, broadcasts).Message(m)
	v.Page = page
	setSecurityHeaders(w.Header(), true)
	h.render(w, r, http.StatusOK, "message", v)
}

// messageEML downloads the message as an .eml file.
func (h *Handler) messageEML(w http.ResponseWriter, r *http.Request, rq *request) {
	id := r.PathValue("id")
	raw, err := h.svc.MessageEML(r.Context(), rq.p.Workspace, id)
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	w.Header().Set("Content-Type", "message/rfc822")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s.eml"`, fileName(id)))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(raw)
}

// fileName makes s safe as a download's file name: what is not an ASCII
// letter, digit, '-' or '_' becomes '_'.
func fileName(s string) string {
	return strings.Map(func(c rune) rune {
		if c == '-' || c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') {
			return c
		}
		return '_'
	}, s)
}

type mailboxPage struct {
	Mails   []*store.CapturedMail
	NextURL string
}

// mailbox lists the capture mailbox (mail is stored, not sent, while no
// SMTP server is configured).
func (h *Handler) mailbox(w http.ResponseWriter, r *http.Request, rq *request) {
	pg, err := h.svc.MailboxList(r.Context(), rq.p.Workspace, service.PageParams{After: r.URL.Query().Get("after")})
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	page := &mailboxPage{Mails: pg.Items}
	if pg.Next != "" {
		page.NextURL = "/mailbox?after=" + url.QueryEscape(pg.Next)
	}
	v := h.newView(r, rq, "mailbox", "web.mailbox.title")
	v.Page = page
	h.render(w, r, http.StatusOK, "mailbox", v)
}
