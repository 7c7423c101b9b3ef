package store

import (
	"context"

	"github.com/herold-dev/herold/internal/model"
)

// RunMatchQueries lists a schedule run's matches one by one (the run
// report only counts them).
type RunMatchQueries interface {
	// ScheduleRunMatchList returns a page of the events a run emitted in
	// event id order, each with whom it is about and its messages as
	// they stand now.
	ScheduleRunMatchList(ctx context.Context, p *RunMatchListParams) ([]*RunMatch, error)
}

// RunMatchListParams page a run's matches.
type RunMatchListParams struct {
	WorkspaceID int64
	RunID       string
	// After is the event id the previous page ended with ("" for the
	// first page).
	After string
	Limit int
	// Excluded keeps only the excluded matches.
	Excluded bool
	// Statuses, when not empty, keeps only the matches not excluded that
	// have a message in one of these statuses.
	Statuses []model.MessageStatus
}

// RunMatch is one event a schedule run emitted.
type RunMatch struct {
	EventID string
	// Excluded is why the event was excluded (see RunEvent); "" when it
	// was not.
	Excluded string
	// ContactID, Name and Email are the contact the event is about ("" when
	// none, or the contact is gone: then only ContactID is set).
	ContactID, Name, Email string
	// ObjectCollection and ObjectID are the object it is about, if any.
	ObjectCollection, ObjectID string
	Messages                   []RunMatchMessage
}

// RunMatchMessage is a message of a run's event.
type RunMatchMessage struct {
	ID      string
	Status  model.MessageStatus
	Reason  string
	Channel string
	ToEmail string
	ToName  string
}

// RunMatchMessageRow is a RunMatchMessage with its event, as the drivers
// read them for a page of matches.
type RunMatchMessageRow struct {
	EventID string
	RunMatchMessage
}

// RunMatchEventIDs returns the event ids of a page of matches.
func RunMatchEventIDs(ms []*RunMatch) []string {
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.EventID
	}
	return ids
}

// RunMatchAttach gives each match its messages from rows; every match
// gets a list, empty when it has none.
func RunMatchAttach(ms []*RunMatch, rows []RunMatchMessageRow) {
	by := make(map[string]*RunMatch, len(ms))
	for _, m := range ms {
		m.Messages = []RunMatchMessage{}
		by[m.EventID] = m
	}
	for _, r := range rows {
		if m := by[r.EventID]; m != nil {
			m.Messages = append(m.Messages, r.RunMatchMessage)
		}
	}
}
