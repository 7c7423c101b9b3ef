package web

import (
	"errors"
	"net/http"

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
	in, err := h.svc.SignIn(r.Context(), email, r.PostFormValue("password"))
	if err != nil {
		v := h.newView(r, rq, "", "web.login.title")
		page := loginPage{Email: email, Next: next}
		var locked *service.LockedError
		switch {
		case errors.Is(err, service.ErrBadCredentials):
			page.Error = v.L.T("web.login.failed")
		case errors.As(err, &locked):
			v.L.loc = locked.Location
			page.Error = v.L.T("web.login.locked", "until", v.L.DateTime(locked.Until))
		default:
			h.serverError(w, r, rq, err)
			return
		}
		v.Page = page
		h.render(w, r, http.StatusUnauthorized, "login", v)
		return
	}
	// A new session on every sign-in: an old cookie (perhaps planted) is
	// never promoted.
	if rq.token != "" {
		_ = h.svc.SignOut(r.Context(), rq.token)
	}
	h.setCookie(w, r, sessionCookie, in.Token)
	h.logger.InfoContext(r.Context(), "cockpit sign-in", "user", in.User.ID, "workspace", in.Workspace.Key)
	http.Redirect(w, r, next, http.StatusSeeOther)
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
