package service

import (
	"context"
	"fmt"

	"github.com/herold-dev/herold/internal/explain"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// EventExplanation is an event with the explanation of what it sent.
type EventExplanation struct {
	Event    *model.Event
	Messages []*model.Message
	// Webhooks are the webhook deliveries the event caused (newest
	// first, at most maxExplainWebhooks); none for a dry run.
	Webhooks []*model.WebhookDelivery
	*explain.Explanation
}

// maxExplainWebhooks bounds the webhook deliveries an explanation lists.
const maxExplainWebhooks = 100

// ExplainEvent explains a past event from what was recorded: the planner's
// trace and the messages' current states.
func (s *Service) ExplainEvent(ctx context.Context, ws *model.Workspace, id, lang string) (*EventExplanation, error) {
	ev, err := s.EventGet(ctx, ws, id)
	if err != nil {
		return nil, err
	}
	msgs, err := s.EventMessages(ctx, ws, id)
	if err != nil {
		return nil, fmt.Errorf("load messages: %w", err)
	}
	// The list omits timelines; explain needs them.
	for i, m := range msgs {
		full, err := s.store.MessageGet(ctx, ws.ID, m.ID)
		if err != nil {
			return nil, fmt.Errorf("load message %s: %w", m.ID, err)
		}
		full.HTML, full.Text = "", ""
		msgs[i] = full
	}
	hooks, err := s.store.WebhookDeliveryList(ctx, &store.WebhookDeliveryListParams{WorkspaceID: ws.ID, EventID: id,
		Limit: maxExplainWebhooks})
	if err != nil {
		return nil, fmt.Errorf("load webhook deliveries: %w", err)
	}
	digests, err := s.store.DigestListByEvent(ctx, ws.ID, id)
	if err != nil {
		return nil, fmt.Errorf("load digests: %w", err)
	}
	ex := s.explainer.Build(ev, msgs, lang, ws.Location())
	s.explainer.AddDigests(ex, digests, msgs, ws.Location())
	s.explainer.AddWebhooks(ex, hooks, ws.Location())
	return &EventExplanation{Event: ev, Messages: msgs, Webhooks: hooks, Explanation: ex}, nil
}

// DryRun plans a hypothetical event without storing or sending anything and
// explains the decision. Inline contacts are used but not saved.
func (s *Service) DryRun(ctx context.Context, ws *model.Workspace, in *EventInput, lang string) (*EventExplanation, error) {
	var c checker
	checkEvent(&c, "", in)
	if err := c.err(); err != nil {
		return nil, err
	}
	res, err := s.ingest.DryRun(ctx, ws, in)
	if err != nil {
		return nil, err
	}
	ev, msgs := res.Event, res.Messages
	ev.ID = "" // nothing was stored
	for _, m := range msgs {
		m.Timeline = nil
	}
	ex := s.explainer.Build(ev, nil, lang, ws.Location())
	ex.Summary = s.explainer.Build(ev, msgs, lang, ws.Location()).Summary
	return &EventExplanation{Event: ev, Messages: msgs, Explanation: ex}, nil
}
