package web

import (
	"errors"
	"net/http"

	"github.com/herold-dev/herold/internal/service"
)

// unsubscribePage is the data of the page behind a mail's unsubscribe
// link.
type unsubscribePage struct {
	// State is ask, already, done, invalid or gone.
	State     string
	Workspace string
	Category  string
	Email     string
	// Action is the link itself: the button posts to it.
	Action string
}

// unsubscribeLink shows what an unsubscribe link does and offers a button
// that does it. It never opts out by itself: link scanners and mail
// previews fetch links nobody clicked.
func (h *Handler) unsubscribeLink(w http.ResponseWriter, r *http.Request, rq *request) {
	u, err := h.svc.UnsubscribeCheck(r.Context(), r.PathValue("token"))
	h.renderUnsubscribe(w, r, rq, u, err, false)
}

// unsubscribe opts the recipient out: the one-click POST of mail clients
// (RFC 8058, body "List-Unsubscribe=One-Click") and the page's button
// alike. The token in the URL is the credential; the body is not needed.
func (h *Handler) unsubscribe(w http.ResponseWriter, r *http.Request, rq *request) {
	u, err := h.svc.Unsubscribe(r.Context(), r.PathValue("token"))
	h.renderUnsubscribe(w, r, rq, u, err, true)
}

func (h *Handler) renderUnsubscribe(w http.ResponseWriter, r *http.Request, rq *request, u *service.Unsubscription, err error, posted bool) {
	p := unsubscribePage{Action: r.URL.EscapedPath()}
	status, title := http.StatusOK, "web.unsubscribe.title"
	switch {
	case errors.Is(err, service.ErrUnsubscribeInvalid):
		p.State, status, title = "invalid", http.StatusNotFound, "web.unsubscribe.invalid.title"
	case errors.Is(err, service.ErrUnsubscribeGone):
		p.State, status, title = "gone", http.StatusGone, "web.unsubscribe.gone.title"
	case err != nil:
		h.fail(w, r, rq, err)
		return
	case posted:
		p.State, title = "done", "web.unsubscribe.done.title"
	case u.OptedOut:
		p.State, title = "already", "web.unsubscribe.done.title"
	default:
		p.State = "ask"
	}
	if u != nil {
		p.Workspace, p.Category, p.Email = u.Workspace.Name, u.Category, u.Email
	}
	v := h.newView(r, rq, "", title)
	v.Page, v.Public = p, true
	h.render(w, r, status, "unsubscribe", v)
}
