package web

import (
	"cmp"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/herold-dev/herold/internal/explain"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

// testRoutes are the routes of "Testen": a payload for a flow or one
// notification, its dry run (the planner as for a real event, nothing
// stored or sent) and a test send to one typed address.
func (h *Handler) testRoutes() []route {
	return []route{
		{"GET /flows/{key}/test", signedIn, h.testPage},
		{"POST /flows/{key}/test", signedIn, h.testPage},
		{"GET /flows/{key}/notifications/{nkey}/test", signedIn, h.testPage},
		{"POST /flows/{key}/notifications/{nkey}/test", signedIn, h.testPage},
	}
}

// Bounds of the test page.
const (
	// recentTestEvents is how many recent events of the type the payload
	// can be taken from.
	recentTestEvents = 5
	// maxTestPayload bounds the payload an admin types (the API's event
	// data is bounded the same way by the service's checks).
	maxTestPayload = 256 << 10
	// fromGenerated chooses the payload generated from the placeholders.
	fromGenerated = "generated"
)

// testPayload is what the payload editor holds: an event as the API takes
// it, without its type (the notification's) and inline contacts.
type testPayload struct {
	Project string              `json:"project,omitempty"`
	Contact string              `json:"contact,omitempty"`
	Object  *model.ObjectRef    `json:"object,omitempty"`
	Actors  map[string][]string `json:"actors,omitempty"`
	Data    map[string]any      `json:"data"`
}

// testView is the test page.
type testView struct {
	Flow *model.Flow
	// Notification is the notification tested; nil tests the whole flow.
	Notification *model.Notification
	EventType    string
	// EventTypes are the flow's event types (a flow's test picks one).
	EventTypes []string
	// Recent are the latest events of the type in the workspace.
	Recent []*model.Event
	// From is the chosen recent event's id, or fromGenerated.
	From    string
	Payload string
	// PayloadRaw is the JSON decoder's own message for a bad payload.
	PayloadRaw string
	To         string
	// Result is the dry run's explanation.
	Result *service.EventExplanation
}

// Action is the page's form action.
func (t *testView) Action() string {
	a := "/flows/" + pathEscape(t.Flow.Key)
	if t.Notification != nil {
		a += "/notifications/" + pathEscape(t.Notification.Key)
	}
	return a + "/test"
}

// testPage shows the payload editor (GET, or POST action=load to take
// another event's payload), runs the dry run (action=dry_run) or sends the
// test (action=send, then on to the event's explanation).
func (h *Handler) testPage(w http.ResponseWriter, r *http.Request, rq *request) {
	ws := rq.p.Workspace
	l := &localizer{cat: h.cat, lang: rq.lang, loc: ws.Location()}
	t, err := h.testSubject(r, ws)
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	if t.EventType == "" { // a flow without notifications has nothing to test
		redirect(w, r, "/flows/"+pathEscape(t.Flow.Key), "")
		return
	}
	recent, err := h.svc.EventList(r.Context(), ws, service.EventFilter{Type: t.EventType,
		PageParams: service.PageParams{Limit: recentTestEvents}})
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	t.Recent = recent.Items
	action := r.PostFormValue("action")
	if r.Method == http.MethodGet || action == "load" {
		t.From = r.FormValue("from")
		if t.Payload, err = h.testPayloadFor(r, ws, t); err != nil {
			h.fail(w, r, rq, err)
			return
		}
		t.To = r.FormValue("to")
		h.renderTest(w, r, rq, http.StatusOK, t, nil)
		return
	}
	t.From, t.Payload, t.To = r.PostFormValue("from"), r.PostFormValue("payload"), strings.TrimSpace(r.PostFormValue("to"))
	errs := fieldErrors{}
	in, ok := parseTestPayload(l, t, errs)
	if !ok {
		h.renderTest(w, r, rq, http.StatusUnprocessableEntity, t, errs)
		return
	}
	if action == "send" {
		h.sendTest(w, r, rq, l, t, in)
		return
	}
	x, err := h.svc.DryRun(r.Context(), ws, in, rq.lang)
	if err != nil {
		if errs, ok := formErrors(l, err, payloadField); ok {
			h.renderTest(w, r, rq, http.StatusUnprocessableEntity, t, errs)
			return
		}
		h.fail(w, r, rq, err)
		return
	}
	if t.Notification != nil {
		onlyNotification(x, t.Notification.Key)
	}
	for i := range x.Steps {
		x.Steps[i].Message = "" // nothing was stored: no message to open
	}
	t.Result = x
	h.renderTest(w, r, rq, http.StatusOK, t, nil)
}

// sendTest sends the tested notification to the one typed address and
// shows the event it made, whose explanation says it was a test.
func (h *Handler) sendTest(w http.ResponseWriter, r *http.Request, rq *request, l *localizer, t *testView, in *service.EventInput) {
	errs := fieldErrors{}
	if t.Notification == nil {
		errs.add("to", l.T("web.test.send_choose"))
	}
	if t.To == "" {
		errs.add("to", l.T("web.test.to_required"))
	}
	if errs.Any() {
		h.renderTest(w, r, rq, http.StatusUnprocessableEntity, t, errs)
		return
	}
	res, err := h.svc.TestSend(r.Context(), rq.p.Workspace, &service.TestSendInput{Flow: t.Flow.Key,
		Notification: t.Notification.Key, To: t.To, By: rq.p.User.Email, Event: *in})
	if err != nil {
		var verr *service.ValidationError
		if errors.As(err, &verr) {
			for _, f := range verr.Fields {
				if f.Field == "to" {
					errs.add("to", l.T("web.test.to_invalid"))
				} else {
					field, _, _ := payloadField(f.Field)
					errs.add(field, fieldMessage(l, f))
				}
			}
			h.renderTest(w, r, rq, http.StatusUnprocessableEntity, t, errs)
			return
		}
		h.fail(w, r, rq, err)
		return
	}
	h.logger.InfoContext(r.Context(), "test send", "workspace", rq.p.Workspace.Key, "flow", t.Flow.Key,
		"notification", t.Notification.Key, "event", res.Event.ID, "user", rq.p.User.ID)
	redirect(w, r, "/events/"+pathEscape(res.Event.ID), "test_sent")
}

// payloadField puts every problem of the event on the payload editor.
func payloadField(string) (string, string, bool) { return "payload", "", true }

// testSubject loads the flow and notification the path names and the
// event type tested.
func (h *Handler) testSubject(r *http.Request, ws *model.Workspace) (*testView, error) {
	f, err := h.svc.FlowGet(r.Context(), ws, r.PathValue("key"))
	if err != nil {
		return nil, err
	}
	t := &testView{Flow: f}
	if nkey := r.PathValue("nkey"); nkey != "" {
		for i := range f.Notifications {
			if f.Notifications[i].Key == nkey {
				t.Notification = &f.Notifications[i]
			}
		}
		if t.Notification == nil {
			return nil, &service.NotFoundError{What: "notification " + nkey}
		}
		t.EventType = t.Notification.EventType
		return t, nil
	}
	for _, n := range f.Notifications {
		if !slices.Contains(t.EventTypes, n.EventType) {
			t.EventTypes = append(t.EventTypes, n.EventType)
		}
	}
	slices.Sort(t.EventTypes)
	t.EventType = r.FormValue("type")
	if !slices.Contains(t.EventTypes, t.EventType) && len(t.EventTypes) > 0 {
		t.EventType = t.EventTypes[0]
	}
	return t, nil
}

// testPayloadFor is the payload the editor starts with: the chosen recent
// event's (by default the latest), else one generated from the
// placeholders the templates of the type's notifications use, in a
// project that uses the flow.
func (h *Handler) testPayloadFor(r *http.Request, ws *model.Workspace, t *testView) (string, error) {
	if t.From == "" && len(t.Recent) > 0 {
		t.From = t.Recent[0].ID
	}
	for _, ev := range t.Recent {
		if ev.ID == t.From {
			return marshalPayload(testPayload{Project: ev.Project, Contact: ev.Contact, Object: ev.Object,
				Actors: ev.Actors, Data: ev.Data}), nil
		}
	}
	t.From = fromGenerated
	p := testPayload{}
	projects, err := h.allProjects(r, ws)
	if err != nil {
		return "", err
	}
	for _, pr := range projects {
		if pr.Flow == t.Flow.Key {
			p.Project = pr.Key
			break
		}
	}
	var contents []model.TemplateContent
	for _, n := range t.Flow.Notifications {
		if n.EventType != t.EventType || (t.Notification != nil && n.Key != t.Notification.Key) {
			continue
		}
		tmpl, err := h.svc.TemplateGet(r.Context(), ws, n.Template)
		if err != nil {
			continue // a missing template is the dry run's to explain
		}
		for _, c := range tmpl.Locales {
			contents = append(contents, c)
		}
	}
	p.Data = placeholderFields(contents...)["data"]
	return marshalPayload(p), nil
}

func marshalPayload(p testPayload) string {
	if len(p.Actors) == 0 {
		p.Actors = nil
	}
	if p.Data == nil {
		p.Data = map[string]any{}
	}
	b, _ := json.MarshalIndent(p, "", "  ")
	return string(b)
}

// parseTestPayload reads the payload editor into an event of the tested
// type; a mistake is added to errs with its line and column.
func parseTestPayload(l *localizer, t *testView, errs fieldErrors) (*service.EventInput, bool) {
	if len(t.Payload) > maxTestPayload {
		errs.add("payload", l.T("web.test.too_large", "kb", maxTestPayload>>10))
		return nil, false
	}
	src := normalizeNewlines(t.Payload)
	var p testPayload
	if err := json.Unmarshal([]byte(src), &p); err != nil {
		line, col := jsonErrorPos(src, err)
		errs.add("payload", jsonProblem(l, "web.test.bad_json", line, col, err))
		t.PayloadRaw = err.Error()
		return nil, false
	}
	// A misspelt name ("dta") would be dropped silently.
	dec := json.NewDecoder(strings.NewReader(src))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&testPayload{}); err != nil {
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		errs.add("payload", l.T("web.test.unknown_field", "name", name))
		t.PayloadRaw = err.Error()
		return nil, false
	}
	return &service.EventInput{Type: t.EventType, Project: p.Project, Contact: p.Contact, Object: p.Object,
		Actors: p.Actors, Data: p.Data}, true
}

// onlyNotification keeps the steps and messages of one notification (and
// those of the event as a whole).
func onlyNotification(x *service.EventExplanation, key string) {
	x.Steps = slices.DeleteFunc(x.Steps, func(s explain.Step) bool { return s.Notification != "" && s.Notification != key })
	x.Messages = slices.DeleteFunc(x.Messages, func(m *model.Message) bool { return m.Notification != key })
}

func (h *Handler) renderTest(w http.ResponseWriter, r *http.Request, rq *request, status int, t *testView, errs fieldErrors) {
	name := t.Flow.Name
	if t.Notification != nil {
		name = cmp.Or(t.Notification.Name, t.Notification.Key)
	}
	v := h.newView(r, rq, "flows", "web.test.title", "name", name)
	v.Page = t
	if errs != nil {
		v.Errors = errs
	}
	h.render(w, r, status, "testrun", v)
}
