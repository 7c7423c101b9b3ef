package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/herold-dev/herold/internal/i18n"
	"github.com/herold-dev/herold/internal/service"
)

// Cookie names.
const (
	sessionCookie = "herold_session"
	// csrfCookie carries the CSRF token of visitors without a session (the
	// sign-in and language forms): a double-submit token.
	csrfCookie = "herold_csrf"
	langCookie = "herold_lang"
)

// csrfField and csrfHeader carry the token in forms and fetches.
const (
	csrfField  = "csrf"
	csrfHeader = "X-CSRF-Token"
)

// maxFormBytes bounds form bodies (templates are the largest).
const maxFormBytes = 2 << 20

// request is what the cockpit knows about one request.
type request struct {
	lang string
	// p is the signed-in user; nil on public pages without a session.
	p *service.CockpitPrincipal
	// token is the session cookie's token (for signing out).
	token string
	// expired is set when the request carried a session that ended.
	expired bool
	// csrf is the token forms must send back.
	csrf string
}

// newRequest resolves the language, the session and the CSRF token.
func (h *Handler) newRequest(w http.ResponseWriter, r *http.Request) (*request, error) {
	rq := &request{lang: h.language(r)}
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		p, err := h.svc.SessionAuthenticate(r.Context(), c.Value)
		switch {
		case err == nil:
			rq.p, rq.token, rq.csrf = p, c.Value, p.Session.CSRFToken
		case errors.Is(err, service.ErrSessionExpired):
			rq.expired = true
			h.clearCookie(w, r, sessionCookie)
		case errors.Is(err, service.ErrUnauthenticated):
			h.clearCookie(w, r, sessionCookie)
		default:
			return nil, err
		}
	}
	if rq.p == nil {
		if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 32 {
			rq.csrf = c.Value
		} else if safeMethod(r.Method) {
			rq.csrf = randomToken()
			h.setCookie(w, r, csrfCookie, rq.csrf)
		}
	}
	return rq, nil
}

// checkCSRF refuses a state-changing request whose token does not match
// the session's (or, without a session, the CSRF cookie's) with 403.
func (h *Handler) checkCSRF(w http.ResponseWriter, r *http.Request, rq *request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	sent := r.Header.Get(csrfHeader)
	if sent == "" {
		ct := r.Header.Get("Content-Type")
		if strings.HasPrefix(ct, "application/x-www-form-urlencoded") || strings.HasPrefix(ct, "multipart/form-data") {
			if err := r.ParseForm(); err == nil {
				sent = r.PostFormValue(csrfField)
			}
		}
	}
	if rq.csrf != "" && sent != "" && subtle.ConstantTimeCompare([]byte(sent), []byte(rq.csrf)) == 1 {
		return true
	}
	if rq.expired {
		h.renderError(w, r, rq, http.StatusUnauthorized, "web.error.expired.title", "web.error.expired.text")
		return false
	}
	h.logger.WarnContext(r.Context(), "refused a request without a valid CSRF token", "method", r.Method, "path", r.URL.Path)
	h.renderError(w, r, rq, http.StatusForbidden, "web.error.csrf.title", "web.error.csrf.text")
	return false
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// secure reports whether cookies get the Secure attribute.
func (h *Handler) secure(r *http.Request) bool { return r.TLS != nil || h.secureCookies }

// setCookie sets a cookie for the browser session (no Expires: the server
// decides when a session ends).
func (h *Handler) setCookie(w http.ResponseWriter, r *http.Request, name, value string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true,
		Secure: h.secure(r), SameSite: http.SameSiteLaxMode})
}

func (h *Handler) clearCookie(w http.ResponseWriter, r *http.Request, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: h.secure(r), SameSite: http.SameSiteLaxMode})
}

// language is the language cookie's, else the browser's preference.
func (h *Handler) language(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil {
		for _, l := range i18n.Languages {
			if c.Value == l {
				return l
			}
		}
	}
	return i18n.Negotiate(r.Header.Get("Accept-Language"))
}

// requireSignIn sends a visitor without a session to the sign-in page,
// remembering where they wanted to go.
func (h *Handler) requireSignIn(w http.ResponseWriter, r *http.Request, rq *request) {
	if r.Method != http.MethodGet {
		h.renderError(w, r, rq, http.StatusUnauthorized, "web.error.signin.title", "web.error.signin.text")
		return
	}
	q := url.Values{}
	if r.URL.Path != "/" {
		q.Set("next", r.URL.RequestURI())
	}
	if rq.expired {
		q.Set("expired", "1")
	}
	target := "/login"
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// localPath returns next when it is a path on this server, else "/", so
// that redirects after sign-in cannot lead elsewhere.
func localPath(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return next
}

// setSecurityHeaders sets the headers every cockpit response carries. mail
// relaxes style-src for pages that show rendered mail in a sandboxed
// iframe (its srcdoc inherits this policy, and mail uses inline styles);
// scripts stay limited to the cockpit's own files.
func setSecurityHeaders(hd http.Header, mail bool) {
	style := "style-src 'self'"
	if mail {
		style = "style-src 'self' 'unsafe-inline'"
	}
	hd.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; "+style+"; img-src 'self' data:; "+
		"connect-src 'self'; form-action 'self'; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
}
