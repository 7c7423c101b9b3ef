package httpapi

import (
	"net/http"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

// broadcastInput is the body of PUT /v1/broadcasts/{key}.
type broadcastInput struct {
	Key       string                 `json:"key"`
	Name      string                 `json:"name"`
	Category  string                 `json:"category"`
	Template  string                 `json:"template"`
	Content   *model.TemplateContent `json:"content"`
	Sender    model.Sender           `json:"sender"`
	Data      map[string]any         `json:"data"`
	Audience  string                 `json:"audience"`
	PerMinute int                    `json:"per_minute"`
	// Recurrence makes it recurring (a cron in the workspace's zone).
	Recurrence string     `json:"recurrence"`
	StartAt    *time.Time `json:"start_at"`
}

func (h *Handler) listBroadcasts(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	list(h, w, r, p, h.svc.BroadcastList)
}

func (h *Handler) getBroadcast(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	b, err := h.svc.BroadcastGet(r.Context(), p.Workspace, r.PathValue("key"))
	h.respond(w, r, http.StatusOK, b, err)
}

func (h *Handler) putBroadcast(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	key := r.PathValue("key")
	var in broadcastInput
	if err := decode(r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	if err := samePathKey("key", in.Key, key); err != nil {
		h.writeError(w, r, err)
		return
	}
	b := &model.Broadcast{Key: key, Name: in.Name, Category: in.Category, Template: in.Template, Content: in.Content,
		Sender: in.Sender, Data: in.Data, Audience: in.Audience, PerMinute: in.PerMinute, StartAt: in.StartAt,
		Recurrence: in.Recurrence}
	created, err := h.svc.BroadcastPut(r.Context(), p.Workspace, b)
	h.respond(w, r, putStatus(created), b, err)
}

func (h *Handler) deleteBroadcast(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	err := h.svc.BroadcastDelete(r.Context(), p.Workspace, r.PathValue("key"))
	h.respond(w, r, http.StatusNoContent, nil, err)
}

// broadcastStartInput is the optional body of POST …/start.
type broadcastStartInput struct {
	// At starts the broadcast later; default its start_at, else now.
	At *time.Time `json:"at"`
}

func (h *Handler) startBroadcast(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	var in broadcastStartInput
	if err := decodeOptional(r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	b, err := h.svc.BroadcastStart(r.Context(), p.Workspace, r.PathValue("key"), in.At)
	h.respond(w, r, http.StatusOK, b, err)
}

func (h *Handler) pauseBroadcast(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	b, err := h.svc.BroadcastPause(r.Context(), p.Workspace, r.PathValue("key"))
	h.respond(w, r, http.StatusOK, b, err)
}

func (h *Handler) resumeBroadcast(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	b, err := h.svc.BroadcastResume(r.Context(), p.Workspace, r.PathValue("key"))
	h.respond(w, r, http.StatusOK, b, err)
}

func (h *Handler) cancelBroadcast(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	b, err := h.svc.BroadcastCancel(r.Context(), p.Workspace, r.PathValue("key"))
	h.respond(w, r, http.StatusOK, b, err)
}

// broadcastPreviewInput is the optional body of POST …/preview.
type broadcastPreviewInput struct {
	// Contact renders the mail for this contact; default the first who
	// would get it.
	Contact string `json:"contact"`
}

func (h *Handler) previewBroadcast(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	var in broadcastPreviewInput
	if err := decodeOptional(r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	out, err := h.svc.BroadcastPreviewGet(r.Context(), p.Workspace, r.PathValue("key"), in.Contact)
	h.respond(w, r, http.StatusOK, out, err)
}

func (h *Handler) reportBroadcast(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	out, err := h.svc.BroadcastReportGet(r.Context(), p.Workspace, r.PathValue("key"))
	h.respond(w, r, http.StatusOK, out, err)
}
