package httpapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

func (h *Handler) listMessages(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	if err := narrowRead(r, p); err != nil {
		h.writeError(w, r, err)
		return
	}
	pp, err := h.pageParams(r, p)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	since, until, err := timeRange(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	var statuses []model.MessageStatus
	for _, v := range q["status"] {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				statuses = append(statuses, model.MessageStatus(s))
			}
		}
	}
	pg, err := h.svc.MessageList(r.Context(), p.Workspace, service.MessageFilter{EventID: q.Get("event"),
		Contact: q.Get("contact"), Email: q.Get("email"), Project: q.Get("project"), Statuses: statuses,
		Since: since, Until: until, PageParams: pp})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writePage(h, w, r, p, pg)
}

func (h *Handler) getMessage(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	m, err := h.svc.MessageGet(r.Context(), p.Workspace, r.PathValue("id"))
	h.respond(w, r, http.StatusOK, m, err)
}

func (h *Handler) getMessageEML(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	id := r.PathValue("id")
	raw, err := h.svc.MessageEML(r.Context(), p.Workspace, id)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "message/rfc822")
	w.Header().Set("Content-Disposition", `attachment; filename="`+id+`.eml"`)
	_, _ = w.Write(raw)
}

// manualInput is the body of POST /v1/messages.
type manualInput struct {
	Template   string                  `json:"template"`
	Recipients []model.Recipient       `json:"recipients"`
	CC         []model.Recipient       `json:"cc"`
	BCC        []model.Recipient       `json:"bcc"`
	Category   string                  `json:"category"`
	Project    string                  `json:"project"`
	Object     *model.ObjectRef        `json:"object"`
	Actors     map[string][]actorInput `json:"actors"`
	Contact    *actorInput             `json:"contact"`
	Data       map[string]any          `json:"data"`
	// IdempotencyKey makes a retried request send once.
	IdempotencyKey string `json:"idempotency_key"`
}

func (h *Handler) postMessage(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	var in manualInput
	if err := decode(r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	ev := (&eventInput{Type: "manual", Project: in.Project, Object: in.Object, Actors: in.Actors, Contact: in.Contact,
		Data: in.Data, IdempotencyKey: in.IdempotencyKey}).service()
	res, err := h.svc.SendManual(r.Context(), p.Workspace, &service.ManualInput{Template: in.Template,
		Recipients: in.Recipients, CC: in.CC, BCC: in.BCC, Category: in.Category, Event: *ev})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	status := http.StatusCreated
	if res.Duplicate {
		status = http.StatusOK
	}
	writeJSON(w, status, resultOf(res))
}

func (h *Handler) listConfirmations(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	pp, err := h.pageParams(r, p)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	var older time.Duration
	if v := q.Get("older_than"); v != "" {
		if older, err = time.ParseDuration(v); err != nil || older < 0 {
			h.writeError(w, r, &service.ValidationError{Fields: []service.FieldError{{Field: "older_than",
				Code: service.CodeInvalid, Detail: "must be a duration such as 30m, 24h or 72h"}}})
			return
		}
	}
	pg, err := h.svc.PendingList(r.Context(), p.Workspace, service.PendingParams{Project: q.Get("project"),
		EventID: q.Get("event"), OlderThan: older, PageParams: pp})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writePage(h, w, r, p, pg)
}

// decisionInput approves or declines messages.
type decisionInput struct {
	IDs []string `json:"ids"`
	// Actor names who decided (the host application's user); default the
	// API key's name.
	Actor string `json:"actor"`
	// Reason says why the messages were declined (recorded, shown by
	// explain); declining only.
	Reason string `json:"reason"`
}

func actorOf(in decisionInput, p *service.Principal) string {
	if in.Actor != "" {
		return in.Actor
	}
	return "API key " + p.Key.Name
}

func (h *Handler) decide(w http.ResponseWriter, r *http.Request, p *service.Principal, approve bool) {
	var in decisionInput
	if id := r.PathValue("id"); id != "" {
		var one struct {
			Actor  string `json:"actor"`
			Reason string `json:"reason"`
		}
		if err := decodeOptional(r, &one); err != nil {
			h.writeError(w, r, err)
			return
		}
		in = decisionInput{IDs: []string{id}, Actor: one.Actor, Reason: one.Reason}
	} else if err := decode(r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	if model.HasCRLF(in.Actor) || len(in.Actor) > 200 {
		h.writeError(w, r, &service.ValidationError{Fields: []service.FieldError{{Field: "actor", Code: service.CodeInvalid,
			Detail: "use at most 200 characters on one line"}}})
		return
	}
	if approve && in.Reason != "" {
		h.writeError(w, r, &service.ValidationError{Fields: []service.FieldError{{Field: "reason", Code: service.CodeInvalid,
			Detail: "a reason is recorded when declining; leave it out when approving"}}})
		return
	}
	var (
		out []service.Decision
		err error
	)
	if approve {
		out, err = h.svc.Approve(r.Context(), p.Workspace, in.IDs, actorOf(in, p))
	} else {
		out, err = h.svc.Decline(r.Context(), p.Workspace, in.IDs, actorOf(in, p), in.Reason)
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if id := r.PathValue("id"); id != "" && !out[0].Applied {
		h.singleDecisionError(w, r, out[0])
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": out})
}

func (h *Handler) singleDecisionError(w http.ResponseWriter, r *http.Request, d service.Decision) {
	if d.Status == "" {
		h.writeError(w, r, &service.NotFoundError{What: "message \"" + d.ID + "\""})
		return
	}
	h.writeError(w, r, &service.ConflictError{Detail: d.Error})
}

func (h *Handler) approve(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	h.decide(w, r, p, true)
}

func (h *Handler) decline(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	h.decide(w, r, p, false)
}

func (h *Handler) listMailbox(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	list(h, w, r, p, h.svc.MailboxList)
}
