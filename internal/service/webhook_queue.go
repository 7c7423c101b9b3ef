package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/herold-dev/herold/internal/ingest"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/plan"
	"github.com/herold-dev/herold/internal/store"
	"github.com/herold-dev/herold/internal/webhook"
)

// webhookPayload is the JSON body of every delivery, in the shape the
// Standard Webhooks specification recommends.
type webhookPayload struct {
	Type      string    `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Data      any       `json:"data"`
}

// WebhookSubject says what a delivery is about.
type WebhookSubject struct {
	// Type is the payload's type: event.received, message.sent, ….
	Type      string
	EventID   string
	MessageID string
	// Data is the payload's data object.
	Data any
}

// QueueWebhook stores a delivery of subject to endpoint e and queues its
// first attempt, in tx: the one way anything reaches a webhook (a
// workspace subscription here; a notification on a webhook channel
// would call it the same way from the ingest transaction).
func (s *Service) QueueWebhook(ctx context.Context, tx store.Tx, e *model.WebhookEndpoint, subj WebhookSubject) error {
	if s.webhooks.cfg.Enqueue == nil || e.State == model.WebhookDisabled {
		return nil
	}
	now := s.now()
	body, err := json.Marshal(webhookPayload{Type: subj.Type, Timestamp: now, Data: subj.Data})
	if err != nil {
		return fmt.Errorf("encode webhook payload: %w", err)
	}
	d := &model.WebhookDelivery{ID: "msg_" + newID(), WorkspaceID: e.WorkspaceID, EndpointID: e.ID, Type: subj.Type,
		EventID: subj.EventID, MessageID: subj.MessageID, Payload: body, Status: model.DeliveryPending, NextAt: &now,
		Lease: newID(), CreatedAt: now, UpdatedAt: now}
	if err := tx.WebhookDeliveryInsert(ctx, d); err != nil {
		return fmt.Errorf("store webhook delivery: %w", err)
	}
	if e.State == model.WebhookPaused {
		return nil // resuming the endpoint queues it
	}
	if err := s.webhooks.cfg.Enqueue(ctx, tx, e.WorkspaceID, d.ID, d.Lease); err != nil {
		return fmt.Errorf("queue webhook delivery: %w", err)
	}
	return nil
}

// webhookWritten queues, in the ingest transaction, the deliveries of
// accepted events to the endpoints subscribed to their types, of the
// messages their planning suppressed, and the posts of the webhook
// channel.
func (s *Service) webhookWritten(ctx context.Context, tx store.Tx, ws int64, written []*ingest.Result) error {
	if s.webhooks.cfg.Enqueue == nil {
		return nil
	}
	events := make([]*model.Event, len(written))
	var msgs []*model.Message
	for i, w := range written {
		events[i] = w.Event
		msgs = append(msgs, w.Messages...)
	}
	if err := s.webhookEvents(ctx, tx, ws, events); err != nil {
		return err
	}
	if err := s.webhookSuppressed(ctx, tx, ws, msgs); err != nil {
		return err
	}
	for _, w := range written {
		for _, h := range w.Webhooks {
			if err := s.webhookChannel(ctx, tx, ws, w.Event, h); err != nil {
				return err
			}
		}
	}
	return nil
}

// channelRecipient is a recipient in the payload of the webhook channel.
type channelRecipient struct {
	ContactID string `json:"contact_id,omitempty"`
	Email     string `json:"email,omitempty"`
	Name      string `json:"name,omitempty"`
	Via       string `json:"via"`
}

// webhookChannel queues the post of the webhook channel planned for
// event ev: the event, the notification and all its recipients, once.
// An endpoint deleted since the flow was saved is logged and skipped.
func (s *Service) webhookChannel(ctx context.Context, tx store.Tx, ws int64, ev *model.Event, h plan.Webhook) error {
	n := h.Notification
	e, err := tx.WebhookEndpointGet(ctx, ws, n.Webhook)
	if errors.Is(err, store.ErrNotFound) {
		s.webhooks.logger.WarnContext(ctx, "webhook channel: the notification's endpoint is gone; nothing posted",
			"workspace", ws, "event", ev.ID, "notification", n.Key, "endpoint", n.Webhook)
		return nil
	}
	if err != nil {
		return fmt.Errorf("load webhook endpoint: %w", err)
	}
	rcpts := make([]channelRecipient, len(h.Recipients))
	for i, r := range h.Recipients {
		rcpts[i] = channelRecipient{ContactID: r.Address.ContactID, Email: r.Address.Email, Name: r.Address.Name, Via: r.Via}
	}
	data := map[string]any{"event": ev, "recipients": rcpts,
		"notification": map[string]any{"key": n.Key, "name": n.Name, "event_type": n.EventType, "category": n.Category}}
	return s.QueueWebhook(ctx, tx, e, WebhookSubject{Type: model.WebhookChannelPost, EventID: ev.ID, Data: data})
}

// webhookEvents queues the deliveries of accepted events to the
// workspace's endpoints subscribed to their types (in the ingest
// transaction).
func (s *Service) webhookEvents(ctx context.Context, tx store.Tx, workspaceID int64, events []*model.Event) error {
	if s.webhooks.cfg.Enqueue == nil {
		return nil
	}
	eps, err := tx.WebhookEndpointList(ctx, workspaceID)
	if err != nil || len(eps) == 0 {
		return err
	}
	for _, ev := range events {
		for _, e := range eps {
			if !webhook.Matches(e.EventTypes, ev.Type) {
				continue
			}
			if err := s.QueueWebhook(ctx, tx, e, WebhookSubject{Type: "event.received", EventID: ev.ID, Data: ev}); err != nil {
				return err
			}
		}
	}
	return nil
}

// WebhookOutcomes queues the deliveries of recorded message outcomes to
// the endpoints subscribed to them, in the transaction that records
// them: sent and failed from the delivery engine, bounced from inbound
// mail, unsubscribed, declined, expired and suppressed from the service.
// Outcomes not applied, and statuses that are no outcome (retrying,
// queued), are skipped.
func (s *Service) WebhookOutcomes(ctx context.Context, tx store.Tx, outcomes []*store.MessageOutcome, applied []bool) error {
	if s.webhooks.cfg.Enqueue == nil {
		return nil
	}
	endpoints := map[int64][]*model.WebhookEndpoint{}
	for i, o := range outcomes {
		if (applied != nil && !applied[i]) || !slices.Contains(webhook.Outcomes, string(o.To)) {
			continue
		}
		eps, ok := endpoints[o.WorkspaceID]
		if !ok {
			var err error
			if eps, err = tx.WebhookEndpointList(ctx, o.WorkspaceID); err != nil {
				return err
			}
			endpoints[o.WorkspaceID] = eps
		}
		for _, e := range eps {
			if !slices.Contains(e.Outcomes, string(o.To)) {
				continue
			}
			data := map[string]any{"message_id": o.ID, "status": o.To, "attempts": o.Attempts, "at": o.At}
			if o.Reason != "" {
				data["reason"] = o.Reason
			}
			if o.LastReply != "" {
				data["reply"] = o.LastReply
			}
			if err := s.QueueWebhook(ctx, tx, e, WebhookSubject{Type: "message." + string(o.To), MessageID: o.ID, Data: data}); err != nil {
				return err
			}
		}
	}
	return nil
}

// webhookOutcome queues the deliveries of one message outcome (status
// st, why) recorded in tx.
func (s *Service) webhookOutcome(ctx context.Context, tx store.Tx, ws int64, id string, st model.MessageStatus, why string, at time.Time) error {
	return s.WebhookOutcomes(ctx, tx, []*store.MessageOutcome{{WorkspaceID: ws, ID: id, To: st, Reason: why, At: at}}, nil)
}

// webhookSuppressed queues the deliveries of the messages an event's
// planning suppressed, in the ingest transaction.
func (s *Service) webhookSuppressed(ctx context.Context, tx store.Tx, ws int64, msgs []*model.Message) error {
	var outcomes []*store.MessageOutcome
	for _, m := range msgs {
		if m.Status == model.MsgSuppressed {
			outcomes = append(outcomes, &store.MessageOutcome{WorkspaceID: ws, ID: m.ID, To: m.Status, Reason: m.Reason, At: m.CreatedAt})
		}
	}
	return s.WebhookOutcomes(ctx, tx, outcomes, nil)
}

// WebhookPausedTemplateKey is the template of the mail that tells a
// workspace's admins the breaker paused an endpoint; created on first
// use, editable like any template.
const WebhookPausedTemplateKey = "webhook-paused"

var webhookPausedTemplate = model.Template{
	Key: WebhookPausedTemplateKey, Name: "Webhook pausiert / Webhook paused",
	Locales: map[string]model.TemplateContent{
		"de": {
			Subject: `Webhook pausiert: {{ .data.url }}`,
			Text: `Herold hat den Webhook-Endpunkt {{ .data.url }} ({{ .data.endpoint }}) pausiert:
{{ .data.reason }}

Neue Zustellungen warten, bis der Endpunkt fortgesetzt wird (Cockpit: Webhooks, oder
POST /v1/webhooks/{{ .data.endpoint }}/state mit {"state":"active"}).
`,
		},
		"en": {
			Subject: `Webhook paused: {{ .data.url }}`,
			Text: `Herold paused the webhook endpoint {{ .data.url }} ({{ .data.endpoint }}):
{{ .data.reason }}

New deliveries wait until the endpoint is resumed (cockpit: Webhooks, or
POST /v1/webhooks/{{ .data.endpoint }}/state with {"state":"active"}).
`,
		},
	},
}

// maxPausedRecipients bounds the admins one pause mail goes to.
const maxPausedRecipients = 20

// tellWebhookPaused mails the workspace's cockpit users that the breaker
// paused an endpoint, through the ordinary path (a manual event, planned,
// queued and delivered like any mail, and explained).
func (s *Service) tellWebhookPaused(ctx context.Context, e *model.WebhookEndpoint, reason string) {
	log := s.webhooks.logger.With("workspace", e.WorkspaceID, "endpoint", e.ID)
	if err := s.mailWebhookPaused(ctx, e, reason); err != nil {
		log.WarnContext(ctx, "could not tell the admins about a paused webhook endpoint", "error", err)
	}
}

func (s *Service) mailWebhookPaused(ctx context.Context, e *model.WebhookEndpoint, reason string) error {
	ws, err := s.store.WorkspaceGetByID(ctx, e.WorkspaceID)
	if err != nil {
		return err
	}
	users, err := s.store.UserList(ctx, ws.ID)
	if err != nil {
		return err
	}
	var to []model.Recipient
	for _, u := range users[:min(len(users), maxPausedRecipients)] {
		to = append(to, model.Recipient("email:"+u.Email))
	}
	if len(to) == 0 {
		return fmt.Errorf("workspace %s has no cockpit users to tell", ws.Key)
	}
	if err := s.ensureTemplate(ctx, s.store, ws, &webhookPausedTemplate, nil); err != nil {
		return err
	}
	_, err = s.SendManual(ctx, ws, &ManualInput{Template: WebhookPausedTemplateKey, Recipients: to,
		Event: EventInput{Type: "webhook.paused", IdempotencyKey: "webhook-paused:" + e.ID + ":" + s.now().Format(time.RFC3339),
			Data: map[string]any{"endpoint": e.ID, "url": e.URL, "reason": reason}}})
	return err
}
