package service

import (
	"context"
	"fmt"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// Outcome kinds: what became of an event, at a glance.
const (
	OutcomeSent       = "sent"       // at least one message reached a mail server
	OutcomeCaptured   = "captured"   // sent to the capture mailbox only
	OutcomeHeld       = "held"       // a message awaits confirmation
	OutcomeDelivering = "delivering" // messages still queued, sending or retrying
	OutcomeFailed     = "failed"     // a message failed
	OutcomeSuppressed = "suppressed" // messages were planned, all suppressed
	OutcomeDeclined   = "declined"   // all declined or expired
	OutcomeNothing    = "nothing"    // no message at all (Reason says why)
)

// EventOutcome sums up an event's messages for a list row.
type EventOutcome struct {
	// Kind is one of the Outcome* constants; the most pressing wins
	// (failed before held before delivering before sent).
	Kind string
	// Reason, for "suppressed", is the most frequent suppression reason;
	// for "nothing", the trace's step code that explains it (for example
	// "project.no_flow"), or "" when the trace names none.
	Reason string
	// Messages counts the event's messages.
	Messages int
}

// EventOutcomes sums up what became of each event (a page of an event
// list): one query for all messages, and the recorded trace only of the
// events that produced no message.
func (s *Service) EventOutcomes(ctx context.Context, ws *model.Workspace, events []*model.Event) (map[string]EventOutcome, error) {
	if len(events) == 0 {
		return map[string]EventOutcome{}, nil
	}
	ids := make([]string, len(events))
	for i, e := range events {
		ids[i] = e.ID
	}
	counts, err := s.store.MessageCountByEvents(ctx, &store.MessageCountByEventsParams{WorkspaceID: ws.ID, EventIDs: ids})
	if err != nil {
		return nil, fmt.Errorf("count messages of events: %w", err)
	}
	byEvent := map[string][]store.EventMessageCount{}
	for _, c := range counts {
		byEvent[c.EventID] = append(byEvent[c.EventID], c)
	}
	out := make(map[string]EventOutcome, len(events))
	for _, e := range events {
		if cs := byEvent[e.ID]; len(cs) > 0 {
			out[e.ID] = outcomeOfMessages(cs)
			continue
		}
		full, err := s.store.EventGet(ctx, ws.ID, e.ID)
		if err != nil {
			return nil, fmt.Errorf("read trace of event %s: %w", e.ID, err)
		}
		out[e.ID] = EventOutcome{Kind: OutcomeNothing, Reason: string(nothingReason(full.Trace))}
	}
	return out, nil
}

// outcomeOfMessages decides an event's outcome from its message counts.
func outcomeOfMessages(cs []store.EventMessageCount) EventOutcome {
	n := map[string]int{}
	reasons := map[string]int{}
	total := 0
	for _, c := range cs {
		total += c.N
		switch c.Status {
		case model.MsgFailed:
			n[OutcomeFailed] += c.N
		case model.MsgAwaitingConfirmation:
			n[OutcomeHeld] += c.N
		case model.MsgSent:
			if c.Captured {
				n[OutcomeCaptured] += c.N
			} else {
				n[OutcomeSent] += c.N
			}
		case model.MsgSuppressed:
			n[OutcomeSuppressed] += c.N
			reasons[c.Reason] += c.N
		case model.MsgDeclined, model.MsgExpired:
			n[OutcomeDeclined] += c.N
		default: // planned, queued, sending, retrying, approved
			n[OutcomeDelivering] += c.N
		}
	}
	o := EventOutcome{Messages: total}
	for _, k := range []string{OutcomeFailed, OutcomeHeld, OutcomeDelivering, OutcomeSent, OutcomeCaptured, OutcomeSuppressed, OutcomeDeclined} {
		if n[k] > 0 {
			o.Kind = k
			break
		}
	}
	if o.Kind == OutcomeSuppressed {
		best := -1
		for r, c := range reasons {
			if c > best || c == best && r < o.Reason {
				o.Reason, best = r, c
			}
		}
	}
	return o
}

// nothingSteps are the trace steps that say why an event sent nothing,
// the most fundamental first.
var nothingSteps = []model.StepCode{
	model.StepProjectUnknown, model.StepProjectNoFlow, model.StepFlowUnknown, model.StepFlowNoNotification,
	model.StepScheduleExcluded, model.StepConditionError, model.StepConditionFalse, model.StepNotificationInactive,
	model.StepMessageRenderFailed, model.StepNoRecipients, model.StepRoleEmpty, model.StepNoWatchers, model.StepContactUnknown,
	model.StepNoObject, model.StepNotificationOther,
}

// nothingReason picks the step that best explains an event without
// messages; "" when the trace has none of them.
func nothingReason(trace []model.Step) model.StepCode {
	seen := map[model.StepCode]bool{}
	for _, s := range trace {
		seen[s.Code] = true
	}
	for _, c := range nothingSteps {
		if seen[c] {
			return c
		}
	}
	return ""
}
