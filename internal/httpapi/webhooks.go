package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
	"github.com/herold-dev/herold/internal/store"
)

// webhookEndpointView is an endpoint as the API shows it: never its
// secret, which only creation and rotation return, once.
type webhookEndpointView struct {
	ID            string     `json:"id"`
	URL           string     `json:"url"`
	Description   string     `json:"description"`
	EventTypes    []string   `json:"event_types"`
	Outcomes      []string   `json:"outcomes"`
	State         string     `json:"state"`
	StateReason   string     `json:"state_reason,omitempty"`
	Failures      int        `json:"failures"`
	PreviousUntil *time.Time `json:"previous_secret_until,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
	// Secret is set only in the answers of creation and rotation.
	Secret string `json:"secret,omitempty"`
}

func endpointView(e *model.WebhookEndpoint) *webhookEndpointView {
	return &webhookEndpointView{ID: e.ID, URL: e.URL, Description: e.Description, EventTypes: e.EventTypes,
		Outcomes: e.Outcomes, State: e.State, StateReason: e.StateReason, Failures: e.Failures,
		PreviousUntil: e.PreviousUntil, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt}
}

type webhookDeliveryView struct {
	ID         string                `json:"id"`
	Endpoint   string                `json:"endpoint"`
	Type       string                `json:"type"`
	EventID    string                `json:"event_id,omitempty"`
	MessageID  string                `json:"message_id,omitempty"`
	Status     string                `json:"status"`
	Attempts   int                   `json:"attempts"`
	NextAt     *time.Time            `json:"next_attempt_at,omitempty"`
	LastReason string                `json:"last_reason,omitempty"`
	CreatedAt  time.Time             `json:"created_at"`
	UpdatedAt  time.Time             `json:"updated_at"`
	Payload    any                   `json:"payload,omitempty"`
	History    []*webhookAttemptView `json:"attempt_history,omitempty"`
}

type webhookAttemptView struct {
	Number    int       `json:"number"`
	At        time.Time `json:"at"`
	Status    int       `json:"status_code"`
	LatencyMS int64     `json:"latency_ms"`
	Excerpt   string    `json:"response_excerpt,omitempty"`
	Error     string    `json:"error,omitempty"`
	Verdict   string    `json:"verdict"`
}

func deliveryView(d *model.WebhookDelivery) *webhookDeliveryView {
	return &webhookDeliveryView{ID: d.ID, Endpoint: d.EndpointID, Type: d.Type, EventID: d.EventID, MessageID: d.MessageID,
		Status: d.Status, Attempts: d.Attempts, NextAt: d.NextAt, LastReason: d.LastReason, CreatedAt: d.CreatedAt,
		UpdatedAt: d.UpdatedAt}
}

func (h *Handler) listWebhooks(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	eps, err := h.svc.WebhookEndpoints(r.Context(), p.Workspace)
	views := make([]*webhookEndpointView, len(eps))
	for i, e := range eps {
		views[i] = endpointView(e)
	}
	h.respond(w, r, http.StatusOK, map[string]any{"items": views}, err)
}

func (h *Handler) createWebhook(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	var in service.WebhookEndpointInput
	if err := decode(r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	c, err := h.svc.CreateWebhookEndpoint(r.Context(), p.Workspace, &in)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	v := endpointView(c.Endpoint)
	v.Secret = c.Secret
	w.Header().Set("Location", "/v1/webhooks/"+c.Endpoint.ID)
	writeJSON(w, http.StatusCreated, v)
}

func (h *Handler) getWebhook(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	e, err := h.svc.WebhookEndpoint(r.Context(), p.Workspace, r.PathValue("id"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, endpointView(e))
}

func (h *Handler) putWebhook(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	var in service.WebhookEndpointInput
	if err := decode(r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	e, err := h.svc.UpdateWebhookEndpoint(r.Context(), p.Workspace, r.PathValue("id"), &in)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, endpointView(e))
}

func (h *Handler) deleteWebhook(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	err := h.svc.DeleteWebhookEndpoint(r.Context(), p.Workspace, r.PathValue("id"))
	h.respond(w, r, http.StatusNoContent, nil, err)
}

type rotateInput struct {
	// OverlapSeconds is how long the previous secret keeps signing
	// (0: a day).
	OverlapSeconds int64 `json:"overlap_seconds"`
}

func (h *Handler) rotateWebhook(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	var in rotateInput
	if err := decodeOptional(r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	if in.OverlapSeconds < 0 || in.OverlapSeconds > int64(service.MaxWebhookOverlap/time.Second) {
		h.writeError(w, r, &service.ValidationError{Fields: []service.FieldError{{Field: "overlap_seconds",
			Code: service.CodeInvalid, Detail: "use 0 (a day) to " + strconv.Itoa(int(service.MaxWebhookOverlap/time.Second)) + " seconds"}}})
		return
	}
	c, err := h.svc.RotateWebhookSecret(r.Context(), p.Workspace, r.PathValue("id"), time.Duration(in.OverlapSeconds)*time.Second)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	v := endpointView(c.Endpoint)
	v.Secret = c.Secret
	writeJSON(w, http.StatusOK, v)
}

type stateInput struct {
	State string `json:"state"`
}

func (h *Handler) setWebhookState(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	var in stateInput
	if err := decode(r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	e, err := h.svc.SetWebhookEndpointState(r.Context(), p.Workspace, r.PathValue("id"), in.State)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, endpointView(e))
}

// deliveryFilter reads the filters of GET /v1/webhook-deliveries.
func deliveryFilter(r *http.Request) (store.WebhookDeliveryListParams, error) {
	q := r.URL.Query()
	p := store.WebhookDeliveryListParams{EndpointID: q.Get("endpoint"), EventID: q.Get("event"),
		MessageID: q.Get("message"), Status: q.Get("status"), Limit: 100}
	var errs []service.FieldError
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > service.MaxWebhookReplay {
			errs = append(errs, service.FieldError{Field: "limit", Code: service.CodeInvalid,
				Detail: "use a number from 1 to " + strconv.Itoa(service.MaxWebhookReplay)})
		}
		p.Limit = n
	}
	for _, f := range []struct {
		name string
		dst  **time.Time
	}{{"from", &p.From}, {"to", &p.To}} {
		if v := q.Get(f.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				errs = append(errs, service.FieldError{Field: f.name, Code: service.CodeInvalid,
					Detail: "use an RFC 3339 time, e.g. 2026-12-06T09:00:00Z"})
				continue
			}
			*f.dst = &t
		}
	}
	if len(errs) > 0 {
		return p, &service.ValidationError{Fields: errs}
	}
	return p, nil
}

func (h *Handler) listWebhookDeliveries(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	f, err := deliveryFilter(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	ds, err := h.svc.WebhookDeliveries(r.Context(), p.Workspace, f)
	views := make([]*webhookDeliveryView, len(ds))
	for i, d := range ds {
		views[i] = deliveryView(d)
	}
	h.respond(w, r, http.StatusOK, map[string]any{"items": views}, err)
}

func (h *Handler) getWebhookDelivery(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	d, err := h.svc.WebhookDelivery(r.Context(), p.Workspace, r.PathValue("id"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	v := deliveryView(d.Delivery)
	v.Payload = json.RawMessage(d.Delivery.Payload)
	for _, a := range d.Attempts {
		v.History = append(v.History, &webhookAttemptView{Number: a.Number, At: a.At, Status: a.StatusCode,
			LatencyMS: a.Latency.Milliseconds(), Excerpt: a.Excerpt, Error: a.Error, Verdict: a.Verdict})
	}
	writeJSON(w, http.StatusOK, v)
}

func (h *Handler) replayWebhookDelivery(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	d, err := h.svc.ReplayWebhookDelivery(r.Context(), p.Workspace, r.PathValue("id"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, deliveryView(d))
}

type replayRangeInput struct {
	From     time.Time `json:"from"`
	To       time.Time `json:"to"`
	Endpoint string    `json:"endpoint"`
	// All replays every delivery of the range, not only failed ones.
	All bool `json:"all"`
}

func (h *Handler) replayWebhookRange(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	var in replayRangeInput
	if err := decode(r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	n, err := h.svc.ReplayWebhookDeliveries(r.Context(), p.Workspace, in.Endpoint, in.From, in.To, in.All)
	h.respond(w, r, http.StatusAccepted, map[string]int{"queued": n}, err)
}
