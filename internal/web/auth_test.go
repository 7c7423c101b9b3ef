package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

func TestSignInAndOut(t *testing.T) {
	t.Parallel()
	e := startCockpit(t)
	c := newClient(t, e.URL)

	// Without a session every page leads to the sign-in page.
	resp, _ := c.get("/flows")
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, "/login?next=%2Fflows", resp.Header.Get("Location"))

	resp, body := c.submit("/login", "/login", url.Values{"email": {e.Email}, "password": {"wrong password!"}})
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	require.Contains(t, body, "The e-mail address or the password is wrong.")
	resp, body = c.submit("/login", "/login", url.Values{"email": {"nobody@example.org"}, "password": {"wrong password!"}})
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	require.Contains(t, body, "The e-mail address or the password is wrong.", "an unknown address reads the same")

	resp, _ = c.submit("/login", "/login", url.Values{"email": {e.Email}, "password": {"wrong password!"},
		"next": {"//evil.example/"}})
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	resp, _ = c.submit("/login", "/login", url.Values{"email": {strings.ToUpper(e.Email)}, "password": {e.Password},
		"next": {"/flows"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, "/flows", resp.Header.Get("Location"))
	var session *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == "herold_session" {
			session = ck
		}
	}
	require.NotNil(t, session)
	require.True(t, session.HttpOnly)
	require.Equal(t, http.SameSiteLaxMode, session.SameSite)
	require.False(t, session.Secure, "plain HTTP without an https base URL")
	require.Zero(t, session.MaxAge, "a browser-session cookie; the server ends sessions")

	resp, body = c.get("/flows")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, body, e.Email)

	// Signing out ends the session on the server: the old cookie is dead.
	resp, _ = c.submit("/flows", "/logout", nil)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	stale := newClient(t, e.URL)
	u, _ := url.Parse(e.URL)
	stale.http.Jar.SetCookies(u, []*http.Cookie{{Name: "herold_session", Value: session.Value}})
	resp, _ = stale.get("/flows")
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Contains(t, resp.Header.Get("Location"), "/login")
}

func TestSessionsExpire(t *testing.T) {
	t.Parallel()
	e := startCockpit(t)
	c := newClient(t, e.URL)
	c.signIn(e.Email, e.Password)

	// Used every 11 hours, a session lives until its absolute end.
	for elapsed := time.Duration(0); elapsed+11*time.Hour < service.SessionMaxAge; elapsed += 11 * time.Hour {
		e.Clock.Advance(11 * time.Hour)
		resp, _ := c.get("/")
		require.Equal(t, http.StatusOK, resp.StatusCode, "after %v", elapsed+11*time.Hour)
	}
	e.Clock.Advance(11 * time.Hour)
	resp, _ := c.get("/flows")
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, "/login?expired=1&next=%2Fflows", resp.Header.Get("Location"))
	_, body := c.get("/login?expired=1")
	require.Contains(t, body, "Your session has expired.")

	// Idle for longer than the idle timeout: ended too.
	c.signIn(e.Email, e.Password)
	e.Clock.Advance(service.SessionIdleTimeout + time.Minute)
	resp, _ = c.get("/")
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)

	// A form sent with an expired session says so and changes nothing.
	c.signIn(e.Email, e.Password)
	token := c.csrf("/settings")
	e.Clock.Advance(service.SessionIdleTimeout + time.Minute)
	resp, body = c.post("/settings", url.Values{"csrf": {token}, "name": {"Changed"}})
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	require.Contains(t, body, "Your session has expired")
	ws, err := e.svc.WorkspaceGet(context.Background(), e.ws.Key)
	require.NoError(t, err)
	require.NotEqual(t, "Changed", ws.Name)
}

func TestFormsWithoutCSRFTokenAreRefused(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	c := newClient(t, e.URL)
	c.signIn(e.Email, e.Password)
	ctx := context.Background()

	for _, tc := range []struct {
		name  string
		token string
	}{{"missing", ""}, {"wrong", "not-the-token-of-this-session-0123456789"}} {
		form := url.Values{"status": {"inactive"}}
		if tc.token != "" {
			form.Set("csrf", tc.token)
		}
		resp, body := c.post("/flows/standard/notifications/job-requested/status", form)
		require.Equal(t, http.StatusForbidden, resp.StatusCode, tc.name)
		require.Contains(t, body, "Request refused", tc.name)
		require.Contains(t, body, "without a valid security token", tc.name)
	}
	n, err := e.svc.NotificationGet(ctx, e.ws, "standard", "job-requested")
	require.NoError(t, err)
	require.Equal(t, model.StatusActive, n.Status, "a refused form changes nothing")

	// A token of another session does not work either.
	other := newClient(t, e.URL)
	other.signIn(e.Email, e.Password)
	resp, _ := c.post("/flows/standard/notifications/job-requested/status",
		url.Values{"csrf": {other.csrf("/flows/standard")}, "status": {"inactive"}})
	require.Equal(t, http.StatusForbidden, resp.StatusCode)

	// The same form with the session's token works.
	resp, _ = c.submit("/flows/standard", "/flows/standard/notifications/job-requested/status", url.Values{"status": {"inactive"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	n, err = e.svc.NotificationGet(ctx, e.ws, "standard", "job-requested")
	require.NoError(t, err)
	require.Equal(t, model.StatusInactive, n.Status)

	// The preview's fetch carries the token in a header.
	req, err := http.NewRequest(http.MethodPost, e.URL+"/templates/job-requested/preview", strings.NewReader(`{"subject":"x","html":"y"}`))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, _ = c.do(req)
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
	req, err = http.NewRequest(http.MethodPost, e.URL+"/templates/job-requested/preview", strings.NewReader(`{"subject":"x","html":"y"}`))
	require.NoError(t, err)
	req.Header.Set("X-CSRF-Token", c.csrf("/templates/job-requested"))
	resp, body := c.do(req)
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	require.Contains(t, body, `"ok":true`)

	// Signing in needs the token too (login CSRF).
	fresh := newClient(t, e.URL)
	resp, _ = fresh.post("/login", url.Values{"email": {e.Email}, "password": {e.Password}})
	require.Equal(t, http.StatusForbidden, resp.StatusCode)
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	e := startCockpit(t, func(s *apptest.Setup) { s.Opts.BaseURL = "https://herold.invalid" })
	// The server listens on plain HTTP; a proxy would add TLS.
	c := newClient(t, "http://"+e.App.Addr())
	resp, _ := c.get("/login")
	h := resp.Header
	csp := h.Get("Content-Security-Policy")
	require.Contains(t, csp, "default-src 'none'")
	require.Contains(t, csp, "script-src 'self'")
	require.NotContains(t, csp, "unsafe-inline'; img", "no inline script")
	require.Contains(t, csp, "frame-ancestors 'none'")
	require.Equal(t, "nosniff", h.Get("X-Content-Type-Options"))
	require.Equal(t, "DENY", h.Get("X-Frame-Options"))
	require.Equal(t, "same-origin", h.Get("Referrer-Policy"))
	for _, ck := range resp.Cookies() {
		require.True(t, ck.Secure, "cookie %s behind an https base URL", ck.Name)
		require.True(t, ck.HttpOnly, ck.Name)
	}
	resp, _ = c.get("/static/app.js")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, "nosniff", resp.Header.Get("X-Content-Type-Options"))

	// The API keeps its own answers.
	resp, body := c.get("/v1/nope")
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	require.Contains(t, resp.Header.Get("Content-Type"), "application/problem+json", body)
	resp, _ = c.get("/healthz")
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

func TestWorkspacesAreIsolated(t *testing.T) {
	t.Parallel()
	e := demoCockpit(t)
	ctx := context.Background()
	// The first user of the default workspace sees none of the demo.
	admin := e.App.BootstrapUser
	c := newClient(t, e.URL)
	c.signIn(admin.User.Email, admin.Password)
	for _, path := range []string{"/flows/standard", "/templates/job-requested", "/contacts/p-anna"} {
		resp, _ := c.get(path)
		require.Equal(t, http.StatusNotFound, resp.StatusCode, path)
	}
	_, body := c.get("/projects")
	require.NotContains(t, body, "messe-koeln")
	resp, _ := c.submit("/", "/projects/messe-koeln/flow", url.Values{"flow": {""}})
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	p, err := e.svc.ProjectGet(ctx, e.ws, "messe-koeln")
	require.NoError(t, err)
	require.Equal(t, "standard", p.Flow)

	res := e.ingest(t, "booking.confirmed", "messe-koeln", map[string][]string{"promoter": {"p-ben"}}, map[string]any{"job": "x", "date": "2026-04-01"})
	resp, _ = c.get("/messages/" + res.Messages[0].ID)
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
	resp, _ = c.submit("/", "/confirmations", url.Values{"ids": {res.Messages[0].ID}, "action": {"approve"}})
	require.Equal(t, http.StatusOK, resp.StatusCode)
	m, err := e.svc.MessageGet(ctx, e.ws, res.Messages[0].ID)
	require.NoError(t, err)
	require.Equal(t, model.MsgAwaitingConfirmation, m.Status, "another workspace cannot approve it")
}
