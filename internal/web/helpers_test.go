package web_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

// client is a browser without JavaScript: a cookie jar that does not follow
// redirects, so that tests see each answer.
type client struct {
	t    testing.TB
	base string
	http *http.Client
	// lang, when set, is sent as Accept-Language.
	lang string
	// forwardedFor, when set, is sent as X-Forwarded-For, as a reverse
	// proxy (or a client pretending) would.
	forwardedFor string
}

func newClient(t testing.TB, base string) *client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &client{t: t, base: base, http: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// newClientFrom is a browser on another machine: its connections come
// from ip, another loopback address (all of 127.0.0.0/8 is local).
func newClientFrom(t testing.TB, base, ip string) *client {
	t.Helper()
	c := newClient(t, base)
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	c.http.Transport = &http.Transport{DialContext: d.DialContext}
	return c
}

// do sends a request and returns the response with its body read.
func (c *client) do(req *http.Request) (*http.Response, string) {
	c.t.Helper()
	if c.lang != "" {
		req.Header.Set("Accept-Language", c.lang)
	}
	if c.forwardedFor != "" {
		req.Header.Set("X-Forwarded-For", c.forwardedFor)
	}
	resp, err := c.http.Do(req)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(c.t, err)
	return resp, string(b)
}

func (c *client) get(path string) (*http.Response, string) {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.base+path, nil)
	require.NoError(c.t, err)
	return c.do(req)
}

// post sends a form as it is (add "csrf" yourself, or use submit).
func (c *client) post(path string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	require.NoError(c.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf reads the CSRF token from a page's forms.
func (c *client) csrf(path string) string {
	c.t.Helper()
	_, body := c.get(path)
	m := csrfInput.FindStringSubmatch(body)
	require.NotNil(c.t, m, "no CSRF token on %s", path)
	return m[1]
}

// submit posts a form with the CSRF token of the page it is on.
func (c *client) submit(page, action string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", c.csrf(page))
	return c.post(action, form)
}

// signIn signs in and fails the test unless it works.
func (c *client) signIn(email, password string) {
	c.t.Helper()
	resp, body := c.submit("/login", "/login", url.Values{"email": {email}, "password": {password}})
	require.Equal(c.t, http.StatusSeeOther, resp.StatusCode, body)
}

// cockpitEnv is a server with its first cockpit user.
type cockpitEnv struct {
	*apptest.Env
	Email, Password string
	svc             *service.Service
	ws              *model.Workspace
}

func startCockpit(t testing.TB, modify ...func(*apptest.Setup)) *cockpitEnv {
	t.Helper()
	e := apptest.Start(t, modify...)
	u := e.App.BootstrapUser
	require.NotNil(t, u, "the first start creates a cockpit user")
	require.NotEmpty(t, u.Password)
	return &cockpitEnv{Env: e, Email: u.User.Email, Password: u.Password, svc: e.App.Service(),
		ws: e.App.Bootstrapped.Workspace}
}

// demoCockpit starts the demo workspace and signs in as its user.
func demoCockpit(t testing.TB, modify ...func(*apptest.Setup)) *cockpitEnv {
	t.Helper()
	e := apptest.Start(t, append([]func(*apptest.Setup){apptest.WithDemo}, modify...)...)
	u := e.App.DemoUser
	require.NotNil(t, u)
	return &cockpitEnv{Env: e, Email: u.User.Email, Password: u.Password, svc: e.App.Service(), ws: e.App.Demo.Workspace}
}

// ingest sends an event through the service, as the API would.
func (e *cockpitEnv) ingest(t testing.TB, typ, project string, actors map[string][]string, data map[string]any) *service.IngestResult {
	t.Helper()
	res, err := e.svc.Ingest(context.Background(), e.ws, &service.EventInput{Type: typ, Project: project,
		Actors: actors, Data: data, Source: model.SourceAPI})
	require.NoError(t, err)
	return res
}
