// Package service holds Herold's operations as the API, the cockpit and the
// CLI use them: validate input, enforce references, call the store, plan and
// queue. Every method takes the caller's workspace; nothing crosses
// workspaces.
package service

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/herold-dev/herold/internal/clock"
	"github.com/herold-dev/herold/internal/condition"
	"github.com/herold-dev/herold/internal/explain"
	"github.com/herold-dev/herold/internal/i18n"
	"github.com/herold-dev/herold/internal/ingest"
	"github.com/herold-dev/herold/internal/metrics"
	"github.com/herold-dev/herold/internal/render"
	"github.com/herold-dev/herold/internal/store"
	"github.com/herold-dev/herold/internal/throttle"
)

// Config wires a Service.
type Config struct {
	Store store.Store
	Clock clock.Clock
	// Logger is the process logger, without a component: the service's
	// own lines get component "service", its parts' theirs ("ingest",
	// "runner"), one per line.
	Logger *slog.Logger
	// Conditions compiles and evaluates CEL conditions.
	Conditions *condition.Env
	// RenderLimits bound template rendering.
	RenderLimits render.Limits
	// Notify is called after messages were queued (committed), so that
	// delivery claims them at once instead of at its next poll.
	Notify func()
	// Delivery, when set, takes messages queued for now without a claim
	// (see ingest.Delivery).
	Delivery ingest.Delivery
	// Capture says mail goes to the capture mailbox (no SMTP server).
	Capture bool
	// MessageIDDomain is the domain of generated Message-IDs; default the
	// sender's domain.
	MessageIDDomain string
	// InboundDomain, when set, gives every message a signed bounce
	// address at this domain as its envelope sender (see verp).
	InboundDomain string
	// Metrics records what happens; nil records nothing.
	Metrics *metrics.Metrics
	// Catalog holds the German and English strings; default the embedded
	// one.
	Catalog *i18n.Catalog
	// BaseURL returns the server's public URL, for links in run reports
	// and the unsubscribe links of mails; without it mails carry no
	// List-Unsubscribe header.
	BaseURL func() string
	// Owner names this process in the leases of the schedule runs it
	// works on; unique per process start. Required with StartRunner.
	Owner string
	// Runs tunes the runner of schedule runs.
	Runs RunnerConfig
	// MaxPendingWrites bounds the writing requests in progress that
	// passed Admit; beyond it Admit fails at once with ErrOverloaded.
	// Default 1000.
	MaxPendingWrites int
	// SignInThrottle tunes the delays after failed cockpit sign-ins (see
	// package throttle for the defaults).
	SignInThrottle throttle.Config
	// Webhooks wires webhook delivery (see WebhookConfig).
	Webhooks WebhookConfig
	// DigestsDue, when set, queues the closing of digests in the
	// transaction that filled one (see ingest.Config.DigestsDue;
	// jobs.EnqueueDigestsTx). Without it a full digest is closed by the
	// periodic job.
	DigestsDue func(ctx context.Context, tx store.Tx) error
	// SimulateTimeout stops a simulation running longer (see Simulate).
	// Default SimulateTimeout.
	SimulateTimeout time.Duration
	// OnHash, when set, is called while a password hash holds one of the
	// hashing slots (one per core): tests hold slots with it to observe
	// the bound.
	OnHash func()
}

// Service implements Herold's operations.
type Service struct {
	// inboundDomain is Config.InboundDomain.
	inboundDomain string
	store         store.Store
	clock         clock.Clock
	logger        *slog.Logger
	conditions    *condition.Env
	limits        render.Limits
	runner        *runner
	// broadcaster sends due broadcasts (same settings as runner).
	broadcaster *broadcaster
	ingest      *ingest.Ingester
	notify      func()
	capture     bool
	metrics     *metrics.Metrics
	explainer   *explain.Explainer
	catalog     *i18n.Catalog
	baseURL     func() string
	admit       chan struct{} // one token per writing request in progress
	hashes      *hashGate
	signIns     *throttle.Throttle
	// keys keeps recently verified API keys (see keyCache).
	keys keyCache

	mu   sync.Mutex
	mar1 *condition.Env // conditions with 29 February on 1 March

	keyMu    sync.Mutex
	unsubKey []byte // signs unsubscribe links; loaded on first use

	webhooks *webhooks

	// messageIDDomain is Config.MessageIDDomain (a simulation's scratch
	// service renders alike); simulations bounds those in progress.
	messageIDDomain string
	simulations     simulationGate

	// counts keeps counts of large runs' and broadcasts' mail for pages
	// that refresh often.
	counts keptCounts
}

// New returns a Service.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil {
		return nil, errors.New("service: store is required")
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Conditions == nil {
		env, err := condition.New()
		if err != nil {
			return nil, err
		}
		cfg.Conditions = env
	}
	if cfg.Notify == nil {
		cfg.Notify = func() {}
	}
	if cfg.MaxPendingWrites <= 0 {
		cfg.MaxPendingWrites = 1000
	}
	if cfg.Catalog == nil {
		cat, err := i18n.New()
		if err != nil {
			return nil, err
		}
		cfg.Catalog = cat
	}
	if cfg.BaseURL == nil {
		cfg.BaseURL = func() string { return "" }
	}
	if cfg.Metrics == nil {
		cfg.Metrics = metrics.Discard()
	}
	var s *Service
	g, err := ingest.New(ingest.Config{Store: cfg.Store, Clock: cfg.Clock, Conditions: cfg.Conditions,
		RenderLimits: cfg.RenderLimits, MessageIDDomain: cfg.MessageIDDomain, Notify: cfg.Notify, Delivery: cfg.Delivery, Metrics: cfg.Metrics,
		Logger: cfg.Logger.With("component", "ingest"), DigestsDue: cfg.DigestsDue,
		AfterEvents: func(ctx context.Context, tx store.Tx, ws int64, written []*ingest.Result) error {
			return s.webhookWritten(ctx, tx, ws, written)
		}})
	if err != nil {
		return nil, err
	}
	s = &Service{store: cfg.Store, clock: cfg.Clock, logger: cfg.Logger.With("component", "service"), ingest: g,
		conditions: cfg.Conditions, limits: cfg.RenderLimits, notify: cfg.Notify, capture: cfg.Capture,
		metrics: cfg.Metrics, explainer: explain.New(cfg.Catalog), catalog: cfg.Catalog, baseURL: cfg.BaseURL,
		admit: make(chan struct{}, cfg.MaxPendingWrites), hashes: newHashGate(cfg.OnHash),
		signIns: throttle.New(cfg.SignInThrottle, cfg.Clock.Now), webhooks: &webhooks{cfg: cfg.Webhooks, logger: cfg.Logger.With("component", "webhook")},
		inboundDomain: cfg.InboundDomain, messageIDDomain: cfg.MessageIDDomain, simulations: newSimulationGate(cfg.SimulateTimeout)}
	s.runner = newRunner(s, cfg.Owner, cfg.Runs, cfg.Logger.With("component", "runner"))
	s.broadcaster = newBroadcaster(s, cfg.Owner, cfg.Runs)
	return s, nil
}

// Start starts group commits of events (see package ingest), the
// runner of schedule runs and the broadcaster.
func (s *Service) Start(context.Context) {
	s.ingest.Start()
	s.runner.start()
	s.broadcaster.start()
}

// Stop interrupts the schedule runs in progress (they go on at the next
// start, from where they stopped), then finishes the queued events and
// stops group commits; later events commit on their own.
func (s *Service) Stop() {
	s.broadcaster.stop()
	s.runner.stop()
	s.ingest.Stop()
}

// Store returns the underlying store (for the app's wiring and tests).
func (s *Service) Store() store.Store { return s.store }

// Page is one page of a list.
type Page[T any] struct {
	Items []T
	// Next is the cursor of the next page, empty on the last page.
	Next string
}

// PageParams ask for one page.
type PageParams struct {
	// After is the cursor returned with the previous page.
	After string
	// Limit is the page size; 0 means DefaultPageSize.
	Limit int
}

// Page sizes.
const (
	DefaultPageSize = 50
	MaxPageSize     = 1000
)

func (p PageParams) limit() int {
	switch {
	case p.Limit <= 0:
		return DefaultPageSize
	case p.Limit > MaxPageSize:
		return MaxPageSize
	}
	return p.Limit
}

// page fetches limit+1 rows to know whether there is a next page.
func page[T any](ctx context.Context, p PageParams, key func(T) string,
	list func(ctx context.Context, after string, limit int) ([]T, error),
) (*Page[T], error) {
	n := p.limit()
	items, err := list(ctx, p.After, n+1)
	if err != nil {
		return nil, err
	}
	out := &Page[T]{Items: items}
	if len(items) > n {
		out.Items = items[:n]
		out.Next = key(items[n-1])
	}
	if out.Items == nil {
		out.Items = []T{}
	}
	return out, nil
}

// mapNotFound turns store.ErrNotFound into a NotFoundError naming what.
func mapNotFound(err error, format string, args ...any) error {
	if errors.Is(err, store.ErrNotFound) {
		return notFound(format, args...)
	}
	return err
}

// Now is the service's clock (for handlers that compute times).
func (s *Service) Now() time.Time { return s.clock.Now() }
