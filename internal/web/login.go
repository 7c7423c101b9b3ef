package web

import (
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"

	"github.com/herold-dev/herold/internal/i18n"
	"github.com/herold-dev/herold/internal/service"
)

// loginPage is the data of the sign-in page.
type loginPage struct {
	Email string
	Next  string
	// Error is the reason the last attempt was refused.
	Error   string
	Expired bool
}

func (h *Handler) loginPage(w http.ResponseWriter, r *http.Request, rq *request) {
	if rq.p != nil {
		http.Redirect(w, r, localPath(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	v := h.newView(r, rq, "", "web.login.title")
	v.Page = loginPage{Next: localPath(r.URL.Query().Get("next")), Expired: r.URL.Query().Get("expired") == "1"}
	h.render(w, r, http.StatusOK, "login", v)
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request, rq *request) {
	email, next := r.PostFormValue("email"), localPath(r.PostFormValue("next"))
	res, err := h.svc.SignIn(r.Context(), service.SignInParams{Email: email, Password: r.PostFormValue("password"),
		Client: h.clientIP(r), Binding: rq.csrf})
	if err != nil {
		h.loginFailed(w, r, rq, loginPage{Email: email, Next: next}, err)
		return
	}
	if c := res.Choice; c != nil {
		v := h.newView(r, rq, "", "web.login.choice.title")
		v.Page = choicePage{Token: c.Token, Options: c.Options, Next: next}
		h.render(w, r, http.StatusOK, "login_choice", v)
		return
	}
	h.signedIn(w, r, rq, res.SignedIn, next)
}

// choicePage is the data of the page where a user whose address and
// password match in several workspaces picks one.
type choicePage struct {
	Token   string
	Options []service.ChoiceOption
	Next    string
}

// chooseWorkspace starts the session in the workspace picked on the
// choice page.
func (h *Handler) chooseWorkspace(w http.ResponseWriter, r *http.Request, rq *request) {
	next := localPath(r.PostFormValue("next"))
	in, err := h.svc.SignInChoose(r.Context(), r.PostFormValue("choice"), rq.csrf, r.PostFormValue("user"))
	if err != nil {
		h.loginFailed(w, r, rq, loginPage{Next: next}, err)
		return
	}
	h.signedIn(w, r, rq, in, next)
}

// loginFailed shows the sign-in page again with the reason.
func (h *Handler) loginFailed(w http.ResponseWriter, r *http.Request, rq *request, page loginPage, err error) {
	v := h.newView(r, rq, "", "web.login.title")
	var (
		throttled *service.ThrottledError
		busy      *service.BusyError
	)
	status := http.StatusUnauthorized
	switch {
	case errors.Is(err, service.ErrBadCredentials):
		page.Error = v.L.T("web.login.failed")
	case errors.Is(err, service.ErrChoiceExpired):
		page.Error = v.L.T("web.login.choice.expired")
	case errors.As(err, &throttled):
		status = http.StatusTooManyRequests
		w.Header().Set("Retry-After", strconv.Itoa(throttled.Seconds()))
		page.Error = v.L.T("web.login.throttled", "wait", v.L.Wait(throttled.Seconds()))
	case errors.As(err, &busy):
		status = http.StatusTooManyRequests
		w.Header().Set("Retry-After", strconv.Itoa(busy.Seconds()))
		page.Error = v.L.T("web.login.busy")
	default:
		h.serverError(w, r, rq, err)
		return
	}
	v.Page = page
	h.render(w, r, status, "login", v)
}

// signedIn sets the cookie of a new session and goes on to next.
func (h *Handler) signedIn(w http.ResponseWriter, r *http.Request, rq *request, in *service.SignedIn, next string) {
	// A new session on every sign-in: an old cookie (perhaps planted) is
	// never promoted.
	if rq.token != "" {
		_ = h.svc.SignOut(r.Context(), rq.token)
	}
	h.setCookie(w, r, sessionCookie, in.Token)
	h.logger.InfoContext(r.Context(), "cockpit sign-in", "user", in.User.ID, "workspace", in.Workspace.Key)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// clientIP is the address sign-in failures are counted for: the peer's,
// unless the peer is a trusted proxy; then the nearest address in
// X-Forwarded-For that is not a trusted proxy (addresses further left
// were written by the client and prove nothing).
func (h *Handler) clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !h.trusted(peer) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return host // a garbled chain: count it against the proxy
		}
		if !h.trusted(a) {
			return a.Unmap().String()
		}
		peer = a
	}
	return peer.Unmap().String()
}

func (h *Handler) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range h.proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request, rq *request) {
	if err := h.svc.SignOut(r.Context(), rq.token); err != nil {
		h.serverError(w, r, rq, err)
		return
	}
	h.clearCookie(w, r, sessionCookie)
	redirect(w, r, "/login", "signed_out")
}

// setLanguage stores the chosen language in a cookie and returns to the
// page the form was on.
func (h *Handler) setLanguage(w http.ResponseWriter, r *http.Request, rq *request) {
	lang := r.PostFormValue("lang")
	if i18n.Normalize(lang) != lang {
		h.renderError(w, r, rq, http.StatusBadRequest, "web.error.invalid.title", "web.error.invalid.text")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: h.secure(r), SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, localPath(r.PostFormValue("next")), http.StatusSeeOther)
}
