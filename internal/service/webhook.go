package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/herold-dev/herold/internal/delivery"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
	"github.com/herold-dev/herold/internal/webhook"
)

// WebhookConfig wires the service's webhooks.
type WebhookConfig struct {
	// Enqueue queues the attempts of a delivery under a lease in the
	// transaction that stores it with that lease (the job system's
	// EnqueueWebhookTx). Without it endpoints can be managed but nothing
	// is queued.
	Enqueue func(ctx context.Context, tx store.Tx, workspaceID int64, deliveryID, lease string) error
	// Sender posts the payloads (its guard refuses private addresses and
	// http unless the operator allows them). Default: a Sender with the
	// safe defaults.
	Sender *webhook.Sender
	// Guard checks endpoint URLs when they are saved; it should be the
	// Sender's.
	Guard webhook.Guard
	// Policy is the retry policy. Default e-mail's: 30 s doubling to 1 h,
	// for 24 h.
	Policy delivery.Policy
	// BreakerAfter failed attempts in a row pause an endpoint. Default 20.
	BreakerAfter int
	// Jitter draws retry jitter in [0, 1). Default math/rand.
	Jitter func() float64
}

// Limits of webhook input.
const (
	maxWebhookEndpoints = 50
	maxWebhookPatterns  = 50
	// MaxWebhookReplay bounds the deliveries one replay of a time range
	// queues again.
	MaxWebhookReplay = 1000
	// DefaultWebhookOverlap is how long the previous secret keeps signing
	// after a rotation; MaxWebhookOverlap bounds what a caller asks.
	DefaultWebhookOverlap = 24 * time.Hour
	MaxWebhookOverlap     = 7 * 24 * time.Hour
)

// webhooks holds what the service needs to deliver webhooks; the sealer
// and deliverer are made on first use (the seal key is in the database).
type webhooks struct {
	cfg       WebhookConfig
	logger    *slog.Logger
	mu        sync.Mutex
	sealer    *webhook.Sealer
	deliverer *webhook.Deliverer
}

func (s *Service) webhookParts(ctx context.Context) (*webhook.Sealer, *webhook.Deliverer, error) {
	w := s.webhooks
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.deliverer != nil {
		return w.sealer, w.deliverer, nil
	}
	sealer, err := webhook.LoadSealer(ctx, s.store, s.now())
	if err != nil {
		return nil, nil, err
	}
	sender := w.cfg.Sender
	if sender == nil {
		sender = webhook.NewSender(webhook.SenderConfig{Guard: w.cfg.Guard})
	}
	d, err := webhook.NewDeliverer(webhook.DelivererConfig{Store: s.store, Sender: sender, Sealer: sealer, Clock: s.clock,
		Jitter: w.cfg.Jitter, Policy: w.cfg.Policy, BreakerAfter: w.cfg.BreakerAfter, OnPause: s.tellWebhookPaused,
		Logger: w.logger, Metrics: s.metrics})
	if err != nil {
		return nil, nil, err
	}
	w.sealer, w.deliverer = sealer, d
	return sealer, d, nil
}

// WebhookEndpointInput is what an admin sets on an endpoint.
type WebhookEndpointInput struct {
	URL         string   `json:"url"`
	Description string   `json:"description"`
	EventTypes  []string `json:"event_types"`
	Outcomes    []string `json:"outcomes"`
}

// WebhookEndpointCreated is a new endpoint with its secret, shown this
// once.
type WebhookEndpointCreated struct {
	Endpoint *model.WebhookEndpoint
	Secret   string
}

func (s *Service) checkWebhookEndpoint(c *checker, in *WebhookEndpointInput) {
	if in.URL == "" {
		c.add("url", CodeRequired, "is required")
	} else if err := s.webhooks.cfg.Guard.CheckURL(in.URL); err != nil {
		c.add("url", CodeInvalid, "%s", err.Error())
	}
	c.text("description", in.Description, 500)
	if len(in.EventTypes) > maxWebhookPatterns {
		c.add("event_types", CodeTooMany, "use at most %d patterns", maxWebhookPatterns)
	}
	for i, p := range in.EventTypes {
		f := fmt.Sprintf("event_types[%d]", i)
		name, _ := strings.CutSuffix(p, ".*")
		if p != "*" && !model.ValidName(name) {
			c.add(f, CodeInvalid, "%q is not an event type or pattern; use a type, a prefix with .* (booking.*) or *", p)
		}
	}
	for i, o := range in.Outcomes {
		if !slices.Contains(webhook.Outcomes, o) {
			c.add(fmt.Sprintf("outcomes[%d]", i), CodeInvalid, "%q is not a message outcome; use one of %s", o, strings.Join(webhook.Outcomes, ", "))
		}
	}
	// No subscription at all is an endpoint for notifications' webhook
	// channel only.
}

// CreateWebhookEndpoint registers an endpoint with a new secret, returned
// this once (it is stored sealed).
func (s *Service) CreateWebhookEndpoint(ctx context.Context, ws *model.Workspace, in *WebhookEndpointInput) (*WebhookEndpointCreated, error) {
	var c checker
	s.checkWebhookEndpoint(&c, in)
	if err := c.err(); err != nil {
		return nil, err
	}
	sealer, _, err := s.webhookParts(ctx)
	if err != nil {
		return nil, err
	}
	list, err := s.store.WebhookEndpointList(ctx, ws.ID)
	if err != nil {
		return nil, err
	}
	if len(list) >= maxWebhookEndpoints {
		return nil, &ConflictError{Detail: fmt.Sprintf("a workspace has at most %d webhook endpoints; delete one first", maxWebhookEndpoints)}
	}
	now, secret := s.now(), webhook.NewSecret()
	e := &model.WebhookEndpoint{ID: "whe_" + newID(), WorkspaceID: ws.ID, URL: in.URL, Description: in.Description,
		EventTypes: orEmpty(in.EventTypes), Outcomes: orEmpty(in.Outcomes), State: model.WebhookActive,
		CreatedAt: now, UpdatedAt: now}
	e.Secret = sealer.Seal(ws.ID, e.ID, secret)
	if err := s.store.WebhookEndpointInsert(ctx, e); err != nil {
		return nil, err
	}
	return &WebhookEndpointCreated{Endpoint: e, Secret: secret}, nil
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// WebhookEndpoints lists the workspace's endpoints.
func (s *Service) WebhookEndpoints(ctx context.Context, ws *model.Workspace) ([]*model.WebhookEndpoint, error) {
	return s.store.WebhookEndpointList(ctx, ws.ID)
}

// WebhookEndpoint returns one endpoint.
func (s *Service) WebhookEndpoint(ctx context.Context, ws *model.Workspace, id string) (*model.WebhookEndpoint, error) {
	e, err := s.store.WebhookEndpointGet(ctx, ws.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound("webhook endpoint %q", id)
	}
	return e, err
}

// UpdateWebhookEndpoint changes an endpoint's URL, description and
// subscriptions; its secret and state stay.
func (s *Service) UpdateWebhookEndpoint(ctx context.Context, ws *model.Workspace, id string, in *WebhookEndpointInput) (*model.WebhookEndpoint, error) {
	var c checker
	s.checkWebhookEndpoint(&c, in)
	if err := c.err(); err != nil {
		return nil, err
	}
	e, err := s.WebhookEndpoint(ctx, ws, id)
	if err != nil {
		return nil, err
	}
	e.URL, e.Description, e.EventTypes, e.Outcomes = in.URL, in.Description, orEmpty(in.EventTypes), orEmpty(in.Outcomes)
	e.UpdatedAt = s.now()
	return e, s.store.WebhookEndpointUpdate(ctx, e)
}

// DeleteWebhookEndpoint deletes an endpoint with its deliveries.
func (s *Service) DeleteWebhookEndpoint(ctx context.Context, ws *model.Workspace, id string) error {
	err := s.store.WebhookEndpointDelete(ctx, ws.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound("webhook endpoint %q", id)
	}
	return err
}

// RotateWebhookSecret gives an endpoint a new secret, returned this
// once. The previous one keeps signing for overlap (0: a day; at most a
// week), so deliveries carry both signatures until the receiver has
// switched.
func (s *Service) RotateWebhookSecret(ctx context.Context, ws *model.Workspace, id string, overlap time.Duration) (*WebhookEndpointCreated, error) {
	if overlap < 0 || overlap > MaxWebhookOverlap {
		var c checker
		c.add("overlap_seconds", CodeInvalid, "use 0 to %d seconds", int(MaxWebhookOverlap.Seconds()))
		return nil, c.err()
	}
	if overlap == 0 {
		overlap = DefaultWebhookOverlap
	}
	sealer, _, err := s.webhookParts(ctx)
	if err != nil {
		return nil, err
	}
	e, err := s.WebhookEndpoint(ctx, ws, id)
	if err != nil {
		return nil, err
	}
	now, secret := s.now(), webhook.NewSecret()
	until := now.Add(overlap)
	e.PreviousSecret, e.PreviousUntil, e.Secret, e.UpdatedAt = e.Secret, &until, sealer.Seal(ws.ID, e.ID, secret), now
	if err := s.store.WebhookEndpointUpdate(ctx, e); err != nil {
		return nil, err
	}
	return &WebhookEndpointCreated{Endpoint: e, Secret: secret}, nil
}

// SetWebhookEndpointState resumes a paused or disabled endpoint
// (active), queueing its pending deliveries again, or disables one.
func (s *Service) SetWebhookEndpointState(ctx context.Context, ws *model.Workspace, id, state string) (*model.WebhookEndpoint, error) {
	if state != model.WebhookActive && state != model.WebhookDisabled {
		var c checker
		c.add("state", CodeInvalid, "%q is not a state an admin sets; use active or disabled", state)
		return nil, c.err()
	}
	reason := ""
	if state == model.WebhookDisabled {
		reason = "disabled by an admin"
	}
	if _, err := s.store.WebhookEndpointSetState(ctx, &store.WebhookStateParams{WorkspaceID: ws.ID, ID: id, To: state,
		Reason: reason, At: s.now()}); err != nil {
		return nil, err
	}
	e, err := s.WebhookEndpoint(ctx, ws, id)
	if err != nil {
		return nil, err
	}
	if state == model.WebhookActive {
		pending, err := s.store.WebhookDeliveryList(ctx, &store.WebhookDeliveryListParams{WorkspaceID: ws.ID, EndpointID: id,
			Status: model.DeliveryPending, Limit: MaxWebhookReplay})
		if err != nil {
			return nil, err
		}
		if err := s.requeueWebhooks(ctx, pending); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// requeueWebhooks queues the given deliveries for an attempt now.
func (s *Service) requeueWebhooks(ctx context.Context, ds []*model.WebhookDelivery) error {
	if s.webhooks.cfg.Enqueue == nil || len(ds) == 0 {
		return nil
	}
	now := s.now()
	return s.store.WithTx(ctx, func(tx store.Tx) error {
		for _, d := range ds {
			old := d.Lease
			d.Status, d.NextAt, d.UpdatedAt, d.Lease = model.DeliveryPending, &now, now, newID()
			err := tx.WebhookDeliveryUpdate(ctx, &store.WebhookDeliveryUpdateParams{Delivery: d, Lease: old})
			if errors.Is(err, store.ErrNotFound) {
				return &ConflictError{Detail: fmt.Sprintf("webhook delivery %s changed meanwhile (an attempt finished); try again", d.ID)}
			}
			if err != nil {
				return err
			}
			if err := s.webhooks.cfg.Enqueue(ctx, tx, d.WorkspaceID, d.ID, d.Lease); err != nil {
				return fmt.Errorf("queue webhook delivery %s: %w", d.ID, err)
			}
		}
		return nil
	})
}

// WebhookDeliveries lists deliveries, newest first.
func (s *Service) WebhookDeliveries(ctx context.Context, ws *model.Workspace, p store.WebhookDeliveryListParams) ([]*model.WebhookDelivery, error) {
	p.WorkspaceID = ws.ID
	p.Limit = min(max(p.Limit, 1), MaxWebhookReplay)
	return s.store.WebhookDeliveryList(ctx, &p)
}

// WebhookDeliveryDetail is a delivery with its attempts.
type WebhookDeliveryDetail struct {
	Delivery *model.WebhookDelivery
	Attempts []*model.WebhookAttempt
}

// WebhookDelivery returns a delivery with its attempts.
func (s *Service) WebhookDelivery(ctx context.Context, ws *model.Workspace, id string) (*WebhookDeliveryDetail, error) {
	d, err := s.store.WebhookDeliveryGet(ctx, ws.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound("webhook delivery %q", id)
	}
	if err != nil {
		return nil, err
	}
	as, err := s.store.WebhookAttemptList(ctx, ws.ID, id)
	return &WebhookDeliveryDetail{Delivery: d, Attempts: as}, err
}

// ReplayWebhookDelivery sends a delivery again, whatever became of it,
// with the same webhook-id (a receiver that de-duplicates by id sees the
// replay as the same message).
func (s *Service) ReplayWebhookDelivery(ctx context.Context, ws *model.Workspace, id string) (*model.WebhookDelivery, error) {
	d, err := s.store.WebhookDeliveryGet(ctx, ws.ID, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound("webhook delivery %q", id)
	}
	if err != nil {
		return nil, err
	}
	return d, s.requeueWebhooks(ctx, []*model.WebhookDelivery{d})
}

// ReplayWebhookDeliveries sends the deliveries created in [from, to)
// again (of one endpoint when set; only failed ones unless all), at most
// MaxWebhookReplay, and returns how many.
func (s *Service) ReplayWebhookDeliveries(ctx context.Context, ws *model.Workspace, endpoint string, from, to time.Time, all bool) (int, error) {
	if !from.Before(to) {
		var c checker
		c.add("to", CodeInvalid, "must be after from")
		return 0, c.err()
	}
	p := &store.WebhookDeliveryListParams{WorkspaceID: ws.ID, EndpointID: endpoint, From: &from, To: &to, Limit: MaxWebhookReplay}
	if !all {
		p.Status = model.DeliveryFailed
	}
	ds, err := s.store.WebhookDeliveryList(ctx, p)
	if err != nil {
		return 0, err
	}
	return len(ds), s.requeueWebhooks(ctx, ds)
}

// DeliverWebhook makes one attempt of a delivery (the job system calls
// it) and returns how long until the next (0: none).
func (s *Service) DeliverWebhook(ctx context.Context, workspaceID int64, id, lease string) (time.Duration, error) {
	_, d, err := s.webhookParts(ctx)
	if err != nil {
		return 0, err
	}
	res, err := d.Deliver(ctx, workspaceID, id, lease)
	if err != nil || res.Decision.Verdict != webhook.Retry {
		return 0, err
	}
	return max(res.Decision.Next.Sub(s.now()), time.Millisecond), nil
}

// purgeWebhookDeliveries deletes a workspace's deliveries older than its
// retention, as events and messages are.
func (s *Service) purgeWebhookDeliveries(ctx context.Context, ws *model.Workspace, before time.Time) error {
	total, err := purgeAll(ctx, ws.ID, before, s.store.WebhookDeliveryPurge)
	if err != nil {
		return fmt.Errorf("purge webhook deliveries of workspace %s: %w", ws.Key, err)
	}
	if total > 0 {
		s.logger.InfoContext(ctx, "purged old webhook deliveries", "workspace", ws.Key, "deliveries", total, "before", before)
	}
	return nil
}
