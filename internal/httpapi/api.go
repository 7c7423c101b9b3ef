// Package httpapi is Herold's JSON API under /v1: one route table, one file
// per resource, problem+json errors, bearer API keys with scopes.
package httpapi

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/herold-dev/herold/internal/inbox"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

// Config wires a Handler.
type Config struct {
	Service *service.Service
	Logger  *slog.Logger
	// Ready reports whether the server can take work (for /readyz).
	Ready func(ctx context.Context) error
	// MaxBodyBytes bounds ordinary request bodies. Default 1 MiB.
	MaxBodyBytes int64
	// MaxBulkBodyBytes bounds bulk request bodies. Default 32 MiB.
	MaxBulkBodyBytes int64
	// MaxBulkRequests bounds the bulk requests (routes with larger
	// bodies: contacts/bulk, events/batch, simulate) in progress at once;
	// beyond it they answer 503 with Retry-After before their body is
	// read. Each holds several times its body in memory while it runs, so
	// this bounds the memory bulk requests take. Default 2.
	MaxBulkRequests int
	// Inbox serves the in-app feed; required.
	Inbox *inbox.Inbox
	// BatchTimeout bounds the work of one event batch: after it the batch
	// stops planning and answers 503, as the answer could not be written
	// any more (the server's write timeout). 0: no bound but the
	// client's patience.
	BatchTimeout time.Duration
}

// Handler serves the API.
type Handler struct {
	svc     *service.Service
	logger  *slog.Logger
	ready   func(ctx context.Context) error
	maxBody int64
	maxBulk int64
	// bulkSlots holds a token per bulk request in progress.
	bulkSlots chan struct{}
	mux       *http.ServeMux
	routeTab  []route
	// batchTimeout is Config.BatchTimeout.
	batchTimeout time.Duration

	inbox *inbox.Inbox
}

// handlerFunc is an authenticated handler; p is nil on public routes.
type handlerFunc func(w http.ResponseWriter, r *http.Request, p *service.Principal)

// route is one row of the route table.
type route struct {
	method string
	path   string
	// scopes are the scopes of which the key needs one; none means public.
	scopes []model.Scope
	// bulk selects the larger body limit.
	bulk   bool
	handle handlerFunc
}

var (
	admin    = []model.Scope{model.ScopeAdmin}
	sync     = []model.Scope{model.ScopeAdmin, model.ScopeIngest}
	operator = []model.Scope{model.ScopeOperator}
)

// routes is the API's route table; the OpenAPI document must describe
// exactly these (see openapi_test.go).
func (h *Handler) routes() []route {
	return append([]route{
		{"GET", "/healthz", nil, false, h.healthz},
		{"GET", "/readyz", nil, false, h.readyz},
		{"GET", "/v1/openapi.json", nil, false, h.openAPI},

		{"GET", "/v1/workspace", sync, false, h.getWorkspace},
		{"PATCH", "/v1/workspace", admin, false, h.patchWorkspace},
		{"GET", "/v1/workspaces", operator, false, h.listWorkspaces},
		{"POST", "/v1/workspaces", operator, false, h.createWorkspace},

		{"GET", "/v1/keys", admin, false, h.listKeys},
		{"POST", "/v1/keys", admin, false, h.createKey},
		{"DELETE", "/v1/keys/{id}", admin, false, h.revokeKey},

		{"GET", "/v1/templates", admin, false, h.listTemplates},
		{"GET", "/v1/templates/{key}", admin, false, h.getTemplate},
		{"PUT", "/v1/templates/{key}", admin, false, h.putTemplate},
		{"DELETE", "/v1/templates/{key}", admin, false, h.deleteTemplate},
		{"POST", "/v1/templates/{key}/preview", admin, false, h.previewTemplate},

		{"GET", "/v1/flows", admin, false, h.listFlows},
		{"GET", "/v1/flows/{key}", admin, false, h.getFlow},
		{"PUT", "/v1/flows/{key}", admin, false, h.putFlow},
		{"DELETE", "/v1/flows/{key}", admin, false, h.deleteFlow},
		{"GET", "/v1/flows/{key}/notifications", admin, false, h.listNotifications},
		{"POST", "/v1/flows/{key}/notifications", admin, false, h.addNotification},
		{"GET", "/v1/flows/{key}/notifications/{nkey}", admin, false, h.getNotification},
		{"PUT", "/v1/flows/{key}/notifications/{nkey}", admin, false, h.putNotification},
		{"DELETE", "/v1/flows/{key}/notifications/{nkey}", admin, false, h.deleteNotification},
		// Simulation (issue 16): events at given times through a flow on a scratch copy.
		{"POST", "/v1/flows/{key}/simulate", admin, true, h.simulateFlow},

		{"GET", "/v1/projects", admin, false, h.listProjects},
		{"GET", "/v1/projects/{key}", admin, false, h.getProject},
		{"PUT", "/v1/projects/{key}", admin, false, h.putProject},
		{"DELETE", "/v1/projects/{key}", admin, false, h.deleteProject},

		{"GET", "/v1/contacts", sync, false, h.listContacts},
		{"POST", "/v1/contacts/bulk", sync, true, h.bulkContacts},
		{"GET", "/v1/contacts/{id}", sync, false, h.getContact},
		{"PUT", "/v1/contacts/{id}", sync, false, h.putContact},
		{"DELETE", "/v1/contacts/{id}", sync, false, h.deleteContact},

		{"GET", "/v1/contacts/{id}/preferences", sync, false, h.getPreferences},
		{"PUT", "/v1/contacts/{id}/preferences", sync, false, h.putPreferences},

		{"POST", "/v1/events", sync, false, h.postEvent},
		{"POST", "/v1/events/batch", sync, true, h.postEventBatch},
		{"GET", "/v1/events", sync, false, h.listEvents}, // ingest: narrowRead
		{"GET", "/v1/events/{id}", sync, false, h.getEvent},
		{"GET", "/v1/events/{id}/explain", sync, false, h.explainEvent},
		{"POST", "/v1/explain", sync, false, h.dryRun},

		{"GET", "/v1/messages", sync, false, h.listMessages}, // ingest: narrowRead
		{"POST", "/v1/messages", admin, false, h.postMessage},
		{"GET", "/v1/messages/{id}", sync, false, h.getMessage},
		{"GET", "/v1/messages/{id}/eml", admin, false, h.getMessageEML},
		{"POST", "/v1/messages/{id}/approve", sync, false, h.approve},
		{"POST", "/v1/messages/{id}/decline", sync, false, h.decline},
		{"GET", "/v1/confirmations", sync, false, h.listConfirmations},
		{"POST", "/v1/confirmations/approve", sync, false, h.approve},
		{"POST", "/v1/confirmations/decline", sync, false, h.decline},
		{"GET", "/v1/mailbox", admin, false, h.listMailbox},
		{"GET", "/v1/stats", admin, false, h.getStats},

		{"GET", "/v1/schedules", admin, false, h.listSchedules},
		{"GET", "/v1/schedules/{key}", admin, false, h.getSchedule},
		{"PUT", "/v1/schedules/{key}", admin, false, h.putSchedule},
		{"DELETE", "/v1/schedules/{key}", admin, false, h.deleteSchedule},
		{"POST", "/v1/schedules/{key}/run", admin, false, h.runSchedule},
		{"POST", "/v1/schedules/{key}/preview", admin, false, h.previewSchedule},
		{"GET", "/v1/schedules/{key}/runs", admin, false, h.listRuns},
		{"GET", "/v1/schedules/{key}/runs/{id}", admin, false, h.getRun},
		{"GET", "/v1/schedules/{key}/runs/{id}/matches", admin, false, h.listRunMatches},

		{"GET", "/v1/broadcasts", admin, false, h.listBroadcasts},
		{"GET", "/v1/broadcasts/{key}", admin, false, h.getBroadcast},
		{"PUT", "/v1/broadcasts/{key}", admin, false, h.putBroadcast},
		{"DELETE", "/v1/broadcasts/{key}", admin, false, h.deleteBroadcast},
		{"POST", "/v1/broadcasts/{key}/preview", admin, false, h.previewBroadcast},
		{"POST", "/v1/broadcasts/{key}/start", admin, false, h.startBroadcast},
		{"POST", "/v1/broadcasts/{key}/pause", admin, false, h.pauseBroadcast},
		{"POST", "/v1/broadcasts/{key}/resume", admin, false, h.resumeBroadcast},
		{"POST", "/v1/broadcasts/{key}/cancel", admin, false, h.cancelBroadcast},
		{"GET", "/v1/broadcasts/{key}/report", admin, false, h.reportBroadcast},

		{"GET", "/v1/objects/{collection}", sync, false, h.listObjects},
		{"GET", "/v1/objects/{collection}/{id}", sync, false, h.getObject},
		{"PUT", "/v1/objects/{collection}/{id}", sync, false, h.putObject},
		{"DELETE", "/v1/objects/{collection}/{id}", sync, false, h.deleteObject},

		{"GET", "/v1/webhooks", admin, false, h.listWebhooks},
		{"POST", "/v1/webhooks", admin, false, h.createWebhook},
		{"GET", "/v1/webhooks/{id}", admin, false, h.getWebhook},
		{"PUT", "/v1/webhooks/{id}", admin, false, h.putWebhook},
		{"DELETE", "/v1/webhooks/{id}", admin, false, h.deleteWebhook},
		{"POST", "/v1/webhooks/{id}/rotate", admin, false, h.rotateWebhook},
		{"POST", "/v1/webhooks/{id}/state", admin, false, h.setWebhookState},
		{"GET", "/v1/webhook-deliveries", admin, false, h.listWebhookDeliveries},
		{"POST", "/v1/webhook-deliveries/replay", admin, false, h.replayWebhookRange},
		{"GET", "/v1/webhook-deliveries/{id}", admin, false, h.getWebhookDelivery},
		{"POST", "/v1/webhook-deliveries/{id}/replay", admin, false, h.replayWebhookDelivery},

		{"GET", "/v1/suppressions", admin, false, h.listSuppressions},
		{"POST", "/v1/suppressions", admin, false, h.addSuppression},
		{"DELETE", "/v1/suppressions/{email}", admin, false, h.deleteSuppression},
	}, h.feedRoutes()...)
}

// New returns the API handler.
func New(cfg Config) *Handler {
	h := &Handler{
		svc: cfg.Service, logger: cfg.Logger, ready: cfg.Ready,
		maxBody: cfg.MaxBodyBytes, maxBulk: cfg.MaxBulkBodyBytes, mux: http.NewServeMux(),
		inbox: cfg.Inbox, batchTimeout: cfg.BatchTimeout,
	}
	if h.logger == nil {
		h.logger = slog.New(slog.DiscardHandler)
	}
	if h.maxBody <= 0 {
		h.maxBody = 1 << 20
	}
	if h.maxBulk <= 0 {
		h.maxBulk = 32 << 20
	}
	h.bulkSlots = make(chan struct{}, cmp.Or(max(cfg.MaxBulkRequests, 0), 2))
	h.routeTab = h.table()
	for _, rt := range h.routeTab {
		h.mux.Handle(rt.method+" "+rt.path, h.wrap(rt))
	}
	return h
}

// table is every route of the API.
func (h *Handler) table() []route {
	tab := append(h.routes(), h.configRoutes()...)
	return append(tab, h.watcherRoutes()...)
}

// RouteScopes returns the scopes of which an API key needs one to call
// the route method path (as the route table writes it: "POST",
// "/v1/flows/{key}/simulate"); nil for a public route. ok is false when
// the API has no such route. The command line's help names the scope
// its commands need from here.
func RouteScopes(method, path string) (scopes []model.Scope, ok bool) {
	for _, rt := range (&Handler{}).table() {
		if rt.method == method && rt.path == path {
			return slices.Clone(rt.scopes), true
		}
	}
	return nil, false
}

// ServeHTTP implements http.Handler. Requests no route matches get a
// problem+json 404, or 405 with Allow when the path exists for other
// methods.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, pattern := h.mux.Handler(r); pattern != "" {
		h.mux.ServeHTTP(w, r)
		return
	}
	rec := &statusRecorder{header: http.Header{}}
	h.mux.ServeHTTP(rec, r)
	if rec.status == http.StatusMethodNotAllowed {
		w.Header().Set("Allow", rec.header.Get("Allow"))
		writeProblem(w, Problem{Type: problemMethod, Title: "Method not allowed", Status: http.StatusMethodNotAllowed,
			Detail: r.Method + " is not allowed on " + r.URL.Path + "; allowed: " + rec.header.Get("Allow")})
		return
	}
	writeProblem(w, Problem{Type: problemNotFound, Title: "Not found", Status: http.StatusNotFound,
		Detail: "no API route " + r.Method + " " + r.URL.Path + "; see /v1/openapi.json"})
}

// Route returns the route pattern r matches, or "" when none does: the
// label of the request in the metrics.
func (h *Handler) Route(r *http.Request) string {
	_, pattern := h.mux.Handler(r)
	return pattern
}

// statusRecorder captures what the mux's fallback would answer.
type statusRecorder struct {
	header http.Header
	status int
}

func (s *statusRecorder) Header() http.Header         { return s.header }
func (s *statusRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (s *statusRecorder) WriteHeader(code int)        { s.status = code }

// errBulkBusy: as many bulk requests are in progress as the server takes
// at once (Config.MaxBulkRequests).
var errBulkBusy = errors.New("the server is handling as many bulk requests as it takes at once; retry in a moment (events with the same idempotency key)")

// wrap applies the body limit and authentication of a route, admission
// control to writing requests and the bound on bulk requests.
func (h *Handler) wrap(rt route) http.Handler {
	limit := h.maxBody
	if rt.bulk {
		limit = h.maxBulk
	}
	params := pathParams(rt.path)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > limit {
			// Refuse early, before reading a byte of an oversized body.
			h.writeError(w, r, errBodyTooLarge)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		if rt.scopes == nil {
			if err := checkPathParams(r, params); err != nil {
				h.writeError(w, r, err)
				return
			}
			rt.handle(w, r, nil)
			return
		}
		p, ok := h.authenticate(w, r, rt.scopes)
		if !ok {
			return
		}
		if err := checkPathParams(r, params); err != nil {
			h.writeError(w, r, err)
			return
		}
		if rt.method != http.MethodGet {
			release, err := h.svc.Admit()
			if err != nil {
				h.writeError(w, r, err)
				return
			}
			defer release()
		}
		if rt.bulk && (r.ContentLength < 0 || r.ContentLength > h.maxBody) {
			// Only a body larger than any other route takes (or of
			// unknown length) needs a slot: a small bulk request costs
			// what any other write does.
			select {
			case h.bulkSlots <- struct{}{}:
				defer func() { <-h.bulkSlots }()
			default:
				// Refused before a byte of the body is read: the bound
				// is on the memory bulk bodies take.
				h.writeError(w, r, errBulkBusy)
				return
			}
		}
		rt.handle(w, r, p)
	})
}

// pathParams returns the names of the parameters in a route's path
// ("/v1/flows/{key}/notifications/{nkey}": key, nkey).
func pathParams(path string) []string {
	var names []string
	for _, seg := range strings.Split(path, "/") {
		if name, ok := strings.CutPrefix(seg, "{"); ok {
			names = append(names, strings.TrimSuffix(strings.TrimSuffix(name, "}"), "..."))
		}
	}
	return names
}

// checkPathParams refuses path parameters that are not UTF-8 once
// unescaped (/v1/contacts/%ff): stored, such an id would be shown as
// U+FFFD, an id that names another record or none, and PostgreSQL would
// refuse it. Every handler reads its parameters with r.PathValue after
// this check.
func checkPathParams(r *http.Request, names []string) error {
	var fields []service.FieldError
	for _, name := range names {
		if !utf8.ValidString(r.PathValue(name)) {
			fields = append(fields, service.FieldError{Field: name, Code: service.CodeInvalid,
				Detail: "is not valid UTF-8 (after percent-decoding the URL)"})
		}
	}
	if len(fields) > 0 {
		return &service.ValidationError{Fields: fields}
	}
	return nil
}

func (h *Handler) authenticate(w http.ResponseWriter, r *http.Request, scopes []model.Scope) (*service.Principal, bool) {
	auth := r.Header.Get("Authorization")
	token, found := strings.CutPrefix(auth, "Bearer ")
	if !found {
		token = ""
	}
	p, err := h.svc.Authenticate(r.Context(), strings.TrimSpace(token))
	if err != nil {
		if err == service.ErrUnauthenticated {
			w.Header().Set("WWW-Authenticate", `Bearer realm="herold"`)
			detail := "send an API key as Authorization: Bearer <key>"
			if token != "" {
				detail = "the API key is unknown or revoked; create one with `herold keys create`"
			}
			writeProblem(w, Problem{Type: problemUnauthorized, Title: "Unauthorized", Status: http.StatusUnauthorized, Detail: detail})
			return nil, false
		}
		h.writeError(w, r, err)
		return nil, false
	}
	for _, s := range scopes {
		if p.Key.Has(s) {
			return p, true
		}
	}
	names := make([]string, len(scopes))
	for i, s := range scopes {
		names[i] = string(s)
	}
	writeProblem(w, Problem{Type: problemForbidden, Title: "Forbidden", Status: http.StatusForbidden,
		Detail: "this API key lacks the scope for this request; it needs one of: " + strings.Join(names, ", ")})
	return nil, false
}

func (h *Handler) healthz(w http.ResponseWriter, _ *http.Request, _ *service.Principal) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (h *Handler) readyz(w http.ResponseWriter, r *http.Request, _ *service.Principal) {
	if h.ready != nil {
		if err := h.ready(r.Context()); err != nil {
			writeProblem(w, Problem{Type: "about:blank", Title: "Not ready", Status: http.StatusServiceUnavailable, Detail: err.Error()})
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}
