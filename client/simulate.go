package client

import (
	"context"
	"net/http"
	"time"
)

// Simulation is a request to simulate events at given times through a
// flow (POST /v1/flows/{key}/simulate; docs/simulate.md).
type Simulation struct {
	// Events happen at their OccurredAt, which each must have.
	Events []*Event `json:"events"`
	// Until is where the simulated time ends; nil: the last event's
	// time.
	Until *time.Time `json:"until,omitempty"`
}

// Timeline is what a simulation found would be sent.
type Timeline struct {
	Flow  string    `json:"flow"`
	From  time.Time `json:"from"`
	Until time.Time `json:"until"`
	// Events are the simulated events in the order sent, each with its
	// explanation.
	Events []SimulatedEvent `json:"events"`
	// Messages are by At, then by event.
	Messages []SimulatedMessage `json:"messages"`
}

// SimulatedEvent is one simulated event with the explanation of its
// decision.
type SimulatedEvent struct {
	// Index is the event's position in Simulation.Events.
	Index      int           `json:"index"`
	Type       string        `json:"type"`
	Project    string        `json:"project"`
	OccurredAt time.Time     `json:"occurred_at"`
	Summary    string        `json:"summary"`
	Steps      []ExplainStep `json:"steps"`
}

// Outcomes of a simulated message besides the message statuses it can
// end in (suppressed, awaiting_confirmation, expired).
const (
	// OutcomeSent is a message queued and due by Until: delivery takes
	// it at At.
	OutcomeSent = "sent"
	// OutcomeScheduled is a message queued but due after Until.
	OutcomeScheduled = "scheduled"
)

// SimulatedMessage is one message of a simulation's timeline.
type SimulatedMessage struct {
	// Event is the index of the event that caused it.
	Event int `json:"event"`
	// Outcome is OutcomeSent, OutcomeScheduled or the message's status
	// at Until (with Reason).
	Outcome string `json:"outcome"`
	// At is when it goes out or was decided.
	At       time.Time `json:"at"`
	Channel  string    `json:"channel"`
	Category string    `json:"category"`
	MessageSummary
}

// Simulate runs events at given times through the flow flowKey on a
// scratch copy of the workspace and returns the timeline (an admin key):
// nothing is stored, sent or posted. lang ("de", "en", or "" for the
// server's choice) is the language of the explanations.
func (c *Client) Simulate(ctx context.Context, flowKey string, s *Simulation, lang string) (*Timeline, error) {
	var out Timeline
	err := c.do(ctx, &request{method: http.MethodPost, path: "/v1/flows/" + escape(flowKey) + "/simulate", query: langQuery(lang),
		body: s, out: &out, replayable: true})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
