package service

import (
	"context"
	"errors"
	"fmt"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// ScheduleHandled reports whether the events a schedule emits would lead to
// any message: its project uses a flow, and that flow has a notification
// for the schedule's event type that is not inactive (active, or waiting
// for confirmation). When it is false, a run emits events and sends
// nothing; the cockpit says so before saving, in the preview and before
// "run now", so nobody is told "sent" when nothing would be.
func (s *Service) ScheduleHandled(ctx context.Context, ws *model.Workspace, sc *model.Schedule) (bool, error) {
	p, err := s.store.ProjectGet(ctx, ws.ID, sc.Project)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("look up the schedule's project: %w", err)
	}
	if p.Flow == "" {
		return false, nil
	}
	f, err := s.store.FlowGet(ctx, ws.ID, p.Flow)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("look up the project's flow: %w", err)
	}
	for _, n := range f.Notifications {
		if n.EventType == sc.EventType && n.Status != model.StatusInactive {
			return true, nil
		}
	}
	return false, nil
}
