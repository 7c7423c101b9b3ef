// Package smtp delivers Herold's email over SMTP. A Sender keeps a small
// pool of connections to one server (MaxConns), reuses each for many
// messages, limits the message rate, and classifies every failure as
// retryable or permanent the way channel documents: network errors and 4xx
// replies retry, 5xx replies to the message's transaction fail it at once
// with the server's reply recorded.
//
// Messages are built by channel.BuildMIME. go-mail's SMTP client
// (github.com/wneessen/go-mail/smtp) connects: greeting, EHLO, STARTTLS and
// AUTH. The mail transaction is written directly on the client's textproto
// connection so that the exact reply of every step is at hand (the reply
// to the end of the message for Result.Reply, the code and text of a
// rejection for channel.Error) and so that, when the server offers
// PIPELINING (RFC 2920), MAIL FROM, the RCPT TOs and, for a single
// recipient, DATA go out in one write: a message then costs two round trips
// instead of four or more. A server that offers CHUNKING (RFC 3030) as well
// gets "BDAT <size> LAST" instead of DATA, followed in the same write by the
// message exactly as built: one round trip, and no dot-stuffing.
// Config.DisableChunking turns that off. With several recipients, DATA or
// BDAT waits for the replies to RCPT TO, so that a partly refused message
// can be reset before any of it is sent.
package smtp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/herold-dev/herold/internal/channel"
)

// ErrClosed is returned (wrapped in a retryable *channel.Error) by Send on a
// closed Sender.
var ErrClosed = errors.New("smtp sender is closed")

// Sender delivers emails to one SMTP server. It is safe for concurrent use;
// concurrent Sends share up to MaxConns connections and wait for a free one.
type Sender struct {
	cfg       Config
	logger    *slog.Logger
	tlsConfig *tls.Config
	limiter   *rate.Limiter // nil: unlimited

	// slots holds one token per Send using (or waiting for) a connection,
	// so at most MaxConns Sends are in progress.
	slots chan struct{}

	mu     sync.Mutex
	idle   []*conn // most recently used last
	closed bool
	// open counts the connections that exist or are being dialed, idle
	// or held by a Send; never more than limit.
	open int
	// dialing counts the connections of open being dialed.
	dialing int
	// limit is MaxConns, or fewer until lowUntil after the server refused
	// a connection while others were open (see get); lowered says it was
	// lowered and not yet logged.
	limit    int
	lowUntil time.Time
	lowered  bool
	refusal  *channel.Error // the reply that lowered it
	// freed, when not nil, is closed (and cleared) when a connection is
	// returned or closed: Sends waiting for one look again.
	freed chan struct{}

	done chan struct{} // closed by Close
	wg   sync.WaitGroup
}

var _ channel.Sender = (*Sender)(nil)

// New validates cfg, fills in defaults and returns a Sender. It does not
// connect; the first Send does. logger may be nil; the caller names its
// component (the app: "smtp"), the Sender adds the server.
func New(cfg Config, logger *slog.Logger) (*Sender, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("smtp config: %w", err)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Sender{
		cfg:    cfg,
		logger: logger.With("server", fmt.Sprintf("%s:%d", cfg.Host, cfg.Port)),
		tlsConfig: &tls.Config{
			ServerName:         cfg.Host,
			InsecureSkipVerify: cfg.InsecureSkipVerify, //nolint:gosec // explicit opt-in for test servers
			MinVersion:         tls.VersionTLS12,
		},
		slots: make(chan struct{}, cfg.MaxConns),
		limit: cfg.MaxConns,
		done:  make(chan struct{}),
	}
	if cfg.RatePerSecond > 0 {
		s.limiter = rate.NewLimiter(rate.Limit(cfg.RatePerSecond), 1)
	}
	s.wg.Add(1)
	go s.reapIdle()
	return s, nil
}

// Send delivers e and returns the server's reply to the end of the message
// (the end of DATA, or BDAT LAST). Errors are *channel.Error; invalid
// messages fail permanently before anything is sent. Send waits for a free
// connection and the rate limit, honouring ctx; when the rate limit would
// outlast ctx's deadline the error wraps channel.ErrRateLimited.
//
// A pooled connection that turns out to be dead at MAIL FROM (the server
// timed it out or restarted) is replaced without surfacing an error, since
// the server accepted nothing of the message on it.
func (s *Sender) Send(ctx context.Context, e *channel.Email) (channel.Result, error) {
	buf := channel.GetMIMEBuffer()
	// Nothing keeps the message once Send returns: the connection's
	// writer has copied or written it by then.
	defer buf.Release()
	data, err := buf.Build(e)
	if err != nil {
		return channel.Result{}, err
	}
	// Signed last, so the signature covers the bytes that go out.
	if s.cfg.Signer != nil {
		if data, err = s.cfg.Signer.SignMessage(e, data); err != nil {
			return channel.Result{}, err
		}
	}
	from, rcpts := channel.Envelope(e)

	select {
	case s.slots <- struct{}{}:
	case <-ctx.Done():
		return channel.Result{}, &channel.Error{Err: fmt.Errorf("wait for a connection: %w", ctx.Err())}
	case <-s.done:
		return channel.Result{}, &channel.Error{Err: ErrClosed}
	}
	defer func() { <-s.slots }()
	// select picks at random among ready cases, so check again.
	select {
	case <-s.done:
		return channel.Result{}, &channel.Error{Err: ErrClosed}
	default:
	}
	if err := ctx.Err(); err != nil {
		return channel.Result{}, &channel.Error{Err: fmt.Errorf("wait for a connection: %w", err)}
	}

	if s.limiter != nil {
		if err := s.limiter.Wait(ctx); err != nil {
			if ctx.Err() == nil { // the wait would outlast ctx's deadline
				err = fmt.Errorf("%w: %w", channel.ErrRateLimited, err)
			}
			return channel.Result{}, &channel.Error{Err: fmt.Errorf("wait for rate limit: %w", err)}
		}
	}

	for {
		c, reused, cerr := s.get(ctx)
		if cerr != nil {
			s.logger.Debug("connect failed", "err", cerr)
			return channel.Result{}, cerr
		}
		out := c.transact(ctx, from, rcpts, data)
		if out.reusable {
			s.put(c)
		} else {
			c.abort()
			s.gone()
		}
		if out.err == nil {
			return channel.Result{Reply: out.reply}, nil
		}
		// Each retry consumes a pooled connection, so this ends: at the
		// latest a fresh connection is dialed, and its failure is final.
		if reused && out.deadAtMail && ctx.Err() == nil {
			s.logger.Debug("pooled connection was dead, reconnecting", "err", out.err)
			continue
		}
		s.logger.Debug("send failed", "message_id", e.MessageID, "permanent", out.err.Permanent, "err", out.err)
		return channel.Result{}, out.err
	}
}

// refusedFor is how long the pool stays at the size a server accepted
// after it refused one more connection.
const refusedFor = time.Minute

// get returns an idle connection (reused true) or dials a new one while
// fewer than the pool's limit exist; otherwise it waits for one to be
// returned.
//
// Mail servers often bound the connections of one client (a relay may
// accept 3 or 10) and refuse further ones at connect or with a 4xx
// greeting. So when a dial fails while other connections to the server
// are open or being dialed, the message is not failed: it waits for one
// of those, and the pool keeps to the number open for refusedFor before
// it tries to grow again. A dial that fails when no other connection is
// left is the message's error.
func (s *Sender) get(ctx context.Context) (*conn, bool, *channel.Error) {
	var failed *channel.Error // this Send's dial failed: it waits for another connection
	for {
		var expired []*conn
		s.mu.Lock()
		if s.limit < s.cfg.MaxConns && !time.Now().Before(s.lowUntil) {
			s.limit = s.cfg.MaxConns
		}
		var c *conn
		for len(s.idle) > 0 && c == nil {
			last := s.idle[len(s.idle)-1]
			s.idle = s.idle[:len(s.idle)-1]
			if time.Since(last.lastUsed) < s.cfg.IdleTimeout {
				c = last
			} else {
				expired = append(expired, last)
			}
		}
		s.open -= len(expired)
		canDial := c == nil && failed == nil && s.open < s.limit
		if canDial {
			s.open++
			s.dialing++
		}
		giveUp := c == nil && failed != nil && s.open == 0 // the others failed as well
		var freed chan struct{}
		if c == nil && !canDial && !giveUp {
			if s.freed == nil {
				s.freed = make(chan struct{})
			}
			freed = s.freed
		}
		s.mu.Unlock()
		for _, e := range expired {
			e.abort() // no QUIT round trip while a message waits
		}
		switch {
		case c != nil:
			return c, true, nil
		case canDial:
			c, cerr := dial(ctx, s.cfg, s.tlsConfig)
			if cerr == nil {
				s.mu.Lock()
				s.dialing--
				s.logLowered()
				s.mu.Unlock()
				s.logger.Debug("connected", "tls", s.cfg.TLS)
				return c, false, nil
			}
			if !s.refused(cerr) || ctx.Err() != nil {
				return nil, false, cerr
			}
			failed = cerr
			continue
		case giveUp:
			return nil, false, failed
		}
		select {
		case <-freed:
		case <-ctx.Done():
			return nil, false, &channel.Error{Err: fmt.Errorf("wait for a connection: %w", ctx.Err())}
		case <-s.done:
			return nil, false, &channel.Error{Err: ErrClosed}
		}
	}
}

// refused accounts for a failed dial. When other connections are open or
// being dialed it lowers the pool's limit to their number for refusedFor
// and reports true: the caller waits for one of them.
func (s *Sender) refused(cerr *channel.Error) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.open--
	s.dialing--
	others := s.open
	if others > 0 {
		if s.limit == s.cfg.MaxConns {
			s.lowered, s.refusal = true, cerr
		}
		s.limit = min(s.limit, others)
		s.lowUntil = time.Now().Add(refusedFor)
	}
	s.logLowered()
	s.wake()
	return others > 0
}

// logLowered says at WARN, once per lowering, how many connections the
// pool keeps to: when no dial is in progress any more, so the number is
// what the server accepted. s.mu is held.
func (s *Sender) logLowered() {
	if !s.lowered || s.dialing > 0 {
		return
	}
	s.lowered = false
	s.logger.Warn("SMTP server refused further connections; sending over those it accepted",
		"connections", s.open, "for", refusedFor, "err", s.refusal)
}

// gone accounts for a connection closed by its holder.
func (s *Sender) gone() {
	s.mu.Lock()
	s.open--
	s.wake()
	s.mu.Unlock()
}

// wake lets Sends waiting for a connection look again. s.mu is held.
func (s *Sender) wake() {
	if s.freed != nil {
		close(s.freed)
		s.freed = nil
	}
}

// put returns a healthy connection to the pool, or closes it when the
// Sender is closed.
func (s *Sender) put(c *conn) {
	s.mu.Lock()
	if s.closed || len(s.idle) >= s.cfg.MaxConns {
		s.mu.Unlock()
		c.close()
		s.gone()
		return
	}
	s.idle = append(s.idle, c)
	s.wake()
	s.mu.Unlock()
}

// reapIdle closes connections idle for IdleTimeout until Close.
func (s *Sender) reapIdle() {
	defer s.wg.Done()
	ticker := time.NewTicker(max(s.cfg.IdleTimeout/4, 10*time.Millisecond))
	defer ticker.Stop()
	for {
		select {
		case <-s.done:
			return
		case <-ticker.C:
		}
		var expired []*conn
		s.mu.Lock()
		keep := s.idle[:0]
		for _, c := range s.idle {
			if time.Since(c.lastUsed) >= s.cfg.IdleTimeout {
				expired = append(expired, c)
			} else {
				keep = append(keep, c)
			}
		}
		clear(s.idle[len(keep):])
		s.idle = keep
		s.open -= len(expired)
		s.mu.Unlock()
		for _, c := range expired {
			c.close()
		}
		if len(expired) > 0 {
			s.logger.Debug("closed idle connections", "count", len(expired))
		}
	}
}

// Close says QUIT on idle connections and closes them. Sends in flight
// finish and close their connection afterwards; later Sends fail with
// ErrClosed (retryable). Close is idempotent.
func (s *Sender) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	idle := s.idle
	s.idle = nil
	s.open -= len(idle)
	close(s.done)
	s.mu.Unlock()
	s.wg.Wait()
	for _, c := range idle {
		c.close()
	}
	return nil
}
