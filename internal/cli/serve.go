package cli

import (
	"fmt"
	"os"
	"runtime/pprof"
	"time"

	"github.com/spf13/cobra"

	"github.com/herold-dev/herold/internal/app"
	"github.com/herold-dev/herold/internal/channel/smtp"
	"github.com/herold-dev/herold/internal/config"
	"github.com/herold-dev/herold/internal/gcheadroom"
	"github.com/herold-dev/herold/internal/service"
	"github.com/herold-dev/herold/internal/store/sqlite"
)

// addDatabaseFlag adds --database, shared by every command that opens the
// database.
func addDatabaseFlag(cmd *cobra.Command, dst *string) {
	cmd.Flags().StringVar(dst, "database", config.DefaultDatabase, "SQLite file path (created if missing) or postgres://user:password@host:5432/db URL")
}

func newServe() *cobra.Command {
	var o config.Options
	var cpuProfile, memProfile string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the Herold server (API, delivery, schedules)",
		Long: `Run the Herold server: the API under /v1 and the cockpit at /. On the
first start it creates the database, a default workspace, and prints its
first admin API key and cockpit user once. Without an SMTP host, mail goes
to the capture mailbox, readable in the cockpit and through the API.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cpuProfile != "" {
				stop, err := profileCPU(cpuProfile)
				if err != nil {
					return err
				}
				defer stop()
			}
			if memProfile != "" {
				defer writeAllocProfile(cmd, memProfile)
			}
			defer gcheadroom.Start(gcheadroom.DefaultHeadroom).Stop()
			return app.Run(cmd.Context(), o, app.Deps{Stdout: cmd.OutOrStdout()})
		},
	}
	f := cmd.Flags()
	f.StringVar(&cpuProfile, "cpu-profile", "", "write a `FILE` with a CPU profile of the whole run, for go tool pprof")
	f.StringVar(&memProfile, "mem-profile", "", "write a `FILE` with the allocations of the whole run when Herold stops, for go tool pprof")
	f.StringVar(&o.Addr, "addr", config.DefaultAddr, "listen address host:port")
	addDatabaseFlag(cmd, &o.Database)
	f.IntVar(&o.DatabaseMaxConns, "database-max-conns", 20, "PostgreSQL connection pool size")
	f.DurationVar(&o.DatabaseStatementTimeout, "database-statement-timeout", 60*time.Second, "PostgreSQL statement timeout")
	f.StringVar(&o.BaseURL, "base-url", "", "public URL of this server, for links in mails (default http://ADDR)")
	f.StringVar(&o.LogFormat, "log-format", "text", "log format: text or json")
	f.StringVar(&o.LogLevel, "log-level", "info", "log level: debug, info, warn or error")
	f.StringVar(&o.BootstrapKey, "bootstrap-key", "", "fix the first admin API key instead of generating one (at least 24 characters)")
	f.StringVar(&o.BootstrapAdminEmail, "bootstrap-admin-email", service.DefaultAdminEmail,
		"e-mail address of the first cockpit user, created while the installation has no user")
	f.StringVar(&o.BootstrapPassword, "bootstrap-password", "",
		fmt.Sprintf("fix the first cockpit user's password instead of generating one (at least %d characters)", service.MinPasswordLength))
	f.BoolVar(&o.Demo, "demo", false, "load the demo workspace")
	f.StringVar(&o.SMTP.Host, "smtp-host", "", "SMTP server; empty uses the capture mailbox")
	f.IntVar(&o.SMTP.Port, "smtp-port", 0, "SMTP port (default 587, 465 for --smtp-tls=tls, 25 for none)")
	f.StringVar(&o.SMTP.Username, "smtp-username", "", "SMTP user name")
	f.StringVar(&o.SMTP.Password, "smtp-password", "", "SMTP password (shows in the process list: prefer --smtp-password-file)")
	f.StringVar(&o.SMTP.PasswordFile, "smtp-password-file", "", "read the SMTP password from `FILE` (a trailing newline is dropped)")
	f.StringVar(&o.SMTP.TLS, "smtp-tls", "starttls", "starttls, starttls-optional, tls (implicit) or none")
	f.BoolVar(&o.SMTP.InsecureSkipVerify, "smtp-insecure-skip-verify", false, "accept any server certificate (testing only)")
	f.StringVar(&o.SMTP.HELO, "smtp-helo", "", "name announced in HELO/EHLO (default: host name)")
	f.IntVar(&o.SMTP.MaxConns, "smtp-max-conns", smtp.DefaultMaxConns, "SMTP connections used in parallel (fewer while the server refuses more)")
	f.Float64Var(&o.SMTP.RatePerSecond, "smtp-rate", 0, "messages per second at most (0: unlimited)")
	f.DurationVar(&o.SMTP.Timeout, "smtp-timeout", 0, "dial and command timeout (default 30s)")
	f.BoolVar(&o.SMTP.NoChunking, "smtp-no-chunking", false, "send with DATA even when the server offers CHUNKING (BDAT)")
	dkimDirFlag(cmd, &o.SMTP.DKIMKeys)
	f.StringVar(&o.Inbound.Addr, "inbound-addr", "", "listen for inbound mail (bounces, complaints, replies) on host:port; empty: off")
	f.StringVar(&o.Inbound.Domain, "inbound-domain", "", "domain inbound mail arrives for: WORKSPACE@DOMAIN or WORKSPACE+tag@DOMAIN")
	f.BoolVar(&o.Inbound.LMTP, "inbound-lmtp", false, "speak LMTP instead of SMTP on --inbound-addr")
	f.Int64Var(&o.Inbound.MaxMessageBytes, "inbound-max-bytes", 0, "largest inbound message accepted (default 10 MiB)")
	f.IntVar(&o.Inbound.MaxConnections, "inbound-max-conns", 0, "inbound connections served at once (default 50)")
	f.IntVar(&o.Inbound.SoftBounceThreshold, "inbound-soft-bounces", 0, "soft bounces of an address within 7 days that suppress it (default 3)")
	f.IntVar(&o.Inbound.Throttle, "inbound-throttle", 0, "replies of one sender on one object that become events per window (default 5)")
	f.DurationVar(&o.Inbound.ThrottleWindow, "inbound-throttle-window", 0, "window of --inbound-throttle (default 10m)")
	f.StringVar(&o.Inbound.IMAP.URL, "inbound-imap", "", "poll this IMAP mailbox for inbound mail: imaps://user@host:993/INBOX or imap://user@host:143/INBOX (STARTTLS); empty: off")
	f.StringVar(&o.Inbound.IMAP.PasswordFile, "inbound-imap-password-file", "", "read the IMAP password from `FILE` (a trailing newline is dropped)")
	f.StringVar(&o.Inbound.IMAP.Workspace, "inbound-imap-workspace", "", "key of the workspace the --inbound-imap mailbox belongs to")
	f.DurationVar(&o.Inbound.IMAP.Interval, "inbound-imap-interval", 0, "how often to poll --inbound-imap (default 1m)")
	f.BoolVar(&o.Inbound.IMAP.InsecureSkipVerify, "inbound-imap-insecure-skip-verify", false, "accept any IMAP server certificate (testing only)")
	f.StringVar(&o.MessageIDDomain, "message-id-domain", "", "domain of generated Message-IDs (default: sender's domain)")
	f.DurationVar(&o.Retry.MaxAge, "retry-max-age", 0, "give up retrying a message after this long (default 24h)")
	f.DurationVar(&o.Retry.BaseDelay, "retry-base-delay", 0, "first retry delay, doubling per attempt (default 30s)")
	f.DurationVar(&o.Retry.MaxDelay, "retry-max-delay", 0, "longest retry delay (default 1h)")
	f.BoolVar(&o.Webhooks.AllowPrivate, "webhook-allow-private", false, "let webhook endpoints resolve to loopback, private, link-local and other special addresses (refused by default: SSRF guard)")
	f.BoolVar(&o.Webhooks.AllowHTTP, "webhook-allow-http", false, "accept http:// webhook endpoints (default: https only)")
	f.DurationVar(&o.Webhooks.Timeout, "webhook-timeout", 0, "longest webhook attempt, connect to response (default 15s)")
	f.IntVar(&o.Webhooks.BreakerAfter, "webhook-breaker-after", 0, "failed attempts in a row that pause a webhook endpoint and tell the admins (default 20)")
	var workers int
	f.IntVar(&workers, "workers", 0, "no longer used: delivery sends over --smtp-max-conns connections")
	_ = f.MarkDeprecated("workers", "delivery sends over --smtp-max-conns connections; it is ignored")
	f.Int64Var(&o.MaxBodyBytes, "max-body-bytes", 1<<20, "largest API request body")
	f.Int64Var(&o.MaxBulkBodyBytes, "max-bulk-body-bytes", 32<<20, "largest bulk request body")
	f.IntVar(&o.MaxPendingWrites, "max-pending-writes", 1000, "API requests that write (events, contacts, …) in progress at once; more answer 503")
	f.IntVar(&o.MaxPendingWrites, "max-pending-events", 1000, "the former name of --max-pending-writes")
	_ = f.MarkDeprecated("max-pending-events", "use --max-pending-writes")
	f.IntVar(&o.MaxBulkRequests, "max-bulk-requests", 2, "bulk API requests (contacts/bulk, events/batch, simulate) with a body over --max-body-bytes in progress at once; more answer 503")
	f.StringSliceVar(&o.TrustedProxies, "trusted-proxies", nil, "reverse proxies (IP addresses or CIDR ranges, comma-separated) whose X-Forwarded-For names the client for sign-in throttling")
	f.DurationVar(&o.HTTP.ReadHeaderTimeout, "http-read-header-timeout", 0, "longest time to read a request's headers (default 10s)")
	f.DurationVar(&o.HTTP.ReadTimeout, "http-read-timeout", 0, "longest time to read a whole request, body included (default 1m)")
	f.DurationVar(&o.HTTP.WriteTimeout, "http-write-timeout", 0, "longest time to handle a request and write its answer (default 2m)")
	f.DurationVar(&o.HTTP.IdleTimeout, "http-idle-timeout", 0, "close a keep-alive connection idle this long (default 1m)")
	f.IntVar(&o.HTTP.MaxConns, "http-max-conns", 0, "HTTP connections served at once; more wait to be accepted (default 1000, -1: no bound)")
	f.DurationVar(&o.ShutdownTimeout, "shutdown-timeout", 0, "how long a graceful stop waits for in-flight work (default 30s)")
	f.DurationVar(&o.SimulateTimeout, "simulate-timeout", 0, "stop a simulation (POST /v1/flows/{key}/simulate) running longer (default 25s)")
	f.DurationVar(&o.JobTimeout, "job-timeout", 0, "cancel a periodic job (expiry, purge, due schedules) running longer (default 5m)")
	f.DurationVar(&o.JobRescueAfter, "job-rescue-after", 0, "run a periodic job again when it has been running this long, taking its process as dead (default 10m)")
	return withEnvHelp(cmd)
}

func newMigrate() *cobra.Command {
	var database string
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Create or update the database schema and exit",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			st, err := openDB(cmd, database, sqlite.Options{})
			if err != nil {
				return err
			}
			defer st.Close()
			cmd.Printf("database %s is up to date\n", config.RedactDatabase(database))
			return nil
		},
	}
	addDatabaseFlag(cmd, &database)
	return withEnvHelp(cmd)
}

// profileCPU starts a CPU profile written to path; stop ends it.
func profileCPU(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpu-profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("--cpu-profile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}, nil
}

// writeAllocProfile writes the allocation profile of the whole run to
// path: every allocation site with its bytes and objects since the start
// (pprof -sample_index=alloc_space), which shows what the garbage
// collector has to clean up. A failure is reported, not fatal: the run
// itself is over.
func writeAllocProfile(cmd *cobra.Command, path string) {
	f, err := os.Create(path)
	if err == nil {
		err = pprof.Lookup("allocs").WriteTo(f, 0)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		cmd.PrintErrf("--mem-profile: %v\n", err)
	}
}
