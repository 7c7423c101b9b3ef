package httpapi

import (
	"net/http"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

// simulateInput is the body of POST /v1/flows/{key}/simulate.
type simulateInput struct {
	Events []eventInput `json:"events"`
	Until  *time.Time   `json:"until"`
}

// simulationView is the timeline a simulation returns.
type simulationView struct {
	Flow     string                 `json:"flow"`
	From     time.Time              `json:"from"`
	Until    time.Time              `json:"until"`
	Events   []simulatedEventView   `json:"events"`
	Messages []simulatedMessageView `json:"messages"`
}

// simulatedEventView is one input event with the decision's explanation.
type simulatedEventView struct {
	Index      int       `json:"index"`
	Type       string    `json:"type"`
	Project    string    `json:"project"`
	OccurredAt time.Time `json:"occurred_at"`
	Summary    string    `json:"summary"`
	Steps      any       `json:"steps"`
}

// simulatedMessageView is one message of the timeline.
type simulatedMessageView struct {
	Event    int       `json:"event"`
	Outcome  string    `json:"outcome"`
	At       time.Time `json:"at"`
	Category string    `json:"category"`
	// messageSummary carries the channel.
	messageSummary
}

func (h *Handler) simulateFlow(w http.ResponseWriter, r *http.Request, p *service.Principal) {
	var in simulateInput
	if err := decode(r, &in); err != nil {
		h.writeError(w, r, err)
		return
	}
	sin := &service.SimulateInput{Events: make([]*service.EventInput, len(in.Events))}
	for i := range in.Events {
		sin.Events[i] = in.Events[i].service()
	}
	if in.Until != nil {
		sin.Until = in.Until.UTC()
	}
	sim, err := h.svc.Simulate(r.Context(), p.Workspace, r.PathValue("key"), sin, lang(r))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, simulationOf(sim))
}

func simulationOf(sim *service.Simulation) simulationView {
	v := simulationView{Flow: sim.Flow, From: sim.From, Until: sim.Until,
		Events: make([]simulatedEventView, len(sim.Events)), Messages: make([]simulatedMessageView, len(sim.Messages))}
	for i, e := range sim.Events {
		v.Events[i] = simulatedEventView{Index: e.Index, Type: e.Event.Type, Project: e.Event.Project,
			OccurredAt: e.Event.OccurredAt.UTC(), Summary: e.Explanation.Summary, Steps: e.Explanation.Steps}
	}
	for i, m := range sim.Messages {
		v.Messages[i] = simulatedMessageView{Event: m.Event, Outcome: m.Outcome, At: m.At,
			Category: m.Message.Category, messageSummary: summarize([]*model.Message{m.Message})[0]}
	}
	return v
}
