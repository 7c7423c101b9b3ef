package service

import (
	"context"

	"github.com/herold-dev/herold/internal/model"
)

// ManualInput is a notification sent by hand, outside any flow.
type ManualInput struct {
	Template   string
	Recipients []model.Recipient
	CC, BCC    []model.Recipient
	// Category defaults to transactional.
	Category string
	// Channels default to e-mail; "inapp" puts the message into the To
	// contacts' feeds.
	Channels []string
	// Event carries the project, object, actors and data the template and
	// role recipients see; its type defaults to "manual".
	Event EventInput
}

// SendManual sends a template to chosen recipients, recorded as a manual
// event and explained like any other.
func (s *Service) SendManual(ctx context.Context, ws *model.Workspace, in *ManualInput) (*IngestResult, error) {
	return s.sendManual(ctx, ws, in, nil)
}

// sendManual sends in; origin, when set, is recorded as the trace's first
// step instead of the manual step (a test send says so).
func (s *Service) sendManual(ctx context.Context, ws *model.Workspace, in *ManualInput, origin *model.Step) (*IngestResult, error) {
	n := &model.Notification{Key: "manual", EventType: "manual", Template: in.Template, Recipients: in.Recipients,
		CC: in.CC, BCC: in.BCC, Category: in.Category, Channels: in.Channels}
	n.Normalize()
	if in.Event.Type == "" {
		in.Event.Type = "manual"
	}
	if in.Event.Project == "" {
		in.Event.Project = "manual"
	}
	var c checker
	r := newRefs()
	checkEvent(&c, "", &in.Event)
	in.Event.Source = model.SourceManual
	s.checkNotification(&c, r, "", n)
	if err := r.check(ctx, s.store, ws.ID, &c); err != nil {
		return nil, err
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	ev := in.Event
	ev.Manual, ev.Origin = n, origin
	return s.ingest.Accept(ctx, ws, &ev)
}
