// Package web is Herold's admin cockpit: server-rendered pages in German and
// English for the people who configure flows, templates and schedules and
// who want to know what was sent and why. Pages are html/template files
// embedded in the binary, styled by one CSS file, with a little hand-written
// JavaScript where it clearly helps (the live template preview). Every page
// calls the service layer, the same operations the JSON API uses; no SQL
// here.
//
// Security: sessions live in the database (the cookie holds a random token,
// the database its SHA-256 hash), every state-changing request carries a
// CSRF token, every page is sent with a strict Content-Security-Policy, and
// every read is scoped by the signed-in user's workspace. The one exception
// is the page behind a mail's unsubscribe link (/u/TOKEN): there the signed
// token is the credential and names the workspace, and mail clients post it
// without cookies, so it needs neither session nor CSRF token.
package web

import (
	"context"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"slices"

	"github.com/herold-dev/herold/internal/i18n"
	"github.com/herold-dev/herold/internal/inbox"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Config wires a Handler.
type Config struct {
	Service *service.Service
	Logger  *slog.Logger
	// Catalog holds the cockpit's strings; default the embedded one.
	Catalog *i18n.Catalog
	// SecureCookies marks cookies Secure even for plain-HTTP requests, for
	// a cockpit behind a TLS-terminating proxy (set when the public base
	// URL is https). Requests that arrive over TLS always get Secure
	// cookies.
	SecureCookies bool
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client that failed sign-ins are counted for; none by default.
	TrustedProxies []netip.Prefix
	// Feed shows a contact's in-app feed on the contact's page; nil
	// leaves the section out.
	Feed Feed
}

// Feed reads a contact's in-app feed as the contact sees it.
type Feed interface {
	List(ctx context.Context, ws *model.Workspace, contact string, p inbox.ListParams) (*inbox.Page, error)
}

// Handler serves the cockpit.
type Handler struct {
	feed          Feed
	svc           *service.Service
	logger        *slog.Logger
	cat           *i18n.Catalog
	secureCookies bool
	proxies       []netip.Prefix
	pages         map[string]*template.Template
	access        map[string]access // by route pattern
	static        http.Handler
	staticVersion string
	mux           *http.ServeMux
}

// access says who may call a route.
type access int

const (
	// signedIn routes need a session.
	signedIn access = iota
	// public routes work without one (sign-in, language).
	public
	// token routes carry their credential in the URL (unsubscribe links):
	// no session, and no CSRF check, since mail clients post them without
	// cookies (RFC 8058 one-click).
	token
)

// route is one row of the route table.
type route struct {
	pattern string
	access  access
	handle  pageFunc
}

// pageFunc handles one request; rq carries the language, the session and
// the CSRF token.
type pageFunc func(w http.ResponseWriter, r *http.Request, rq *request)

// routes is the cockpit's route table.
func (h *Handler) routes() []route {
	return []route{
		{"GET /login", public, h.loginPage},
		{"POST /login", public, h.login},
		{"POST /login/workspace", public, h.chooseWorkspace},
		{"POST /logout", signedIn, h.logout},
		{"POST /language", public, h.setLanguage},
		{"GET /u/{token}", token, h.unsubscribeLink},
		{"POST /u/{token}", token, h.unsubscribe},

		// The preference page: the signed link names the contact; the
		// POST is public (CSRF-checked like sign-in), not token, so a
		// cross-site form cannot change preferences.
		{"GET /p/{token}", public, h.preferences},
		{"POST /p/{token}", public, h.savePreferences},

		{"GET /{$}", signedIn, h.dashboard},

		{"GET /flows", signedIn, h.flows},
		{"POST /flows", signedIn, h.createFlow},
		{"GET /flows/{key}", signedIn, h.flow},
		{"POST /flows/{key}", signedIn, h.saveFlow},
		{"GET /flows/{key}/notifications/_new", signedIn, h.newNotification},
		{"POST /flows/{key}/notifications", signedIn, h.addNotification},
		{"GET /flows/{key}/notifications/{nkey}", signedIn, h.editNotification},
		{"POST /flows/{key}/notifications/{nkey}", signedIn, h.updateNotification},
		{"POST /flows/{key}/notifications/{nkey}/status", signedIn, h.setNotificationStatus},
		{"POST /flows/{key}/notifications/{nkey}/delete", signedIn, h.deleteNotification},
		// Simulation (issue 16): events at given times through the flow.
		{"GET /flows/{key}/simulate", signedIn, h.simulateForm},
		{"POST /flows/{key}/simulate", signedIn, h.simulate},

		{"GET /projects", signedIn, h.projects},
		{"POST /projects/{key}/flow", signedIn, h.assignFlow},

		{"GET /templates", signedIn, h.templates},
		{"GET /templates/_new", signedIn, h.newTemplate},
		{"POST /templates", signedIn, h.createTemplate},
		{"GET /templates/{key}", signedIn, h.editTemplate},
		{"POST /templates/{key}", signedIn, h.saveTemplate},
		{"POST /templates/{key}/preview", signedIn, h.previewTemplate},

		{"GET /confirmations", signedIn, h.confirmations},
		{"POST /confirmations", signedIn, h.decide},

		{"GET /messages", signedIn, h.messages},
		{"GET /messages/{id}", signedIn, h.message},
		{"GET /messages/{id}/eml", signedIn, h.messageEML},
		{"GET /mailbox", signedIn, h.mailbox},

		{"GET /events", signedIn, h.events},
		{"GET /events/{id}", signedIn, h.event},
		{"GET /events/{id}/data.json", signedIn, h.jsonFile(h.eventData)},
		{"GET /contacts", signedIn, h.contacts},
		{"GET /contacts/{id}", signedIn, h.contact},
		{"POST /contacts/{id}", signedIn, h.saveContactQuietHours},
		{"GET /contacts/{id}/attributes.json", signedIn, h.jsonFile(h.contactAttributes)},
		{"POST /contacts/{id}/preferences", signedIn, h.saveContactPreferences},

		{"GET /suppressions", signedIn, h.suppressions},
		{"POST /suppressions", signedIn, h.addSuppression},
		{"POST /suppressions/delete", signedIn, h.removeSuppression},
		{"GET /search", signedIn, h.search},

		{"GET /schedules", signedIn, h.schedules},
		{"GET /schedules/_new", signedIn, h.newSchedule},
		{"POST /schedules", signedIn, h.createSchedule},
		{"GET /schedules/{key}", signedIn, h.schedule},
		{"GET /schedules/{key}/edit", signedIn, h.editSchedule},
		{"POST /schedules/{key}", signedIn, h.saveSchedule},
		{"GET /schedules/{key}/run", signedIn, h.confirmRunSchedule},
		{"POST /schedules/{key}/run", signedIn, h.runSchedule},
		{"POST /schedules/{key}/delete", signedIn, h.deleteSchedule},
		{"GET /schedules/{key}/runs/{id}", signedIn, h.scheduleRun},

		{"GET /settings", signedIn, h.settings},
		{"POST /settings", signedIn, h.saveSettings},
		{"GET /settings/names", signedIn, h.vocabulary},
		{"POST /settings/names", signedIn, h.saveVocabulary},
		{"GET /settings/categories", signedIn, h.categories},
		{"POST /settings/categories", signedIn, h.saveCategories},
		{"POST /settings/users", signedIn, h.createUser},
		{"POST /settings/users/{id}/delete", signedIn, h.deleteUser},
		{"POST /settings/password", signedIn, h.changePassword},

		{"GET /webhooks", signedIn, h.webhooks},
		{"POST /webhooks", signedIn, h.createWebhook},
		{"POST /webhooks/{id}/state", signedIn, h.setWebhookState},
		{"POST /webhooks/{id}/rotate", signedIn, h.rotateWebhook},
		{"POST /webhooks/{id}/delete", signedIn, h.deleteWebhook},
		{"GET /webhooks/deliveries/{id}", signedIn, h.webhookDelivery},
		{"POST /webhooks/deliveries/{id}/replay", signedIn, h.replayWebhookDelivery},
	}
}

// New returns the cockpit handler.
func New(cfg Config) (*Handler, error) {
	h := &Handler{svc: cfg.Service, logger: cfg.Logger, cat: cfg.Catalog, secureCookies: cfg.SecureCookies,
		proxies: cfg.TrustedProxies, feed: cfg.Feed,
		mux: http.NewServeMux(), access: map[string]access{}}
	if h.logger == nil {
		h.logger = slog.New(slog.DiscardHandler)
	}
	if h.cat == nil {
		cat, err := i18n.New()
		if err != nil {
			return nil, err
		}
		h.cat = cat
	}
	var err error
	if h.pages, err = parsePages(); err != nil {
		return nil, err
	}
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	if h.staticVersion, err = versionOf(sub); err != nil {
		return nil, err
	}
	h.static = http.StripPrefix("/static/", http.FileServerFS(sub))
	for _, rt := range slices.Concat(h.routes(), h.broadcastRoutes(), h.testRoutes()) {
		h.mux.Handle(rt.pattern, h.wrap(rt))
		h.access[rt.pattern] = rt.access
	}
	return h, nil
}

// ServeHTTP implements http.Handler: security headers, static files, the
// session and CSRF checks (not for token routes), then the route.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setSecurityHeaders(w.Header(), false)
	if isStatic(r.URL.Path) {
		h.serveStatic(w, r)
		return
	}
	rq, err := h.newRequest(w, r)
	if err != nil {
		h.serverError(w, r, &request{lang: h.language(r)}, err)
		return
	}
	ctx := context.WithValue(r.Context(), requestKey{}, rq)
	r = r.WithContext(ctx)
	_, pattern := h.mux.Handler(r)
	if !safeMethod(r.Method) && h.access[pattern] != token && !h.checkCSRF(w, r, rq) {
		return
	}
	if pattern == "" {
		h.notFound(w, r, rq)
		return
	}
	h.mux.ServeHTTP(w, r)
}

// Route returns the route pattern r matches ("GET /static/" for the
// static files), or "" when none does: the label of the request in the
// metrics.
func (h *Handler) Route(r *http.Request) string {
	if isStatic(r.URL.Path) {
		return "GET /static/"
	}
	_, pattern := h.mux.Handler(r)
	return pattern
}

type requestKey struct{}

// wrap applies a route's access rule.
func (h *Handler) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rq, _ := r.Context().Value(requestKey{}).(*request)
		if rq == nil {
			rq = &request{lang: h.language(r)}
		}
		if rt.access == signedIn && rq.p == nil {
			h.requireSignIn(w, r, rq)
			return
		}
		rt.handle(w, r, rq)
	})
}
