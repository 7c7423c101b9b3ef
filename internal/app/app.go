// Package app wires Herold together: store, service, jobs, HTTP. main calls
// Run; tests embed the whole server with New and Start on port 0.
package app

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/herold-dev/herold/internal/channel"
	"github.com/herold-dev/herold/internal/channel/smtp"
	"github.com/herold-dev/herold/internal/clock"
	"github.com/herold-dev/herold/internal/config"
	"github.com/herold-dev/herold/internal/delivery"
	"github.com/herold-dev/herold/internal/demo"
	"github.com/herold-dev/herold/internal/httpapi"
	"github.com/herold-dev/herold/internal/httpserver"
	"github.com/herold-dev/herold/internal/inbound"
	"github.com/herold-dev/herold/internal/inbox"
	"github.com/herold-dev/herold/internal/jobs"
	"github.com/herold-dev/herold/internal/metrics"
	"github.com/herold-dev/herold/internal/render"
	"github.com/herold-dev/herold/internal/service"
	"github.com/herold-dev/herold/internal/store"
	"github.com/herold-dev/herold/internal/store/postgres"
	"github.com/herold-dev/herold/internal/store/sqlite"
	"github.com/herold-dev/herold/internal/web"
	"github.com/herold-dev/herold/internal/webhook"
)

// Deps are the dependencies a test may substitute.
type Deps struct {
	// Clock defaults to the system clock.
	Clock clock.Clock
	// Logger defaults to one built from the log options, writing to stderr.
	Logger *slog.Logger
	// Stdout receives the start banner (URL, first key). Default os.Stdout.
	Stdout io.Writer
	// Jobs tunes the job system (poll intervals, rescue); tests shorten
	// them. InsertOnly queues jobs without working them.
	Jobs jobs.Config
	// RunPoll is how often the runner looks for schedule runs queued
	// elsewhere (default 1 s); tests shorten it.
	RunPoll time.Duration
	// DeliveryPoll is how often delivery reads the queue when nothing
	// wakes it (default 500 ms); tests that move a fake clock shorten it.
	DeliveryPoll time.Duration
	// FeedHeartbeat is how often an idle feed stream sends a comment.
	// Default 25s.
	FeedHeartbeat time.Duration
	// NoDelivery starts the server without delivery: events are accepted
	// and their messages queued, but nothing is sent (tests of what a
	// crash before delivery leaves).
	NoDelivery bool
	// NoRunner starts the server without its runner of schedule runs
	// (tests of what a crash in the middle of a run leaves).
	NoRunner bool
	// Lease is how long the leases on messages and schedule runs last
	// (default 30 s); tests of a dead replica's take-over shorten it.
	Lease time.Duration
	// OnHash is called while a password hash holds a hashing slot (see
	// service.Config.OnHash); tests of the bound hold slots with it.
	OnHash func()
}

// BootstrapAdmin is the first cockpit user, created on the first start
// (HEROLD_BOOTSTRAP_ADMIN_EMAIL, HEROLD_BOOTSTRAP_PASSWORD).
type BootstrapAdmin struct {
	// Email defaults to admin@localhost.
	Email string
	// Password fixes the password; empty generates one, printed once.
	Password string
}

// App is a running (or ready to run) Herold server.
type App struct {
	opts config.Options
	// logger is the process logger, without a component; log is the
	// app's own (component "server").
	logger *slog.Logger
	log    *slog.Logger
	clock  clock.Clock
	stdout io.Writer

	store    store.Store
	svc      *service.Service
	jobs     *jobs.Jobs
	sender   channel.Sender
	delivery *delivery.Dispatcher
	inbox    *inbox.Inbox
	// inbound is the inbound mail listener; nil without --inbound-addr.
	inbound *inbound.Server
	// imap polls the --inbound-imap mailbox; nil without it.
	imap     *inbound.Poller
	registry *prometheus.Registry
	metrics  *metrics.Metrics
	// owner names this process in the leases it takes.
	owner      string
	noDelivery bool

	server   *http.Server
	listener net.Listener
	// listenAddr is the listener's address once it listens: read by
	// Addr from any goroutine (delivery composes links with URL while
	// Start runs).
	listenAddr atomic.Pointer[string]
	// maxConns is the bound on HTTP connections in force (0: none).
	maxConns int
	serveErr chan error

	stopOnce sync.Once
	admin    BootstrapAdmin
	// Bootstrapped reports what the first start created.
	Bootstrapped *service.Bootstrapped
	// BootstrapUser is the first cockpit user when this start created it
	// (its Password is set when generated).
	BootstrapUser *service.UserCreated
	// DemoUser is the demo workspace's cockpit user when this start
	// created it.
	DemoUser *service.UserCreated
	// Demo reports the demo workspace (with --demo).
	Demo *demo.Loaded
}

// New opens and migrates the database and builds the server. Nothing
// listens until Start.
func New(ctx context.Context, opts config.Options, deps Deps) (*App, error) {
	opts = opts.WithDefaults()
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	opts, err := opts.ReadSecrets()
	if err != nil {
		return nil, err
	}
	a := &App{opts: opts, clock: deps.Clock, noDelivery: deps.NoDelivery, stdout: deps.Stdout, logger: deps.Logger, admin: BootstrapAdmin{Email: opts.BootstrapAdminEmail, Password: opts.BootstrapPassword}}
	if p := a.admin.Password; p != "" && utf8.RuneCountInString(p) < service.MinPasswordLength {
		return nil, fmt.Errorf("--bootstrap-password (HEROLD_BOOTSTRAP_PASSWORD) needs at least %d characters", service.MinPasswordLength)
	}
	if a.clock == nil {
		a.clock = clock.Real{}
	}
	if a.stdout == nil {
		a.stdout = os.Stdout
	}
	if a.logger == nil {
		a.logger = NewLogger(os.Stderr, opts.LogFormat, opts.LogLevel)
	}
	a.log = a.logger.With("component", "server")
	if err := a.build(ctx, deps); err != nil {
		a.closeAll()
		return nil, err
	}
	apiLog, cockpitLog := a.logger.With("component", "api"), a.logger.With("component", "cockpit")
	api := httpapi.New(httpapi.Config{
		Service: a.svc, Logger: apiLog, Ready: a.ready,
		MaxBodyBytes: opts.MaxBodyBytes, MaxBulkBodyBytes: opts.MaxBulkBodyBytes,
		MaxBulkRequests: opts.MaxBulkRequests, Inbox: a.inbox, BatchTimeout: opts.HTTP.WriteTimeout,
	})
	proxies, _ := opts.TrustedProxyPrefixes() // checked by Validate
	cockpit, err := web.New(web.Config{Service: a.svc, Logger: cockpitLog, Feed: a.inbox,
		SecureCookies: strings.HasPrefix(opts.BaseURL, "https://"), TrustedProxies: proxies})
	if err != nil {
		a.closeAll()
		return nil, err
	}
	observedAPI := httpserver.Observe(api, httpserver.ObserveConfig{Handler: "api", Route: api.Route,
		Logger: apiLog, Metrics: a.metrics})
	observedCockpit := httpserver.Observe(cockpit, httpserver.ObserveConfig{Handler: "cockpit", Route: cockpit.Route,
		Logger: cockpitLog, Metrics: a.metrics})
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metrics.Handler(a.registry, a.logger.With("component", "metrics")))
	mux.Handle("/v1/", observedAPI)
	mux.Handle("/healthz", observedAPI)
	mux.Handle("/readyz", observedAPI)
	mux.Handle("/", observedCockpit)
	a.server = httpserver.New(mux, opts.HTTP, slog.NewLogLogger(a.logger.With("component", "http").Handler(), slog.LevelWarn))
	// Feed streams end when shutdown starts, so that it need not wait
	// for them; the browsers reconnect (to another replica, or to this
	// server once it is back) and resume.
	a.server.RegisterOnShutdown(a.inbox.Close)
	return a, nil
}

// build opens the database and creates the jobs, the sender and the
// service.
func (a *App) build(ctx context.Context, deps Deps) error {
	opts := a.opts
	a.registry = prometheus.NewRegistry()
	a.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	qs := &queueStats{}
	m := metrics.New(a.registry, qs, a.clock.Now)
	a.metrics = m
	st, err := OpenStoreWith(ctx, opts.Database, postgres.Options{MaxConns: int32(opts.DatabaseMaxConns),
		StatementTimeout: opts.DatabaseStatementTimeout}, sqlite.Options{ObserveGroup: func(n int, d time.Duration) {
		m.ObserveWriteBatch(metrics.BatchSQLite, n, d)
	}, Logger: a.logger.With("component", "store")})
	if err != nil {
		return err
	}
	qs.st = st
	a.store = st
	if err := MigrateAll(ctx, st); err != nil {
		return err
	}
	jc := deps.Jobs
	jc.JobTimeout = cmp.Or(jc.JobTimeout, opts.JobTimeout)
	jc.RescueAfter = cmp.Or(jc.RescueAfter, opts.JobRescueAfter)
	jc.Logger = a.logger.With("component", "jobs")
	switch db := st.(type) {
	case *sqlite.Store:
		a.jobs, err = jobs.NewSQLite(db.DB(), jc)
	case *postgres.Store:
		a.jobs, err = jobs.NewPostgres(db.Pool(), jc)
	}
	if err != nil {
		return err
	}
	if opts.SMTP.Host != "" {
		signer, err := a.dkimSigner()
		if err != nil {
			return err
		}
		a.sender, err = smtp.New(smtp.Config{
			Host: opts.SMTP.Host, Port: opts.SMTP.Port, Username: opts.SMTP.Username, Password: opts.SMTP.Password,
			TLS: opts.SMTP.TLS, InsecureSkipVerify: opts.SMTP.InsecureSkipVerify, HELO: opts.SMTP.HELO,
			MaxConns: opts.SMTP.MaxConns, RatePerSecond: opts.SMTP.RatePerSecond, Timeout: opts.SMTP.Timeout,
			DisableChunking: opts.SMTP.NoChunking, Signer: signer,
		}, a.logger.With("component", "smtp"))
		if err != nil {
			return fmt.Errorf("smtp: %w", err)
		}
	} else if opts.SMTP.DKIMKeys != "" {
		a.logger.With("component", "dkim").Warn("--dkim-keys is ignored: without --smtp-host mail goes to the capture mailbox, unsigned")
	}
	a.owner = processName()
	notify := func() {
		if a.delivery != nil {
			a.delivery.Notify()
		}
	}
	a.svc, err = service.New(service.Config{
		Store: st, Clock: a.clock, Logger: a.logger,
		RenderLimits: render.Limits{Timeout: opts.RenderTimeout, MaxBytes: opts.RenderMaxBytes},
		Notify:       notify, Delivery: handoff{a: a, pace: singleServer(st)}, Capture: a.sender == nil, MessageIDDomain: opts.MessageIDDomain, Metrics: m,
		InboundDomain: inboundDomain(opts),
		BaseURL:       a.URL, Owner: a.owner, Runs: service.RunnerConfig{Poll: deps.RunPoll, Off: deps.NoRunner, Lease: deps.Lease},
		MaxPendingWrites: opts.MaxPendingWrites, OnHash: deps.OnHash, Webhooks: webhookConfig(opts, a.jobs),
		DigestsDue:      a.jobs.EnqueueDigestsTx,
		SimulateTimeout: opts.SimulateTimeout,
	})
	if err != nil {
		return err
	}
	a.jobs.SetHandler(a.svc)
	if a.inbox, err = inbox.New(inbox.Config{Store: st, Clock: a.clock, Logger: a.logger,
		Heartbeat: deps.FeedHeartbeat, Poll: feedPoll(st)}); err != nil {
		return err
	}
	dc := delivery.Config{Store: st, Sender: a.sender, Capture: a.sender == nil, Compose: a.svc.Compose, Feed: a.inbox,
		Owner: a.owner, Clock: a.clock, Logger: a.logger.With("component", "delivery"), Metrics: m,
		Policy:       delivery.Policy{MaxAge: opts.Retry.MaxAge, BaseDelay: opts.Retry.BaseDelay, MaxDelay: opts.Retry.MaxDelay},
		PollInterval: deps.DeliveryPoll, Lease: deps.Lease,
		AfterRecord: a.svc.WebhookOutcomes}
	if a.sender != nil {
		// Two senders per connection: one builds the next message while
		// the other's transaction is on the wire. The capture mailbox
		// keeps the dispatcher's default.
		dc.Senders = 2 * opts.SMTP.MaxConns
		if opts.SMTP.RatePerSecond > 0 {
			// Claim about two seconds of mail at a time, so a slow rate
			// does not hold many messages under lease.
			dc.MaxInFlight = max(dc.Senders, int(2*opts.SMTP.RatePerSecond))
			dc.ClaimBatch = dc.MaxInFlight
		}
	}
	a.delivery, err = delivery.New(dc)
	return err
}

// webhookConfig wires webhook delivery: the operator's guard, mail's
// retry policy, attempts as River jobs.
func webhookConfig(opts config.Options, j *jobs.Jobs) service.WebhookConfig {
	guard := webhook.Guard{AllowPrivate: opts.Webhooks.AllowPrivate, AllowHTTP: opts.Webhooks.AllowHTTP}
	return service.WebhookConfig{
		Enqueue: j.EnqueueWebhookTx, Guard: guard,
		Sender:       webhook.NewSender(webhook.SenderConfig{Guard: guard, Timeout: opts.Webhooks.Timeout}),
		Policy:       delivery.Policy{MaxAge: opts.Retry.MaxAge, BaseDelay: opts.Retry.BaseDelay, MaxDelay: opts.Retry.MaxDelay},
		BreakerAfter: opts.Webhooks.BreakerAfter,
	}
}

// handoff passes the ingester's messages queued for now to the
// dispatcher (created after the service, which composes its mail). pace
// says this process sends all mail (SQLite: one server), so schedule runs
// wait for its room; with replicas they queue for all of them.
type handoff struct {
	a    *App
	pace bool
}

func (h handoff) Reserve(n int) (int, string, time.Time) {
	if h.a.delivery == nil {
		return 0, "", time.Time{}
	}
	return h.a.delivery.Reserve(n)
}

func (h handoff) Hand(msgs []store.ClaimedMessage, until time.Time) { h.a.delivery.Hand(msgs, until) }

func (h handoff) Unreserve(n int, lost bool) { h.a.delivery.Unreserve(n, lost) }

func (h handoff) WaitRoom(ctx context.Context, n int) {
	if h.pace && h.a.delivery != nil {
		h.a.delivery.WaitRoom(ctx, n)
	}
}

// processName names this process in leases: host, process id and a
// random part, so a restarted process is never taken for its predecessor.
func processName() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/%d/%s", cmp.Or(host, "herold"), os.Getpid(), uuid.NewString()[:8])
}

// queueStats adapts the store to the metrics' queue gauges (the store is
// set once opened, before anything is served).
type queueStats struct{ st store.Store }

func (q *queueStats) QueueStats(ctx context.Context) (int, *time.Time, error) {
	s, err := q.st.MessageQueueStats(ctx)
	return s.Depth, s.Oldest, err
}

// MigrateAll brings Herold's and River's tables up to date.
func MigrateAll(ctx context.Context, st store.Store) error {
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	switch db := st.(type) {
	case *sqlite.Store:
		return jobs.MigrateSQLite(ctx, db.DB())
	case *postgres.Store:
		return jobs.MigratePostgres(ctx, db.Pool())
	}
	return nil
}

func (a *App) closeAll() {
	if a.sender != nil {
		_ = a.sender.Close()
	}
	if a.store != nil {
		_ = a.store.Close()
	}
}

// OpenStore opens the database named by a path (SQLite) or a postgres://
// URL.
func OpenStore(ctx context.Context, database string) (store.Store, error) {
	return OpenStoreWith(ctx, database, postgres.Options{}, sqlite.Options{})
}

// OpenStoreWith is OpenStore with the options of either database.
func OpenStoreWith(ctx context.Context, database string, pg postgres.Options, lite sqlite.Options) (store.Store, error) {
	if IsPostgres(database) {
		return postgres.Open(ctx, database, pg)
	}
	return sqlite.Open(database, lite)
}

// IsPostgres reports whether database names a PostgreSQL server.
func IsPostgres(database string) bool {
	return strings.HasPrefix(database, "postgres://") || strings.HasPrefix(database, "postgresql://")
}

// Service returns the service layer (for tests and the CLI).
func (a *App) Service() *service.Service { return a.svc }

// Store returns the store.
func (a *App) Store() store.Store { return a.store }

// warnSilentWorkspaces tells the operator at every start which workspaces
// send nothing because no sender is allowed for them yet (after the
// upgrade that introduced allowed senders, every workspace but the
// bootstrap one): their messages fail until `herold workspaces senders`.
func (a *App) warnSilentWorkspaces(ctx context.Context) error {
	all, err := a.store.WorkspaceList(ctx)
	if err != nil {
		return fmt.Errorf("list workspaces: %w", err)
	}
	for _, ws := range all {
		if len(ws.AllowedSenders) == 0 {
			a.log.WarnContext(ctx, "workspace may not send: no sender allowed; messages fail until the operator runs `herold workspaces senders KEY DOMAIN`",
				"workspace", ws.Key)
		}
	}
	return nil
}

// Start bootstraps the default workspace, starts listening and serving, and
// prints the URL (and the first admin key, once).
func (a *App) Start(ctx context.Context) error {
	b, err := a.svc.Bootstrap(ctx, a.opts.BootstrapKey)
	if err != nil {
		return err
	}
	a.Bootstrapped = b
	a.BootstrapUser, err = a.svc.UserBootstrap(ctx, b.Workspace, service.UserCreateParams{
		Email: a.admin.Email, Password: a.admin.Password})
	if err != nil {
		return err
	}
	if a.opts.Demo {
		if a.Demo, err = demo.Load(ctx, a.svc); err != nil {
			return err
		}
		a.DemoUser, err = a.svc.UserBootstrapWorkspace(ctx, a.Demo.Workspace, service.UserCreateParams{
			Email: demoUserEmail, Name: "Demo", Password: a.admin.Password})
		if err != nil {
			return err
		}
	}
	if err := a.warnSilentWorkspaces(ctx); err != nil {
		return err
	}
	if err := a.takeOver(ctx); err != nil {
		return err
	}
	// The loops live until Stop, whatever happens to ctx: River cancels
	// its jobs when the context of its Start ends.
	if err := a.jobs.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("start jobs: %w", err)
	}
	a.svc.Start(ctx)
	if !a.noDelivery {
		a.delivery.Start(ctx)
	}
	if err := a.startInbound(); err != nil {
		return err
	}
	ln, maxConns, err := httpserver.Listen(a.opts.Addr, a.opts.HTTP)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another Herold running? choose another --addr)", a.opts.Addr, err)
	}
	a.listener, a.maxConns = ln, maxConns
	addr := ln.Addr().String()
	a.listenAddr.Store(&addr)
	a.serveErr = make(chan error, 1)
	go func() {
		err := a.server.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		a.serveErr <- err
	}()
	a.banner()
	return nil
}

func (a *App) banner() {
	a.log.Info("herold started", "url", a.URL(), "database", config.RedactDatabase(a.opts.Database), "mail", a.mailTarget(), "max_conns", a.maxConns)
	fmt.Fprintf(a.stdout, "Herold is running at %s\n", a.URL())
	b := a.Bootstrapped
	if b != nil && b.Created && b.Secret != "" {
		fmt.Fprintf(a.stdout, "\nCreated workspace %q. Its first admin API key (shown once, store it now):\n\n    %s\n\n",
			b.Workspace.Key, b.Secret)
	}
	if u := a.BootstrapUser; u != nil {
		a.printUser("Sign in to the cockpit", u)
	}
	if d := a.Demo; d != nil && d.Secret != "" {
		fmt.Fprintf(a.stdout, "\nLoaded the demo workspace %q (Agentur Nord). Its API key (shown once):\n\n    %s\n\n",
			d.Workspace.Key, d.Secret)
	}
	if u := a.DemoUser; u != nil {
		a.printUser("Sign in to the demo workspace", u)
	}
	if a.sender == nil {
		fmt.Fprintf(a.stdout, "No SMTP server configured: mail goes to the capture mailbox (%s/mailbox in the cockpit, GET %s/v1/mailbox).\n",
			a.URL(), a.URL())
	}
}

// mailTarget says where mail goes, for the start line.
func (a *App) mailTarget() string {
	if a.sender == nil {
		return "capture mailbox"
	}
	return fmt.Sprintf("SMTP %s", net.JoinHostPort(a.opts.SMTP.Host, strconv.Itoa(a.opts.SMTP.Port)))
}

// demoUserEmail is the cockpit user of the demo workspace.
const demoUserEmail = "demo@localhost"

// printUser prints a new cockpit user's credentials (the password only
// when it was generated: shown once).
func (a *App) printUser(intro string, u *service.UserCreated) {
	if u.Password == "" {
		fmt.Fprintf(a.stdout, "\n%s at %s/ as %s (with the password you set).\n", intro, a.URL(), u.User.Email)
		return
	}
	fmt.Fprintf(a.stdout, "\n%s at %s/ as %s with this password (shown once, store it now):\n\n    %s\n\n",
		intro, a.URL(), u.User.Email, u.Password)
}

// Addr returns the address the server listens on (useful with port 0).
func (a *App) Addr() string {
	if p := a.listenAddr.Load(); p != nil {
		return *p
	}
	return a.opts.Addr
}

// URL returns the base URL of the server.
func (a *App) URL() string {
	if a.opts.BaseURL != "" {
		return strings.TrimSuffix(a.opts.BaseURL, "/")
	}
	return "http://" + a.Addr()
}

func (a *App) ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := a.store.Ping(ctx); err != nil {
		return fmt.Errorf("database unavailable: %w", err)
	}
	return nil
}

// takeOver prepares a SQLite database for this server: it becomes the
// database's only server (see sqlite.Store.LockForServe), so the messages
// its previous run left leased are due at once. With PostgreSQL other
// replicas may be sending: their leases run out on their own.
func (a *App) takeOver(ctx context.Context) error {
	db, ok := a.store.(*sqlite.Store)
	if !ok {
		return nil
	}
	if err := db.LockForServe(); err != nil {
		return err
	}
	n, err := a.store.MessageLeaseExpire(ctx, a.owner, a.clock.Now())
	if err != nil {
		return fmt.Errorf("take over the messages of the previous run: %w", err)
	}
	if n > 0 {
		a.log.Warn("the previous run stopped while sending; sending its messages again", "messages", n)
	}
	if n, err = a.store.ScheduleRunLeaseExpire(ctx, a.owner, a.clock.Now()); err != nil {
		return fmt.Errorf("take over the schedule runs of the previous run: %w", err)
	}
	if n > 0 {
		a.log.Warn("the previous run stopped in the middle of schedule runs; going on with them", "runs", n)
	}
	return nil
}

// Stop shuts down gracefully within the shutdown timeout: stop accepting
// requests and finish those in progress, stop the periodic work, then
// stop delivery (no new claims; sends in progress finish and are recorded;
// claims not started are given back), and close the database.
func (a *App) Stop(ctx context.Context) error {
	var err error
	a.stopOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.opts.ShutdownTimeout)
		defer cancel()
		if a.listener != nil {
			err = errors.Join(err, a.server.Shutdown(ctx))
			err = errors.Join(err, <-a.serveErr)
		}
		if a.inbound != nil {
			err = errors.Join(err, a.inbound.Stop(ctx))
		}
		if a.imap != nil {
			err = errors.Join(err, a.imap.Stop(ctx))
		}
		err = errors.Join(err, a.jobs.Stop(ctx))
		a.svc.Stop()
		err = errors.Join(err, a.delivery.Stop(ctx))
		a.closeAll()
		a.log.Info("herold stopped")
	})
	return err
}

// Kill stops the app abruptly, as a crash would: running jobs are cancelled
// without recording their outcome, connections are dropped. For tests of
// crash safety.
func (a *App) Kill() {
	a.stopOnce.Do(func() {
		if a.listener != nil {
			_ = a.server.Close()
			<-a.serveErr
		}
		a.inbox.Close()
		if a.inbound != nil {
			_ = a.inbound.Stop(context.Background())
		}
		if a.imap != nil {
			_ = a.imap.Stop(context.Background())
		}
		a.jobs.StopAbruptly()
		a.delivery.Kill()
		a.svc.Stop()
		a.closeAll()
	})
}

// Run starts the app and blocks until ctx is cancelled (SIGINT/SIGTERM in
// main) or the server fails, then stops gracefully.
func Run(ctx context.Context, opts config.Options, deps Deps) error {
	a, err := New(ctx, opts, deps)
	if err != nil {
		return err
	}
	if err := a.Start(ctx); err != nil {
		_ = a.Stop(context.Background())
		return err
	}
	select {
	case <-ctx.Done():
	case err = <-a.serveErr:
		a.serveErr <- err
	}
	return errors.Join(err, a.Stop(context.Background()))
}

// NewLogger builds the process logger.
func NewLogger(w io.Writer, format, level string) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(level))
	ho := &slog.HandlerOptions{Level: lvl}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, ho))
	}
	return slog.New(slog.NewTextHandler(w, ho))
}

// singleServer reports whether st allows only one server (SQLite), which
// then sends every message itself.
func singleServer(st store.Store) bool {
	_, ok := st.(*sqlite.Store)
	return ok
}

// feedPoll is how often feed streams look for changes themselves: on
// PostgreSQL another replica may have delivered or marked (its wake-ups
// reach only its own streams); a single SQLite server sees every change.
func feedPoll(st store.Store) time.Duration {
	if st.Dialect() == "postgres" {
		return 2 * time.Second
	}
	return 0
}

// startInbound starts the inbound mail listener when --inbound-addr is
// set, and the IMAP poller when --inbound-imap is. Stop stops it first, so that mail in flight is stored before the
// database closes (a message not yet acknowledged stays with the sending
// MTA, which retries).
func (a *App) startInbound() error {
	in := a.opts.Inbound
	if in.Addr == "" && in.IMAP.URL == "" {
		return nil
	}
	recv, err := inbound.NewReceiver(inbound.ReceiverConfig{Store: a.store, Clock: a.clock, Logger: a.log,
		Domain: in.Domain, SoftBounceThreshold: in.SoftBounceThreshold, Events: a.svc,
		Throttle: in.Throttle, ThrottleWindow: in.ThrottleWindow, AfterOutcomes: a.svc.WebhookOutcomes})
	if err != nil {
		return err
	}
	var poller *inbound.Poller
	if in.IMAP.URL != "" {
		if poller, err = inbound.NewPoller(inbound.PollerConfig{URL: in.IMAP.URL, Password: in.IMAP.Password,
			Workspace: in.IMAP.Workspace, Receiver: recv, Interval: in.IMAP.Interval,
			MaxMessageBytes: in.MaxMessageBytes, Logger: a.log,
			TLSConfig: &tls.Config{InsecureSkipVerify: in.IMAP.InsecureSkipVerify}}); err != nil { //nolint:gosec // opt-in, for tests
			return err
		}
	}
	if in.Addr != "" {
		if err := a.startListener(recv); err != nil {
			return err
		}
	}
	if poller != nil {
		poller.Start()
		a.imap = poller
	}
	return nil
}

// startListener starts the SMTP/LMTP listener of --inbound-addr.
func (a *App) startListener(recv *inbound.Receiver) error {
	in := a.opts.Inbound
	srv, err := inbound.NewServer(inbound.ServerConfig{Addr: in.Addr, LMTP: in.LMTP, Receiver: recv, Logger: a.log,
		MaxMessageBytes: in.MaxMessageBytes, MaxConnections: in.MaxConnections, Domain: in.Domain})
	if err != nil {
		return err
	}
	if err := srv.Start(); err != nil {
		return fmt.Errorf("%w (choose another --inbound-addr)", err)
	}
	a.inbound = srv
	return nil
}

// InboundAddr is the inbound listener's address ("" when off).
func (a *App) InboundAddr() string {
	if a.inbound == nil {
		return ""
	}
	return a.inbound.Addr()
}

// inboundDomain is the domain of the messages' bounce addresses: the
// inbound domain while the listener or the IMAP poller is on.
func inboundDomain(opts config.Options) string {
	if opts.Inbound.Addr == "" && opts.Inbound.IMAP.URL == "" {
		return ""
	}
	return strings.ToLower(opts.Inbound.Domain)
}
