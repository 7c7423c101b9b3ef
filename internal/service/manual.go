package service

import (
	"context"
	"errors"
	"fmt"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/plan"
	"github.com/herold-dev/herold/internal/store"
)

// ManualInput is a notification sent by hand, outside any flow.
type ManualInput struct {
	Template   string
	Recipients []model.Recipient
	CC, BCC    []model.Recipient
	// Category defaults to transactional.
	Category string
	// Event carries the project, object, actors and data the template and
	// role recipients see; its type defaults to "manual".
	Event EventInput
}

// SendManual sends a template to chosen recipients, recorded as a manual
// event and explained like any other.
func (s *Service) SendManual(ctx context.Context, ws *model.Workspace, in *ManualInput) (*IngestResult, error) {
	n := &model.Notification{Key: "manual", EventType: "manual", Template: in.Template, Recipients: in.Recipients,
		CC: in.CC, BCC: in.BCC, Category: in.Category}
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
	var res *IngestResult
	err := s.store.WithTx(ctx, func(tx store.Tx) error {
		if err := r.check(ctx, tx, ws.ID, &c); err != nil {
			return err
		}
		if err := c.err(); err != nil {
			return err
		}
		var err error
		res, err = s.manualTx(ctx, tx, ws, n, &in.Event)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.recordIngest(res)
	return res, nil
}

func (s *Service) manualTx(ctx context.Context, tx store.Tx, ws *model.Workspace, n *model.Notification, in *EventInput) (*IngestResult, error) {
	if in.IdempotencyKey != "" {
		if res, err := s.existing(ctx, tx, ws, in.IdempotencyKey); err == nil || !errors.Is(err, store.ErrNotFound) {
			return res, err
		}
	}
	now := s.now()
	for _, ct := range in.Contacts {
		ct.CreatedAt, ct.UpdatedAt = now, now
	}
	if err := tx.ContactUpsertMany(ctx, ws.ID, in.Contacts); err != nil {
		return nil, fmt.Errorf("save inline contacts: %w", err)
	}
	ev := &model.Event{ID: newID(), Type: in.Type, Project: in.Project, Object: in.Object, Actors: in.Actors,
		Contact: in.Contact, Data: in.Data, OccurredAt: now, ReceivedAt: now, IdempotencyKey: in.IdempotencyKey,
		Source: model.SourceManual}
	if ev.Actors == nil {
		ev.Actors = map[string][]string{}
	}
	if ev.Data == nil {
		ev.Data = map[string]any{}
	}
	sn, err := s.loadSnapshot(ctx, tx, ws, ev)
	if err != nil {
		return nil, err
	}
	sn.flow = nil
	ids := plan.ContactIDs(ev, sn.project, sn.object, &model.Flow{Notifications: []model.Notification{*n}})
	if sn.contacts, err = tx.ContactGetMany(ctx, ws.ID, ids); err != nil {
		return nil, fmt.Errorf("load contacts: %w", err)
	}
	if sn.templates, err = tx.TemplateGetMany(ctx, ws.ID, []string{n.Template}); err != nil {
		return nil, fmt.Errorf("load template: %w", err)
	}
	out := plan.PlanManual(ctx, sn.input(ws, ev, now), n, s.evaluator())
	msgs := s.materialize(ctx, ws, ev, sn, &out, now)
	ev.Trace = out.Trace
	if err := tx.EventInsert(ctx, ws.ID, ev); err != nil {
		return nil, fmt.Errorf("save event: %w", err)
	}
	if err := tx.MessageInsertMany(ctx, ws.ID, msgs); err != nil {
		return nil, fmt.Errorf("save messages: %w", err)
	}
	res := &IngestResult{Event: ev, Messages: msgs}
	var p pending
	p.add(ws, res)
	return res, s.flush(ctx, tx, &p)
}
