package service

import (
	"context"
	"slices"
	"strings"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// Outcomes a run's matches can be filtered by (RunMatchParams.Outcome):
// the match was excluded, or it has a message in one of the outcome's
// statuses.
const (
	RunOutcomeExcluded   = "excluded"
	RunOutcomeSent       = "sent"
	RunOutcomeSuppressed = "suppressed"
	RunOutcomeAwaiting   = "awaiting_confirmation"
	RunOutcomeDeclined   = "declined"
	RunOutcomeFailed     = "failed"
	RunOutcomeQueued     = "queued"
)

// runOutcomeStatuses are the message statuses of each outcome, grouped as
// the run report counts them (RunMail).
var runOutcomeStatuses = map[string][]model.MessageStatus{
	RunOutcomeSent:       {model.MsgSent},
	RunOutcomeSuppressed: {model.MsgSuppressed},
	RunOutcomeAwaiting:   {model.MsgAwaitingConfirmation},
	RunOutcomeDeclined:   {model.MsgDeclined, model.MsgExpired},
	RunOutcomeFailed:     {model.MsgFailed},
	RunOutcomeQueued:     {model.MsgQueued, model.MsgApproved, model.MsgSending, model.MsgRetrying},
}

// RunOutcomes lists the outcomes a run's matches can be filtered by, in
// the order the cockpit offers them.
var RunOutcomes = []string{RunOutcomeSent, RunOutcomeSuppressed, RunOutcomeAwaiting, RunOutcomeDeclined,
	RunOutcomeFailed, RunOutcomeQueued, RunOutcomeExcluded}

// RunMatchParams ask for one page of a run's matches.
type RunMatchParams struct {
	PageParams
	// Outcome keeps only the matches with this outcome (one of
	// RunOutcomes); "" keeps all.
	Outcome string
}

// RunMatch is one record a run matched: whom it is about and what
// became of it.
type RunMatch struct {
	// Event is the event the run emitted for it; its explain page says
	// why it was (not) sent.
	Event string `json:"event"`
	// Contact, Name and Email are the contact it is about, if any (Name
	// and Email are empty when the contact was deleted since).
	Contact string `json:"contact,omitempty"`
	Name    string `json:"name,omitempty"`
	Email   string `json:"email,omitempty"`
	// Object is the object it is about ("collection/id"), if any.
	Object string `json:"object,omitempty"`
	// Excluded is why it was excluded (exclude, opted_out, no_consent,
	// error); "" when it was not.
	Excluded string `json:"excluded,omitempty"`
	// Messages are its messages as they stand now.
	Messages []RunMatchMessage `json:"messages"`
}

// RunMatchMessage is one message of a run's match.
type RunMatchMessage struct {
	ID      string              `json:"id"`
	Status  model.MessageStatus `json:"status"`
	Reason  string              `json:"reason,omitempty"`
	Channel string              `json:"channel"`
	To      string              `json:"to,omitempty"`
}

// ScheduleRunMatches returns a page of the records a run of the schedule
// matched (in event id order), with what became of each.
func (s *Service) ScheduleRunMatches(ctx context.Context, ws *model.Workspace, key, runID string, p RunMatchParams) (*Page[*RunMatch], error) {
	lp := &store.RunMatchListParams{WorkspaceID: ws.ID, RunID: runID}
	switch {
	case p.Outcome == "":
	case p.Outcome == RunOutcomeExcluded:
		lp.Excluded = true
	case runOutcomeStatuses[p.Outcome] != nil:
		lp.Statuses = runOutcomeStatuses[p.Outcome]
	default:
		return nil, &ValidationError{Fields: []FieldError{{Field: "outcome", Code: CodeInvalid,
			Detail: "outcome must be one of " + strings.Join(RunOutcomes, ", ") + ", or empty for all"}}}
	}
	if _, err := s.ScheduleRunGet(ctx, ws, key, runID); err != nil {
		return nil, err
	}
	return page(ctx, p.PageParams, func(m *RunMatch) string { return m.Event },
		func(ctx context.Context, after string, limit int) ([]*RunMatch, error) {
			lp.After, lp.Limit = after, limit
			ms, err := s.store.ScheduleRunMatchList(ctx, lp)
			if err != nil {
				return nil, err
			}
			out := make([]*RunMatch, len(ms))
			for i, m := range ms {
				out[i] = runMatch(m)
			}
			return out, nil
		})
}

// runMatch is the service's view of a stored match.
func runMatch(m *store.RunMatch) *RunMatch {
	out := &RunMatch{Event: m.EventID, Contact: m.ContactID, Name: m.Name, Email: m.Email, Excluded: m.Excluded,
		Messages: make([]RunMatchMessage, len(m.Messages))}
	if m.ObjectID != "" {
		out.Object = m.ObjectCollection + "/" + m.ObjectID
	}
	for i, msg := range m.Messages {
		to := msg.ToEmail
		if msg.ToName != "" && to != "" {
			to = msg.ToName + " <" + to + ">"
		} else if to == "" {
			to = msg.ToName
		}
		out.Messages[i] = RunMatchMessage{ID: msg.ID, Status: msg.Status, Reason: msg.Reason, Channel: msg.Channel, To: to}
	}
	return out
}

// ValidRunOutcome reports whether o is "" or one of RunOutcomes.
func ValidRunOutcome(o string) bool { return o == "" || slices.Contains(RunOutcomes, o) }
