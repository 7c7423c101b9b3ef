package httpapi

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/herold-dev/herold/internal/inbox"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

// The in-app feed: admin routes manage a workspace's feed secret and
// allowed origins with an API key; the feed routes under
// /v1/feed/{workspace}/ are called by browsers with a feed token signed
// by the host application (see internal/inbox and docs/inbox.md), and
// answer CORS requests from the workspace's allowed origins only.

// feedRoutes are the route table's rows of the in-app feed.
func (h *Handler) feedRoutes() []route {
	return []route{
		{"GET", "/v1/inbox/settings", admin, false, h.getInboxSettings},
		{"PUT", "/v1/inbox/settings", admin, false, h.putInboxSettings},
		{"POST", "/v1/inbox/secret", admin, false, h.rotateInboxSecret},

		{"GET", "/v1/feed/{workspace}/items", nil, false, h.feedItems},
		{"POST", "/v1/feed/{workspace}/mark", nil, false, h.feedMark},
		{"GET", "/v1/feed/{workspace}/stream", nil, false, h.feedStream},
		{"OPTIONS", "/v1/feed/{workspace}/items", nil, false, h.feedPreflight},
		{"OPTIONS", "/v1/feed/{workspace}/mark", nil, false, h.feedPreflight},
		{"OPTIONS", "/v1/feed/{workspace}/stream", nil, false, h.feedPreflight},
	}
}

// inboxSettings is the body of GET and PUT /v1/inbox/settings.
type inboxSettings struct {
	Origins []string `json:"origins"`
	// SecretSet says whether a feed secret exists (it is shown only when
	// made, by POST /v1/inbox/secret).
	SecretSet bool      `json:"secret_set"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

func settingsBody(s *model.FeedSettings) inboxSettings {
	return inboxSettings{Origins: s.Origins, SecretSet: s.Secret != "", UpdatedAt: s.UpdatedAt}
}

func (h *Handler) getInboxSettings(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	s, err := h.inbox.Settings(r.Context(), p.Workspace)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, settingsBody(s))
}

func (h *Handler) putInboxSettings(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	var in struct {
		Origins []string `json:"origins"`
	}
	if err := decode(r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	s, err := h.inbox.SetOrigins(r.Context(), p.Workspace, in.Origins)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, settingsBody(s))
}

func (h *Handler) rotateInboxSecret(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	secret, err := h.inbox.RotateSecret(r.Context(), p.Workspace)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, map[string]string{"workspace": p.Workspace.Key, "secret": secret})
}

// feedCORS adds the CORS headers for an allowed origin and reports
// whether the request may go on: a request without Origin (same origin,
// or not a browser) may; one from an origin the workspace does not allow
// gets 403.
func (h *Handler) feedCORS(w http.ResponseWriter, r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	w.Header().Add("Vary", "Origin")
	if !h.inbox.OriginAllowed(r.Context(), r.PathValue("workspace"), origin) {
		writeProblem(w, Problem{Type: problemForbidden, Title: "Forbidden", Status: http.StatusForbidden,
			Detail: "origin " + origin + " may not call this workspace's feed; an admin adds it with PUT /v1/inbox/settings"})
		return false
	}
	w.Header().Set("Access-Control-Allow-Origin", origin)
	return true
}

func (h *Handler) feedPreflight(w http.ResponseWriter, r *http.Request, _ *service.Principal) {
	if !h.feedCORS(w, r) {
		return
	}
	w.Header().Set("Access-Control-Allow-Methods", "GET, POST")
	w.Header().Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Last-Event-ID")
	w.Header().Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
}

// feedAuth applies CORS and checks the feed token, from the
// Authorization header or, for EventSource (which cannot set headers),
// ?token=.
func (h *Handler) feedAuth(w http.ResponseWriter, r *http.Request) (*model.Workspace, string, bool) {
	if !h.feedCORS(w, r) {
		return nil, "", false
	}
	token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		token = r.URL.Query().Get("token")
	}
	ws, contact, err := h.inbox.Authenticate(r.Context(), r.PathValue("workspace"), strings.TrimSpace(token))
	if err != nil {
		for _, e := range []error{inbox.ErrTokenMissing, inbox.ErrTokenMalformed, inbox.ErrTokenSignature,
			inbox.ErrTokenWorkspace, inbox.ErrTokenExpired, inbox.ErrTokenTooLong} {
			if errors.Is(err, e) {
				w.Header().Set("WWW-Authenticate", `Bearer realm="herold-feed"`)
				writeProblem(w, Problem{Type: problemUnauthorized, Title: "Unauthorized", Status: http.StatusUnauthorized,
					Detail: err.Error()})
				return nil, "", false
			}
		}
		h.writeError(w, r, err)
		return nil, "", false
	}
	return ws, contact, true
}

func (h *Handler) feedItems(w http.ResponseWriter, r *http.Request, _ *service.Principal) {
	ws, contact, ok := h.feedAuth(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	var p inbox.ListParams
	var fields []service.FieldError
	for _, f := range []struct {
		name string
		dst  *int64
	}{{"before", &p.Before}, {"limit", nil}} {
		s := q.Get(f.name)
		if s == "" {
			continue
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			fields = append(fields, service.FieldError{Field: f.name, Code: service.CodeInvalid, Detail: "must be a whole number"})
			continue
		}
		if f.dst != nil {
			*f.dst = n
		} else {
			p.Limit = int(min(n, inbox.MaxPageSize+1))
		}
	}
	switch q.Get("archived") {
	case "", "false":
	case "true":
		p.Archived = true
	default:
		fields = append(fields, service.FieldError{Field: "archived", Code: service.CodeInvalid, Detail: "use true or false"})
	}
	if len(fields) > 0 {
		h.writeError(w, r, &service.ValidationError{Fields: fields})
		return
	}
	pg, err := h.inbox.List(r.Context(), ws, contact, p)
	h.respond(w, r, http.StatusOK, pg, err)
}

func (h *Handler) feedMark(w http.ResponseWriter, r *http.Request, _ *service.Principal) {
	ws, contact, ok := h.feedAuth(w, r)
	if !ok {
		return
	}
	var in inbox.MarkParams
	if err := decode(r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	res, err := h.inbox.Mark(r.Context(), ws, contact, in)
	h.respond(w, r, http.StatusOK, res, err)
}

// feedStream is the live feed as Server-Sent Events. Event "counts"
// carries the badges; event "item" an item that arrived or changed, with
// its version as the event id. A fresh stream starts with the counts
// (its id the feed's version then); a stream resumed with Last-Event-ID
// first sends every item changed since, so a reconnecting tab misses
// nothing and counts nothing twice.
func (h *Handler) feedStream(w http.ResponseWriter, r *http.Request, _ *service.Principal) {
	ws, contact, ok := h.feedAuth(w, r)
	if !ok {
		return
	}
	var last int64
	fresh := true // no Last-Event-ID: start with the counts
	if s := cmp.Or(r.Header.Get("Last-Event-ID"), r.URL.Query().Get("last_event_id")); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			h.writeError(w, r, &service.ValidationError{Fields: []service.FieldError{{Field: "Last-Event-ID",
				Code: service.CodeInvalid, Detail: "must be the id of an event this stream sent"}}})
			return
		}
		last, fresh = n, false
	}
	st, err := h.inbox.Open(ws, contact, last, fresh)
	if err != nil {
		w.Header().Set("Retry-After", "5")
		writeProblem(w, Problem{Type: problemOverloaded, Title: "Too many streams", Status: http.StatusTooManyRequests,
			Detail: err.Error()})
		return
	}
	// The stream leaves net/http: a served connection costs two
	// goroutines with their stacks and buffers for as long as it is open,
	// while a stream is mostly idle. Taken over, the inbox holds it
	// without a goroutine of its own (see internal/inbox/stream.go).
	// Herold serves HTTP/1.1, where taking over always works.
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		st.Close()
		h.writeError(w, r, fmt.Errorf("take over the feed stream's connection: %w", err))
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Accel-Buffering", "no") // nginx: do not buffer
	hd.Set("Connection", "close")     // the body ends when the connection does
	var head bytes.Buffer
	head.WriteString("HTTP/1.1 200 OK\r\n")
	_ = hd.Write(&head)
	head.WriteString("\r\nretry: 2000\n\n")
	st.Start(conn, head.Bytes())
}
