package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"time"

	"github.com/herold-dev/herold/internal/i18n"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

// actorInput is a contact id or an inline contact to upsert.
type actorInput struct {
	ID      string
	Contact *contactInput
}

func (a *actorInput) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &a.ID)
	}
	var c contactInput
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return err
	}
	a.Contact, a.ID = &c, c.ID
	return nil
}

func (a *actorInput) checkJSON(v any, path string, errs *[]service.FieldError) {
	switch v.(type) {
	case string:
	case map[string]any:
		checkValue(v, reflect.TypeOf(contactInput{}), path, errs)
	default:
		*errs = append(*errs, service.FieldError{Field: path, Code: service.CodeType,
			Detail: "must be a contact id or a contact object, not " + jsonKind(v)})
	}
}

// eventInput is the body of POST /v1/events.
type eventInput struct {
	Type           string                  `json:"type"`
	Project        string                  `json:"project"`
	Object         *model.ObjectRef        `json:"object"`
	Actors         map[string][]actorInput `json:"actors"`
	Contact        *actorInput             `json:"contact"`
	Data           map[string]any          `json:"data"`
	OccurredAt     *time.Time              `json:"occurred_at"`
	IdempotencyKey string                  `json:"idempotency_key"`
}

func (in *eventInput) service() *service.EventInput {
	out := &service.EventInput{Type: in.Type, Project: in.Project, Object: in.Object, Data: in.Data,
		IdempotencyKey: in.IdempotencyKey, Actors: map[string][]string{}}
	if in.OccurredAt != nil {
		out.OccurredAt = in.OccurredAt.UTC()
	}
	// Inline contacts are kept with their place in the request, for
	// error messages; ids alone cost no paths.
	inline := func(c *contactInput, path string) {
		out.Contacts = append(out.Contacts, c.model())
		out.ContactFields = append(out.ContactFields, path)
	}
	roles := make([]string, 0, len(in.Actors))
	for role, list := range in.Actors {
		if len(list) > 0 { // as before: a role without contacts is left out
			roles = append(roles, role)
		}
	}
	slices.Sort(roles)
	for _, role := range roles {
		ids := make([]string, len(in.Actors[role]))
		for i, a := range in.Actors[role] {
			if a.Contact != nil {
				inline(a.Contact, fmt.Sprintf("actors.%s[%d]", role, i))
			}
			ids[i] = a.ID
		}
		out.Actors[role] = ids
	}
	if in.Contact != nil {
		if in.Contact.Contact != nil {
			inline(in.Contact.Contact, "contact")
		}
		out.Contact = in.Contact.ID
	}
	return out
}

// messageSummary is a message as event responses show it.
type messageSummary struct {
	ID           string `json:"id"`
	Notification string `json:"notification,omitempty"`
	Template     string `json:"template"`
	// Channel tells the messages of a notification on several channels
	// apart: "email" or "inapp", one message per recipient and channel.
	Channel   string              `json:"channel"`
	Status    model.MessageStatus `json:"status"`
	Reason    string              `json:"reason,omitempty"`
	To        model.Address       `json:"to"`
	CC        []model.Address     `json:"cc"`
	BCC       []model.Address     `json:"bcc"`
	Subject   string              `json:"subject,omitempty"`
	ExpiresAt *time.Time          `json:"expires_at,omitempty"`
	// LastReply is the mail server's reply to the last attempt, as the
	// message itself shows it: why a failed message failed.
	LastReply string `json:"last_reply,omitempty"`
}

func summarize(ms []*model.Message) []messageSummary {
	out := make([]messageSummary, len(ms))
	for i, m := range ms {
		out[i] = messageSummary{ID: m.ID, Notification: m.Notification, Template: m.Template, Channel: m.Channel, Status: m.Status,
			Reason: m.Reason, To: m.To, CC: nonNilAddrs(m.CC), BCC: nonNilAddrs(m.BCC), Subject: m.Subject, ExpiresAt: m.ExpiresAt,
			LastReply: m.LastReply}
	}
	return out
}

func nonNilAddrs(a []model.Address) []model.Address {
	if a == nil {
		return []model.Address{}
	}
	return a
}

// eventResult is the answer to an accepted event.
type eventResult struct {
	ID         string           `json:"id"`
	Duplicate  bool             `json:"duplicate"`
	ReceivedAt time.Time        `json:"received_at"`
	Messages   []messageSummary `json:"messages"`
}

func resultOf(r *service.IngestResult) eventResult {
	return eventResult{ID: r.Event.ID, Duplicate: r.Duplicate, ReceivedAt: r.Event.ReceivedAt, Messages: summarize(r.Messages)}
}

func (h *Handler) postEvent(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	var in eventInput
	if err := decode(r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	res, err := h.svc.Ingest(r.Context(), p.Workspace, in.service())
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

// errBatchTimeout is the cause of a batch's context that ran out of
// time (Config.BatchTimeout).
var errBatchTimeout = errors.New("the batch took longer than the server allows for one request (--http-write-timeout); nothing was accepted: send fewer events per batch")

type batchInput struct {
	Events []eventInput `json:"events"`
}

type batchItem struct {
	Index int `json:"index"`
	*eventResult
	Errors []service.FieldError `json:"errors,omitempty"`
}

func (h *Handler) postEventBatch(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	var in batchInput
	if err := decode(r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	ins := make([]*service.EventInput, len(in.Events))
	for i := range in.Events {
		ins[i] = in.Events[i].service()
	}
	ctx := r.Context()
	if h.batchTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, h.batchTimeout, errBatchTimeout)
		defer cancel()
	}
	// A batch stops planning once its client is gone or its time is up:
	// the work could not be answered.
	items, err := h.svc.IngestBatch(ctx, p.Workspace, ins)
	if err != nil && errors.Is(context.Cause(ctx), errBatchTimeout) && r.Context().Err() == nil {
		w.Header().Set("Retry-After", "1")
		writeProblem(w, Problem{Type: problemOverloaded, Title: "Overloaded", Status: http.StatusServiceUnavailable,
			Detail: errBatchTimeout.Error()})
		return
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := make([]batchItem, len(items))
	for i, it := range items {
		out[i] = batchItem{Index: i, Errors: it.Errors}
		if it.Result != nil {
			res := resultOf(it.Result)
			out[i].eventResult = &res
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": out})
}

func (h *Handler) listEvents(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	if err := narrowRead(r, p); err != nil {
		h.writeError(w, r, err)
		return
	}
	pp, err := h.pageParams(r, p)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	since, until, err := timeRange(r)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	pg, err := h.svc.EventList(r.Context(), p.Workspace, service.EventFilter{Project: q.Get("project"), Type: q.Get("type"),
		Contact: q.Get("contact"), Since: since, Until: until, PageParams: pp})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writePage(h, w, r, p, pg)
}

// eventView is an event with its messages.
type eventView struct {
	*model.Event
	Messages []messageSummary `json:"messages"`
}

func (h *Handler) getEvent(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	ev, err := h.svc.EventGet(r.Context(), p.Workspace, r.PathValue("id"))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	msgs, err := h.svc.EventMessages(r.Context(), p.Workspace, ev.ID)
	h.respond(w, r, http.StatusOK, eventView{ev, summarize(msgs)}, err)
}

// explainView is the answer of both explain endpoints.
type explainView struct {
	EventID  string           `json:"event_id,omitempty"`
	Language string           `json:"language"`
	Summary  string           `json:"summary"`
	Steps    any              `json:"steps"`
	Messages []messageSummary `json:"messages"`
	// Webhooks are the event's webhook deliveries (not for a dry run).
	Webhooks []*webhookDeliveryView `json:"webhooks,omitempty"`
}

func explainOf(ex *service.EventExplanation) explainView {
	v := explainView{EventID: ex.EventID, Language: ex.Language, Summary: ex.Summary, Steps: ex.Steps, Messages: summarize(ex.Messages)}
	for _, d := range ex.Webhooks {
		v.Webhooks = append(v.Webhooks, deliveryView(d))
	}
	return v
}

func lang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l != "" {
		return i18n.Normalize(l)
	}
	return i18n.Negotiate(r.Header.Get("Accept-Language"))
}

func (h *Handler) explainEvent(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	ex, err := h.svc.ExplainEvent(r.Context(), p.Workspace, r.PathValue("id"), lang(r))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Language", ex.Language)
	writeJSON(w, http.StatusOK, explainOf(ex))
}

func (h *Handler) dryRun(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	var in eventInput
	if err := decode(r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	ex, err := h.svc.DryRun(r.Context(), p.Workspace, in.service(), lang(r))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Language", ex.Language)
	writeJSON(w, http.StatusOK, explainOf(ex))
}

// timeRange reads ?since= and ?until= (RFC 3339).
func timeRange(r *http.Request) (since, until *time.Time, err error) {
	for _, f := range []struct {
		name string
		dst  **time.Time
	}{{"since", &since}, {"until", &until}} {
		v := r.URL.Query().Get(f.name)
		if v == "" {
			continue
		}
		t, perr := time.Parse(time.RFC3339, v)
		if perr != nil {
			return nil, nil, &service.ValidationError{Fields: []service.FieldError{{Field: f.name, Code: service.CodeInvalid,
				Detail: "must be a timestamp in RFC 3339 form, e.g. 2026-03-01T00:00:00Z"}}}
		}
		*f.dst = &t
	}
	return since, until, nil
}
