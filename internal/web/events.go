package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

type eventFilter struct {
	Project string
	Type    string
	Contact string
	// Silent ("?silent=1") keeps the events that sent nothing, since the
	// day Since (YYYY-MM-DD; default 30 days back, which bounds the scan).
	Silent bool
	Since  string
}

type eventsPage struct {
	Filter   eventFilter
	Events   []*model.Event
	NextURL  string
	Projects []*model.Project
	// Outcomes sums up each event's messages (by event id).
	Outcomes map[string]service.EventOutcome
	// Labels names each event's project or broadcast.
	Labels *scopeLabels
}

func (h *Handler) events(w http.ResponseWriter, r *http.Request, rq *request) {
	ws, q := rq.p.Workspace, r.URL.Query()
	f := eventFilter{Project: q.Get("project"), Type: strings.TrimSpace(q.Get("type")), Contact: strings.TrimSpace(q.Get("contact")),
		Silent: q.Get("silent") == "1", Since: q.Get("since")}
	ef := service.EventFilter{Project: f.Project, Type: f.Type, Contact: f.Contact, Silent: f.Silent,
		PageParams: service.PageParams{After: q.Get("after")}}
	if f.Silent {
		since, ok := parseDay(f.Since, ws.Location())
		if !ok || since == nil {
			now := h.svc.Now().In(ws.Location())
			d := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, ws.Location()).AddDate(0, 0, -dashboardDays+1)
			since, f.Since = &d, d.Format("2006-01-02")
		}
		ef.Since = since
	}
	pg, err := h.svc.EventList(r.Context(), ws, ef)
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	page := &eventsPage{Filter: f, Events: pg.Items}
	if page.Outcomes, err = h.svc.EventOutcomes(r.Context(), ws, pg.Items); err != nil {
		h.fail(w, r, rq, err)
		return
	}
	if pg.Next != "" {
		nq := url.Values{}
		for k, vs := range q {
			nq[k] = vs
		}
		nq.Set("after", pg.Next)
		page.NextURL = "/events?" + nq.Encode()
	}
	if page.Projects, err = h.allProjects(r, ws); err != nil {
		h.fail(w, r, rq, err)
		return
	}
	v := h.newView(r, rq, "events", "web.events.title")
	page.Labels = h.newScopeLabels(r.Context(), v.L, ws, page.Projects, eventBroadcasts(page.Events))
	v.Page = page
	h.render(w, r, http.StatusOK, "events", v)
}

type eventPage struct {
	X *service.EventExplanation
	// Project is the event's project; nil when it does not exist.
	Project *model.Project
	// Flows lets the admin assign a flow right here when the project has
	// none.
	Flows []*model.Flow
	// Broadcast is the broadcast that emitted the event; nil for others.
	Broadcast *scopeLabel
}

// event shows an event with "why (not) sent?": the explain trace as
// sentences in the user's language, and its messages.
func (h *Handler) event(w http.ResponseWriter, r *http.Request, rq *request) {
	ws := rq.p.Workspace
	x, err := h.svc.ExplainEvent(r.Context(), ws, r.PathValue("id"), rq.lang)
	if err != nil {
		h.fail(w, r, rq, err)
		return
	}
	page := &eventPage{X: x}
	v := h.newView(r, rq, "events", "")
	if key, ok := service.BroadcastOfEvent(x.Event); ok {
		b := h.newScopeLabels(r.Context(), v.L, ws, nil, []string{key}).Event(x.Event)
		page.Broadcast = &b
	} else if p, err := h.svc.ProjectGet(r.Context(), ws, x.Event.Project); err == nil {
		page.Project = p
		if p.Flow == "" {
			if page.Flows, err = h.allFlows(r, ws); err != nil {
				h.fail(w, r, rq, err)
				return
			}
		}
	}
	v.Title = v.L.T("web.event.title", "type", v.L.TermText(model.VocabEventTypes, x.Event.Type))
	v.Page = page
	h.render(w, r, http.StatusOK, "event", v)
}
