// Package config holds Herold's options with their documented defaults.
// Every option has a command-line flag and an environment twin
// (HEROLD_<FLAG>, e.g. --addr and HEROLD_ADDR); cmd/herold maps them here.
package config

import (
	"cmp"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/herold-dev/herold/internal/channel/smtp"
)

// Options configure a Herold server.
type Options struct {
	// Addr is the listen address. Default "127.0.0.1:8080".
	Addr string
	// Database is a SQLite file path (default "./herold-data/herold.db") or
	// a postgres:// URL.
	Database string
	// DatabaseMaxConns bounds the PostgreSQL connection pool. Default 20.
	DatabaseMaxConns int
	// DatabaseStatementTimeout cancels PostgreSQL statements running
	// longer. Default 60s.
	DatabaseStatementTimeout time.Duration
	// BaseURL is the public URL of the cockpit and API, used in links in
	// mails (run reports). Default "http://" + Addr.
	BaseURL string
	// TrustedProxies are the reverse proxies (IP addresses or CIDR ranges)
	// whose X-Forwarded-For the cockpit believes when it counts failed
	// sign-ins per client. Default none: the connection's peer is the
	// client.
	TrustedProxies []string
	// LogFormat is "text" (default) or "json".
	LogFormat string
	// LogLevel is "debug", "info" (default), "warn" or "error".
	LogLevel string
	// BootstrapKey fixes the first admin API key (HEROLD_BOOTSTRAP_KEY)
	// instead of generating one.
	BootstrapKey string
	// BootstrapAdminEmail is the e-mail address of the first cockpit user,
	// created on the first start. Default admin@localhost.
	BootstrapAdminEmail string
	// BootstrapPassword fixes the first cockpit user's password instead of
	// generating one (printed once). Like the address, it is used only
	// while the installation has no cockpit user.
	BootstrapPassword string
	// Demo loads the demo workspace on start.
	Demo bool

	// SMTP configures outgoing mail. Without a host, the capture mailbox
	// stores messages instead of sending them.
	SMTP SMTP

	// Inbound configures the listener for inbound mail (bounces,
	// complaints, replies). Off without an address.
	Inbound Inbound

	// MessageIDDomain is the domain part of generated Message-IDs. Default:
	// the domain of the sender address, or "herold.invalid".
	MessageIDDomain string

	// Retry governs redelivery of temporarily failed messages.
	Retry Retry

	// Webhooks governs webhook delivery.
	Webhooks Webhooks

	// MaxBodyBytes bounds API request bodies. Default 1 MiB.
	MaxBodyBytes int64
	// MaxBulkBodyBytes bounds bulk request bodies. Default 32 MiB.
	MaxBulkBodyBytes int64
	// MaxPendingWrites bounds the API requests that write (events,
	// contacts, objects, configuration, decisions) in progress at once;
	// beyond it the API answers 503 with Retry-After at once. Default 1000.
	MaxPendingWrites int
	// MaxBulkRequests bounds the bulk API requests (contacts/bulk,
	// events/batch, simulate) in progress at once; beyond it they answer
	// 503 with Retry-After. Each holds several times its body (up to
	// MaxBulkBodyBytes) in memory. Default 2.
	MaxBulkRequests int

	// RenderTimeout bounds rendering one message. Default 1s.
	RenderTimeout time.Duration
	// RenderMaxBytes bounds each rendered part. Default 1 MiB.
	RenderMaxBytes int

	// HTTP bounds how long a client may hold a connection.
	HTTP HTTP

	// SimulateTimeout stops a simulation (POST /v1/flows/{key}/simulate)
	// running longer. Default 25s, below the Go client's 30 s per attempt.
	SimulateTimeout time.Duration

	// ShutdownTimeout is how long a graceful stop may take: requests in
	// progress finish, sends in progress finish and are recorded. Default
	// 30s.
	ShutdownTimeout time.Duration

	// JobTimeout cancels a periodic job (expiring confirmations, the
	// retention purge, queueing the runs of due schedules) that runs
	// longer. Default 5 min.
	JobTimeout time.Duration
	// JobRescueAfter is how long a periodic job may stay running before
	// it is taken to belong to a dead process and run again. Default 10
	// min; it must exceed JobTimeout. (Messages and schedule runs are not
	// jobs: they are taken over when their leases run out.)
	JobRescueAfter time.Duration
}

// Inbound configures the inbound mail listener (see docs/inbound.md).
type Inbound struct {
	// Addr is where to listen for SMTP (or LMTP), e.g. 127.0.0.1:2525;
	// empty: no listener.
	Addr string
	// Domain is the domain mail arrives for: KEY@Domain and
	// KEY+anything@Domain belong to the workspace with key KEY. Required
	// with Addr.
	Domain string
	// LMTP speaks LMTP instead of SMTP.
	LMTP bool
	// MaxMessageBytes bounds one received message. Default 10 MiB.
	MaxMessageBytes int64
	// MaxConnections bounds the connections served at once. Default 50.
	MaxConnections int
	// SoftBounceThreshold soft bounces of an address within 7 days
	// suppress it. Default 3.
	SoftBounceThreshold int
	// Throttle mails of one sender on one object within ThrottleWindow
	// become events; more are recorded as throttled. Defaults 5 and
	// 10 min.
	Throttle       int
	ThrottleWindow time.Duration
	// IMAP polls a mailbox for hosts whose MTA cannot route mail to Addr.
	IMAP InboundIMAP
}

// InboundIMAP configures polling an IMAP mailbox (see docs/inbound.md).
type InboundIMAP struct {
	// URL of the mailbox: imaps://user@host:993/INBOX, or imap://... with
	// STARTTLS; empty: no polling.
	URL string
	// PasswordFile holds the IMAP password (a trailing newline is
	// dropped); ReadSecrets reads it into Password.
	PasswordFile string
	Password     string
	// Workspace is the key of the workspace the mailbox belongs to.
	Workspace string
	// Interval between polls. Default 1 min.
	Interval time.Duration
	// InsecureSkipVerify accepts any server certificate (testing only).
	InsecureSkipVerify bool
}

// SMTP configures the SMTP transport.
type SMTP struct {
	// Host of the mail server; empty selects the capture mailbox.
	Host string
	// Port default 587 (465 for TLS "tls", 25 for "none").
	Port int
	// Username and Password authenticate when Username is set.
	Username string
	Password string
	// PasswordFile names a file holding the password (its trailing
	// newline is dropped), so the password does not show in the process
	// list as --smtp-password does. ReadSecrets reads it into Password;
	// giving both is an error.
	PasswordFile string
	// TLS is "starttls" (default), "starttls-optional", "tls" (implicit) or
	// "none".
	TLS string
	// InsecureSkipVerify accepts any server certificate (test servers).
	InsecureSkipVerify bool
	// HELO is the name announced to the server. Default: the host name.
	HELO string
	// MaxConns is the number of connections used in parallel. Default
	// smtp.DefaultMaxConns.
	MaxConns int
	// RatePerSecond limits messages per second; 0 is unlimited.
	RatePerSecond float64
	// Timeout bounds dialing and each command. Default 30s.
	Timeout time.Duration
	// NoChunking sends with DATA even when the server offers CHUNKING
	// (BDAT, one round trip less per message), for a server whose BDAT is
	// broken.
	NoChunking bool
	// DKIMKeys is the directory of DKIM keys (DIR/DOMAIN/SELECTOR.pem, as
	// `herold dkim keygen` writes them) mail is signed with before it is
	// sent. Empty: mail goes out unsigned. See docs/dkim.md.
	DKIMKeys string
}

// HTTP bounds the HTTP server's connections, so that slow or idle
// clients cannot hold them (and their file descriptors) for ever.
type HTTP struct {
	// ReadHeaderTimeout bounds reading a request's headers. Default 10s.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading a whole request, body included, from its
	// first byte: a client that declares a body and does not send it is
	// disconnected after it. Default 1 min.
	ReadTimeout time.Duration
	// WriteTimeout bounds handling a request and writing its answer, from
	// the end of its headers. Long-lived answers (streams) lift it for
	// their own request. Default 2 min.
	WriteTimeout time.Duration
	// IdleTimeout closes a keep-alive connection that waits this long for
	// its next request. Default 1 min.
	IdleTimeout time.Duration
	// MaxConns bounds the connections served at once; further clients wait
	// to be accepted. Keep it below the open-file limit (ulimit -n) less
	// what the database and SMTP connections need. Default 1000; 0 takes
	// the default, -1 means no bound.
	MaxConns int
}

// Retry governs redelivery after temporary failures (network errors, 4xx).
type Retry struct {
	// MaxAge is how long a message is retried before it fails. Default 24h.
	MaxAge time.Duration
	// BaseDelay is the first backoff. Default 30s; it doubles per attempt
	// with ±25% jitter.
	BaseDelay time.Duration
	// MaxDelay caps the backoff. Default 1h.
	MaxDelay time.Duration
}

// Webhooks governs what webhook endpoints the server may call and how
// it retries them. Retries follow Retry (as for mail).
type Webhooks struct {
	// AllowPrivate lets endpoints resolve to loopback, private,
	// link-local, CGNAT, ULA and other special addresses. Default false:
	// they are refused at dial time, after DNS resolution (SSRF guard).
	AllowPrivate bool
	// AllowHTTP accepts http:// endpoints. Default false: https only.
	AllowHTTP bool
	// Timeout bounds one attempt. Default 15s.
	Timeout time.Duration
	// BreakerAfter failed attempts in a row pause an endpoint and tell
	// the workspace's admins. Default 20.
	BreakerAfter int
}

// Defaults.
const (
	DefaultAddr     = "127.0.0.1:8080"
	DefaultDatabase = "./herold-data/herold.db"
)

// WithDefaults returns o with every unset option at its default.
func (o Options) WithDefaults() Options {
	o.Addr = cmp.Or(o.Addr, DefaultAddr)
	o.Database = cmp.Or(o.Database, DefaultDatabase)
	o.LogFormat = cmp.Or(o.LogFormat, "text")
	o.LogLevel = cmp.Or(o.LogLevel, "info")
	o.MaxBodyBytes = cmp.Or(o.MaxBodyBytes, 1<<20)
	o.MaxBulkBodyBytes = cmp.Or(o.MaxBulkBodyBytes, 32<<20)
	o.MaxPendingWrites = cmp.Or(o.MaxPendingWrites, 1000)
	o.MaxBulkRequests = cmp.Or(o.MaxBulkRequests, 2)
	o.RenderTimeout = cmp.Or(o.RenderTimeout, time.Second)
	o.RenderMaxBytes = cmp.Or(o.RenderMaxBytes, 1<<20)
	o.ShutdownTimeout = cmp.Or(o.ShutdownTimeout, 30*time.Second)
	o.SimulateTimeout = cmp.Or(o.SimulateTimeout, 25*time.Second)
	o.HTTP.ReadHeaderTimeout = cmp.Or(o.HTTP.ReadHeaderTimeout, 10*time.Second)
	o.HTTP.ReadTimeout = cmp.Or(o.HTTP.ReadTimeout, time.Minute)
	o.HTTP.WriteTimeout = cmp.Or(o.HTTP.WriteTimeout, 2*time.Minute)
	o.HTTP.IdleTimeout = cmp.Or(o.HTTP.IdleTimeout, time.Minute)
	o.HTTP.MaxConns = cmp.Or(o.HTTP.MaxConns, 1000)
	o.JobTimeout = cmp.Or(o.JobTimeout, 5*time.Minute)
	o.JobRescueAfter = cmp.Or(o.JobRescueAfter, 10*time.Minute)
	o.Retry.MaxAge = cmp.Or(o.Retry.MaxAge, 24*time.Hour)
	o.Retry.BaseDelay = cmp.Or(o.Retry.BaseDelay, 30*time.Second)
	o.Retry.MaxDelay = cmp.Or(o.Retry.MaxDelay, time.Hour)
	o.Webhooks.Timeout = cmp.Or(o.Webhooks.Timeout, 15*time.Second)
	o.Webhooks.BreakerAfter = cmp.Or(o.Webhooks.BreakerAfter, 20)
	o.SMTP.TLS = cmp.Or(o.SMTP.TLS, "starttls")
	if o.SMTP.Port == 0 {
		switch o.SMTP.TLS {
		case "tls":
			o.SMTP.Port = 465
		case "none":
			o.SMTP.Port = 25
		default:
			o.SMTP.Port = 587
		}
	}
	o.SMTP.MaxConns = cmp.Or(o.SMTP.MaxConns, smtp.DefaultMaxConns)
	o.SMTP.Timeout = cmp.Or(o.SMTP.Timeout, 30*time.Second)
	return o
}

// TrustedProxyPrefixes parses TrustedProxies: a bare address is a range
// of one.
func (o Options) TrustedProxyPrefixes() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, v := range o.TrustedProxies {
		v = strings.TrimSpace(v)
		p, err := netip.ParsePrefix(v)
		if err != nil {
			a, aerr := netip.ParseAddr(v)
			if aerr != nil {
				return nil, fmt.Errorf("--trusted-proxies %q: not an IP address or CIDR range; use e.g. 10.0.0.5 or 10.0.0.0/8", v)
			}
			p = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// Validate reports every invalid option, naming its flag.
func (o Options) Validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(o.Addr); err != nil {
		errs = append(errs, fmt.Errorf("--addr %q: use host:port, e.g. 127.0.0.1:8080", o.Addr))
	}
	if _, err := o.TrustedProxyPrefixes(); err != nil {
		errs = append(errs, err)
	}
	if o.LogFormat != "text" && o.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("--log-format %q: use text or json", o.LogFormat))
	}
	switch strings.ToLower(o.LogLevel) {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("--log-level %q: use debug, info, warn or error", o.LogLevel))
	}
	switch o.SMTP.TLS {
	case "starttls", "starttls-optional", "tls", "none":
	default:
		errs = append(errs, fmt.Errorf("--smtp-tls %q: use starttls, starttls-optional, tls or none", o.SMTP.TLS))
	}
	if o.Inbound.IMAP.URL != "" && o.Inbound.Addr == "" && (o.Inbound.Domain == "" || strings.ContainsAny(o.Inbound.Domain, "@ ")) {
		errs = append(errs, fmt.Errorf("--inbound-domain %q: name the domain of the --inbound-imap mailbox, e.g. inbound.example.org", o.Inbound.Domain))
	}
	if o.Inbound.Addr != "" {
		if _, _, err := net.SplitHostPort(o.Inbound.Addr); err != nil {
			errs = append(errs, fmt.Errorf("--inbound-addr %q: use host:port, e.g. 127.0.0.1:2525", o.Inbound.Addr))
		}
		if o.Inbound.Domain == "" || strings.ContainsAny(o.Inbound.Domain, "@ ") {
			errs = append(errs, fmt.Errorf("--inbound-domain %q: name the domain your MTA routes to Herold, e.g. inbound.example.org", o.Inbound.Domain))
		}
	}
	if im := o.Inbound.IMAP; im.URL != "" && (im.Workspace == "" || im.PasswordFile == "" || im.Interval < 0) {
		errs = append(errs, errors.New("--inbound-imap needs --inbound-imap-workspace KEY and --inbound-imap-password-file FILE (and a --inbound-imap-interval that is not negative)"))
	}
	if o.Inbound.MaxMessageBytes < 0 || o.Inbound.MaxConnections < 0 || o.Inbound.SoftBounceThreshold < 0 ||
		o.Inbound.Throttle < 0 || o.Inbound.ThrottleWindow < 0 {
		errs = append(errs, fmt.Errorf("--inbound-max-bytes, --inbound-max-conns, --inbound-soft-bounces, --inbound-throttle and --inbound-throttle-window must not be negative"))
	}
	if o.SMTP.Port < 1 || o.SMTP.Port > 65535 {
		errs = append(errs, fmt.Errorf("--smtp-port %d: use 1–65535", o.SMTP.Port))
	}
	if o.SMTP.RatePerSecond < 0 {
		errs = append(errs, errors.New("--smtp-rate must not be negative"))
	}
	if o.Retry.BaseDelay > o.Retry.MaxDelay {
		errs = append(errs, errors.New("--retry-base-delay must not exceed --retry-max-delay"))
	}
	if o.JobRescueAfter <= o.JobTimeout {
		errs = append(errs, fmt.Errorf("--job-rescue-after %s must exceed --job-timeout %s, or live jobs would run twice", o.JobRescueAfter, o.JobTimeout))
	}
	for _, d := range []struct {
		flag string
		v    time.Duration
	}{{"--http-read-header-timeout", o.HTTP.ReadHeaderTimeout}, {"--http-read-timeout", o.HTTP.ReadTimeout},
		{"--http-write-timeout", o.HTTP.WriteTimeout}, {"--http-idle-timeout", o.HTTP.IdleTimeout}} {
		if d.v < 0 {
			errs = append(errs, fmt.Errorf("%s %s must not be negative", d.flag, d.v))
		}
	}
	if o.MaxBulkRequests < 0 {
		errs = append(errs, fmt.Errorf("--max-bulk-requests %d must not be negative", o.MaxBulkRequests))
	}
	if o.HTTP.MaxConns < -1 {
		errs = append(errs, fmt.Errorf("--http-max-conns %d: use a positive number, or -1 for no bound", o.HTTP.MaxConns))
	}
	if o.BootstrapKey != "" && len(o.BootstrapKey) < 24 {
		errs = append(errs, errors.New("HEROLD_BOOTSTRAP_KEY must have at least 24 characters"))
	}
	return errors.Join(errs...)
}

// ReadSecrets returns o with the secrets kept in files read in: the SMTP
// password from SMTP.PasswordFile, without its trailing newline. Giving a
// password both ways is an error saying which to drop.
func (o Options) ReadSecrets() (Options, error) {
	if f := o.Inbound.IMAP.PasswordFile; f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return o, fmt.Errorf("--inbound-imap-password-file: cannot read the IMAP password from %s: %w", f, err)
		}
		o.Inbound.IMAP.Password = strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	}
	if o.SMTP.PasswordFile == "" {
		return o, nil
	}
	if o.SMTP.Password != "" {
		return o, errors.New("--smtp-password and --smtp-password-file are both given (or their HEROLD_ variables): " +
			"keep only --smtp-password-file, which does not show the password in the process list")
	}
	b, err := os.ReadFile(o.SMTP.PasswordFile)
	if err != nil {
		return o, fmt.Errorf("--smtp-password-file: cannot read the SMTP password from %s: %w", o.SMTP.PasswordFile, err)
	}
	o.SMTP.Password = strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	return o, nil
}

// dsnPassword finds the password of a key=value PostgreSQL connection
// string: password=secret or password='se cret' (with \' and \\ escapes).
var dsnPassword = regexp.MustCompile(`(?i)(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s']\S*)`)

// urlSecrets find the password of a URL that does not parse (a bad
// escape in it): its user part, and a password query parameter.
var (
	urlUserinfo = regexp.MustCompile(`(://[^:@/]*:).*@`)
	urlPassword = regexp.MustCompile(`(?i)([?&]password=)[^&#]*`)
)

// RedactDatabase returns the database option fit for a log line: the
// password of a postgres:// URL (in its user part or as a password query
// parameter) and of a key=value connection string is replaced by
// "xxxxx"; a SQLite path is returned as it is.
func RedactDatabase(database string) string {
	if !strings.Contains(database, "://") {
		return dsnPassword.ReplaceAllString(database, "${1}xxxxx")
	}
	u, err := url.Parse(database)
	if err != nil {
		s := urlUserinfo.ReplaceAllString(database, "${1}xxxxx@")
		return urlPassword.ReplaceAllString(s, "${1}xxxxx")
	}
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}
