package service

import (
	"context"

	"github.com/herold-dev/herold/internal/model"
)

// EventSample is the data a template would see for a past event, for the
// template editor's preview: the event, its data, project, object, contact
// and actors as they are now, and as the recipient the event's contact or
// else its first actor. The time roots (now, today) and the workspace are
// left out: the preview sets them.
func (s *Service) EventSample(ctx context.Context, ws *model.Workspace, id string) (map[string]any, error) {
	ev, err := s.EventGet(ctx, ws, id)
	if err != nil {
		return nil, err
	}
	in := model.DataInput{Workspace: ws, Event: ev, Now: s.now(), Actors: map[string][]*model.Contact{}}
	// Records deleted since the event are left out, as the planner would
	// find them missing.
	if in.Project, err = s.ProjectGet(ctx, ws, ev.Project); err != nil && !isNotFound(err) {
		return nil, err
	}
	if ev.Object != nil {
		if in.Object, err = s.ObjectGet(ctx, ws, *ev.Object); err != nil && !isNotFound(err) {
			return nil, err
		}
	}
	if ev.Contact != "" {
		if in.Contact, err = s.ContactGet(ctx, ws, ev.Contact); err != nil && !isNotFound(err) {
			return nil, err
		}
	}
	recipient := in.Contact
	for _, role := range sortedKeys(ev.Actors) {
		for _, cid := range ev.Actors[role] {
			c, err := s.ContactGet(ctx, ws, cid)
			if isNotFound(err) {
				continue
			}
			if err != nil {
				return nil, err
			}
			in.Actors[role] = append(in.Actors[role], c)
			if recipient == nil {
				recipient = c
			}
		}
	}
	data := model.WithRecipient(model.NewData(in), recipient.Data())
	delete(data, model.RootNow)
	delete(data, model.RootToday)
	delete(data, model.RootWorkspace)
	return data, nil
}
