package service

import (
	"context"
	"fmt"
	"time"

	"github.com/herold-dev/herold/internal/model"
)

// ScheduleMail is what a schedule would send for one record at an instant:
// the event it would emit, decided by the project's flow and rendered as
// of that instant, with nothing stored or sent.
type ScheduleMail struct {
	Record string    `json:"record"`
	At     time.Time `json:"at"`
	// Matched: the record is due at At; Excluded: it is, but excluded.
	Matched  bool   `json:"matched"`
	Excluded bool   `json:"excluded"`
	Error    string `json:"error,omitempty"`
	// Messages are the messages the event would become: queued ones with
	// their rendered content, suppressed ones with the reason.
	Messages []ScheduleMailMessage `json:"messages"`
}

// ScheduleMailMessage is one message a preview would send.
type ScheduleMailMessage struct {
	To      string              `json:"to"`
	Status  model.MessageStatus `json:"status"`
	Reason  string              `json:"reason,omitempty"`
	Subject string              `json:"subject"`
	Text    string              `json:"text"`
	HTML    string              `json:"html"`
}

// ScheduleMailPreview renders the mail the schedule would send for id
// (a contact id, or an object id of the schedule's collection) at at (zero:
// now): age, days_until and the other helpers count from that day.
func (s *Service) ScheduleMailPreview(ctx context.Context, ws *model.Workspace, key, id string, at time.Time) (*ScheduleMail, error) {
	cs, at, since, err := s.previewSchedule(ctx, ws, key, at)
	if err != nil {
		return nil, err
	}
	sc := cs.sc
	var rec record
	if sc.Source.Kind == model.SourceContacts {
		c, err := s.store.ContactGet(ctx, ws.ID, id)
		if err != nil {
			return nil, mapNotFound(err, "contact %q", id)
		}
		rec.contact = c
	} else {
		o, err := s.store.ObjectGet(ctx, ws.ID, model.ObjectRef{Collection: sc.Source.Collection, ID: id})
		if err != nil {
			return nil, mapNotFound(err, "object %q in %s", id, sc.Source.Collection)
		}
		rec.object = o
	}
	data := scanData(cs, at, since)
	cond, err := cs.cond.Matcher(data, cs.loc)
	if err != nil {
		return nil, fmt.Errorf("condition: %w", err)
	}
	out := &ScheduleMail{Record: id, At: at, Messages: []ScheduleMailMessage{}}
	v := s.evaluate(ctx, cs, cond, data, rec, at)
	switch {
	case v.err != nil:
		out.Error = v.err.Error()
		return out, nil
	case !v.ok:
		return out, nil
	}
	out.Matched, out.Excluded = true, v.m.excluded
	res, err := s.ingest.DryRunAt(ctx, ws, eventFor(sc, "preview", v.m), at)
	if err != nil {
		return nil, err
	}
	for _, m := range res.Messages {
		out.Messages = append(out.Messages, ScheduleMailMessage{To: m.To.Email, Status: m.Status, Reason: m.Reason,
			Subject: m.Subject, Text: m.Text, HTML: m.HTML})
	}
	return out, nil
}
