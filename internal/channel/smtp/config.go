package smtp

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/herold-dev/herold/internal/channel"
)

// TLS modes for Config.TLS.
const (
	// TLSStartTLS upgrades with STARTTLS and refuses servers that do not
	// offer it. The default.
	TLSStartTLS = "starttls"
	// TLSStartTLSOptional upgrades with STARTTLS when the server offers it
	// and sends in plain text otherwise.
	TLSStartTLSOptional = "starttls-optional"
	// TLSImplicit speaks TLS from the first byte (SMTPS, usually port 465).
	TLSImplicit = "tls"
	// TLSNone never uses TLS. Credentials are then sent in plain text.
	TLSNone = "none"
)

// Defaults for Config.
const (
	// DefaultMaxConns: enough parallel transactions that the round trips
	// to the server do not limit a mass mailing (docs/benchmarks.md); a
	// server that accepts fewer is kept to its bound (Sender.get).
	DefaultMaxConns    = 24
	DefaultTimeout     = 30 * time.Second
	DefaultIdleTimeout = 30 * time.Second
)

// Config is one SMTP transport.
type Config struct {
	// Host is the server's host name or IP address. Required. It is also the
	// name the TLS certificate is checked against.
	Host string
	// Port defaults to 587, or 465 with TLS "tls" and 25 with TLS "none".
	Port int
	// Username and Password authenticate with AUTH PLAIN or LOGIN, whichever
	// the server offers, when Username is set. Outside TLS "none" they are
	// only sent over TLS (or to localhost).
	Username, Password string
	// TLS is "starttls" (default), "starttls-optional", "tls" (implicit)
	// or "none".
	TLS string
	// InsecureSkipVerify accepts any server certificate; for test servers
	// with self-signed certificates only.
	InsecureSkipVerify bool
	// HELO is the name sent with EHLO. Default: the host name, or
	// "localhost" when it cannot be read.
	HELO string
	// MaxConns is how many connections are kept open and used in parallel.
	// Default DefaultMaxConns.
	MaxConns int
	// RatePerSecond limits messages per second on this transport; 0 means
	// unlimited.
	RatePerSecond float64
	// Timeout bounds dialing and each SMTP command (the message content
	// counts as one command). Pipelined commands, BDAT's message
	// included, are written together within Timeout, and each of their
	// replies again gets Timeout to arrive. Default 30s.
	Timeout time.Duration
	// DisableChunking sends every message with DATA although the server
	// offers CHUNKING (RFC 3030). By default such a server gets the
	// message with BDAT, as built and without dot-stuffing, and with
	// PIPELINING as well a message to one recipient goes out with its
	// envelope in one write: one round trip instead of two. For a server
	// whose BDAT is broken.
	DisableChunking bool
	// IdleTimeout closes connections unused for this long. Default 30s.
	IdleTimeout time.Duration
	// Signer signs each message as built, the last step before it is
	// sent (DKIM: internal/dkim). Nil sends messages unsigned.
	Signer channel.MessageSigner
}

// withDefaults returns c with every zero field that has a default filled in.
func (c Config) withDefaults() Config {
	c.TLS = cmp.Or(c.TLS, TLSStartTLS)
	if c.Port == 0 {
		switch c.TLS {
		case TLSImplicit:
			c.Port = 465
		case TLSNone:
			c.Port = 25
		default:
			c.Port = 587
		}
	}
	if c.HELO == "" {
		c.HELO = "localhost"
		if h, err := os.Hostname(); err == nil && h != "" && !strings.ContainsAny(h, " \r\n") {
			c.HELO = h
		}
	}
	c.MaxConns = cmp.Or(c.MaxConns, DefaultMaxConns)
	c.Timeout = cmp.Or(c.Timeout, DefaultTimeout)
	c.IdleTimeout = cmp.Or(c.IdleTimeout, DefaultIdleTimeout)
	return c
}

// validate reports every problem of a defaulted config.
func (c Config) validate() error {
	var errs []error
	switch {
	case c.Host == "":
		errs = append(errs, errors.New("host is required"))
	case strings.ContainsAny(c.Host, " \t\r\n/"):
		errs = append(errs, fmt.Errorf("host %q is not a host name", c.Host))
	}
	if c.Port < 1 || c.Port > 65535 {
		errs = append(errs, fmt.Errorf("port %d is out of range 1-65535", c.Port))
	}
	switch c.TLS {
	case TLSStartTLS, TLSStartTLSOptional, TLSImplicit, TLSNone:
	default:
		errs = append(errs, fmt.Errorf("tls %q is not one of starttls, starttls-optional, tls, none", c.TLS))
	}
	if c.Password != "" && c.Username == "" {
		errs = append(errs, errors.New("password is set without username"))
	}
	if strings.ContainsAny(c.Username+c.HELO, "\r\n") {
		errs = append(errs, errors.New("username and helo must not contain line breaks"))
	}
	if c.MaxConns < 0 {
		errs = append(errs, fmt.Errorf("max conns %d is negative", c.MaxConns))
	}
	if c.RatePerSecond < 0 {
		errs = append(errs, fmt.Errorf("rate per second %g is negative", c.RatePerSecond))
	}
	if c.Timeout < 0 || c.IdleTimeout < 0 {
		errs = append(errs, errors.New("timeouts must not be negative"))
	}
	return errors.Join(errs...)
}
