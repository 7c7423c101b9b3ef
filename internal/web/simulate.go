package web

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

// simulateExamples is how many recent events prefill the simulation form.
const simulateExamples = 3

// simulateScan is how many of the newest events are searched for them.
const simulateScan = 200

// simulateEvent is an event as the simulation form takes it: the API's
// event body with contacts by id (inline contacts are the API's).
type simulateEvent struct {
	Type    string              `json:"type"`
	Project string              `json:"project"`
	Object  *model.ObjectRef    `json:"object,omitempty"`
	Actors  map[string][]string `json:"actors,omitempty"`
	Contact string              `json:"contact,omitempty"`
	Data    map[string]any      `json:"data,omitempty"`
	// OccurredAt is read by simulateTime, so that a value that is not a
	// time is named with its path.
	OccurredAt     json.RawMessage `json:"occurred_at"`
	IdempotencyKey string          `json:"idempotency_key,omitempty"`
}

type simulatePage struct {
	Flow *model.Flow
	// Events is the form's JSON list of events; Until its end time.
	Events, Until string
	// Result is the timeline after a simulation.
	Result *service.Simulation
}

// simulateForm shows the form, prefilled with the flow's recent events.
func (h *Handler) simulateForm(w http.ResponseWriter, r *http.Request, rq *request) {
	f, err := h.svc.FlowGet(r.Context(), rq.p.Workspace, r.PathValue("key"))
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	events, err := h.simulateExample(r, rq.p.Workspace, f)
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	b, _ := json.MarshalIndent(events, "", "  ")
	h.renderSimulate(w, r, rq, http.StatusOK, &simulatePage{Flow: f, Events: string(b)}, nil)
}

// simulateExample returns the newest events of the flow's projects and
// event types, oldest first, or one made-up event when there are none.
func (h *Handler) simulateExample(r *http.Request, ws *model.Workspace, f *model.Flow) ([]simulateEvent, error) {
	projects, err := h.allProjects(r, ws)
	if err != nil {
		return nil, err
	}
	uses := map[string]bool{}
	var first string
	for _, p := range projectsByFlow(projects)[f.Key] {
		uses[p.Key] = true
		first = cmp.Or(first, p.Key)
	}
	types := map[string]bool{}
	for _, n := range f.Notifications {
		types[n.EventType] = true
	}
	pg, err := h.svc.EventList(r.Context(), ws, service.EventFilter{PageParams: service.PageParams{Limit: simulateScan}})
	if err != nil {
		return nil, err
	}
	var out []simulateEvent
	for _, ev := range pg.Items {
		if len(out) == simulateExamples {
			break
		}
		if !uses[ev.Project] || !types[ev.Type] || ev.Source != model.SourceAPI {
			continue
		}
		out = append(out, simulateEvent{Type: ev.Type, Project: ev.Project, Object: ev.Object, Actors: ev.Actors,
			Contact: ev.Contact, Data: ev.Data, OccurredAt: jsonTime(ev.OccurredAt)})
	}
	slices.Reverse(out)
	if len(out) == 0 && len(f.Notifications) > 0 {
		out = append(out, simulateEvent{Type: f.Notifications[0].EventType, Project: first,
			OccurredAt: jsonTime(time.Now().Truncate(time.Minute))})
	}
	return out, nil
}

// simulate runs the form's events and shows the timeline.
func (h *Handler) simulate(w http.ResponseWriter, r *http.Request, rq *request) {
	ws := rq.p.Workspace
	f, err := h.svc.FlowGet(r.Context(), ws, r.PathValue("key"))
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	page := &simulatePage{Flow: f, Events: r.PostFormValue("events"), Until: strings.TrimSpace(r.PostFormValue("until"))}
	l := &localizer{cat: h.cat, lang: rq.lang, loc: ws.Location()}
	errs := fieldErrors{}
	in, ok := parseSimulation(l, page, errs)
	if !ok {
		h.renderSimulate(w, r, rq, http.StatusUnprocessableEntity, page, errs)
		return
	}
	sim, err := h.svc.Simulate(r.Context(), ws, f.Key, in, rq.lang)
	if err != nil {
		var verr *service.ValidationError
		if errors.As(err, &verr) {
			h.renderSimulate(w, r, rq, http.StatusUnprocessableEntity, page, simulateErrors(l, verr))
			return
		}
		h.fail(w, r, rq, err)
		return
	}
	page.Result = sim
	h.renderSimulate(w, r, rq, http.StatusOK, page, nil)
}

// parseSimulation reads the form; problems go to errs. The list is read
// first (a JSON mistake is named by line and column), then each event,
// so that valid JSON with a wrong value is named by its path
// ("events[0].occurred_at").
func parseSimulation(l *localizer, page *simulatePage, errs fieldErrors) (*service.SimulateInput, bool) {
	var raws []json.RawMessage
	if err := json.Unmarshal([]byte(page.Events), &raws); err != nil {
		line, col := jsonErrorPos(page.Events, err)
		errs.add("events", jsonProblem(l, "web.simulate.bad_json", line, col, err))
		return nil, false
	}
	in := &service.SimulateInput{Events: make([]*service.EventInput, len(raws))}
	for i, raw := range raws {
		path := fmt.Sprintf("events[%d]", i)
		var ev simulateEvent
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ev); err != nil {
			errs.add("events", simulateEventProblem(l, path, err))
			continue
		}
		at, ok := simulateTime(ev.OccurredAt)
		if !ok {
			errs.add("events", path+".occurred_at: "+l.T("web.simulate.bad_occurred_at", "value", jsonText(ev.OccurredAt)))
			continue
		}
		in.Events[i] = &service.EventInput{Type: ev.Type, Project: ev.Project, Object: ev.Object, Actors: ev.Actors,
			Contact: ev.Contact, Data: ev.Data, IdempotencyKey: ev.IdempotencyKey, OccurredAt: at}
	}
	if errs.Any() {
		return nil, false
	}
	if page.Until != "" {
		t, err := time.Parse(time.RFC3339, page.Until)
		if err != nil {
			errs.add("until", l.T("web.simulate.bad_until"))
			return nil, false
		}
		in.Until = t.UTC()
	}
	return in, true
}

// simulateEventProblem says what is wrong with the event at path: a
// field it does not have, or a value of the wrong kind (named by its
// path, "events[0].data").
func simulateEventProblem(l *localizer, path string, err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		at := path
		if te.Field != "" {
			at += "." + te.Field
		}
		return at + ": " + l.T("web.json.type", "field", at, "want", l.T(jsonKind(te.Type)))
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name = strings.Trim(name, `"`)
		return path + "." + name + ": " + l.T("web.simulate.unknown_field", "name", name)
	}
	return path + ": " + l.T(jsonHint(err))
}

// simulateTime reads an event's occurred_at: absent or null is the zero
// time (the service asks for it), else a time in RFC 3339.
func simulateTime(raw json.RawMessage) (time.Time, bool) {
	if len(raw) == 0 || string(raw) == "null" {
		return time.Time{}, true
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}

// jsonTime is t as the form shows it: in UTC, in RFC 3339.
func jsonTime(t time.Time) json.RawMessage {
	b, _ := json.Marshal(t.UTC())
	return b
}

// jsonText is a JSON value as an admin typed it, a text without its
// quotes.
func jsonText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// simulateErrors shows the problems of the events at the events field,
// each with its path in the JSON ("events[1].occurred_at: …"), and those
// of until at until.
func simulateErrors(l *localizer, verr *service.ValidationError) fieldErrors {
	errs := fieldErrors{}
	for _, f := range verr.Fields {
		if f.Field == "until" {
			errs.add("until", fieldMessage(l, f))
			continue
		}
		msg := fieldMessage(l, f)
		if strings.HasPrefix(f.Field, "events[") {
			msg = f.Field + ": " + msg
		}
		errs.add("events", msg)
	}
	return errs
}

func (h *Handler) renderSimulate(w http.ResponseWriter, r *http.Request, rq *request, status int, page *simulatePage, errs fieldErrors) {
	v := h.newView(r, rq, "flows", "web.simulate.title", "name", page.Flow.Name)
	v.Page = page
	if errs != nil {
		v.Errors = errs
	}
	h.render(w, r, status, "simulate", v)
}
