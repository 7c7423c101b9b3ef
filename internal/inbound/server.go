package inbound

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/herold-dev/herold/internal/model"
)

// ServerConfig configures the inbound listener.
type ServerConfig struct {
	// Addr is where to listen, e.g. "127.0.0.1:2525" (--inbound-addr).
	Addr string
	// LMTP speaks LMTP (RFC 2033) instead of SMTP, for an MTA that hands
	// mail over by LMTP.
	LMTP     bool
	Receiver *Receiver
	Logger   *slog.Logger
	// MaxMessageBytes bounds one message. Default 10 MiB.
	MaxMessageBytes int64
	// MaxRecipients bounds the recipients of one message. Default 10.
	MaxRecipients int
	// MaxConnections bounds the connections served at once; more wait
	// to be accepted. Default 50.
	MaxConnections int
	// Timeout bounds each command and each read or write. Default 1 min.
	Timeout time.Duration
	// Domain is the name the listener greets with. Default "herold".
	Domain string
}

// Server is the inbound SMTP/LMTP listener: it accepts mail for the
// workspaces' inbound addresses and hands each message to the Receiver.
type Server struct {
	cfg  ServerConfig
	log  *slog.Logger
	srv  *smtp.Server
	ln   net.Listener
	done chan struct{}
	// stopping is set by Stop: Serve's error is then expected.
	stopping atomic.Bool
}

// NewServer checks cfg and returns a stopped Server.
func NewServer(cfg ServerConfig) (*Server, error) {
	if cfg.Receiver == nil || cfg.Addr == "" {
		return nil, errors.New("inbound server: Addr and Receiver are required")
	}
	cfg.MaxMessageBytes = cmp.Or(cfg.MaxMessageBytes, 10<<20)
	cfg.MaxRecipients = cmp.Or(cfg.MaxRecipients, 10)
	cfg.MaxConnections = cmp.Or(cfg.MaxConnections, 50)
	cfg.Timeout = cmp.Or(cfg.Timeout, time.Minute)
	cfg.Domain = cmp.Or(cfg.Domain, "herold")
	return &Server{cfg: cfg, log: cmp.Or(cfg.Logger, slog.Default()).With("component", "inbound")}, nil
}

// Start listens and serves in the background; it returns once listening.
func (s *Server) Start() error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen for inbound mail on %s: %w", s.cfg.Addr, err)
	}
	srv := smtp.NewServer(&backend{s: s})
	srv.Domain, srv.LMTP = s.cfg.Domain, s.cfg.LMTP
	srv.MaxMessageBytes, srv.MaxRecipients = s.cfg.MaxMessageBytes, s.cfg.MaxRecipients
	srv.ReadTimeout, srv.WriteTimeout = s.cfg.Timeout, s.cfg.Timeout
	srv.ErrorLog = errorLog{s.log}
	s.srv, s.ln, s.done = srv, &limitListener{Listener: ln, sem: make(chan struct{}, s.cfg.MaxConnections)}, make(chan struct{})
	go func() {
		defer close(s.done)
		if err := srv.Serve(s.ln); err != nil && !errors.Is(err, smtp.ErrServerClosed) && !s.stopping.Load() {
			s.log.Error("inbound listener stopped", "error", err)
		}
	}()
	s.log.Info("listening for inbound mail", "addr", ln.Addr().String(), "lmtp", s.cfg.LMTP)
	return nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Stop stops accepting and waits for the messages in flight until ctx
// ends; then it closes the connections.
func (s *Server) Stop(ctx context.Context) error {
	if s.srv == nil {
		return nil
	}
	s.stopping.Store(true)
	err := s.srv.Shutdown(ctx)
	if err != nil {
		_ = s.srv.Close()
	}
	// Serve registers its listener when it starts; a Stop right after
	// Start can come first, and Shutdown would then not close it.
	_ = s.ln.Close()
	<-s.done
	return err
}

type backend struct{ s *Server }

func (b *backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{s: b.s, remote: c.Conn().RemoteAddr().String()}, nil
}

type rcpt struct {
	addr string
	ws   *model.Workspace
}

type session struct {
	s      *Server
	remote string
	from   string
	rcpts  []rcpt
}

func (x *session) Reset()        { x.from, x.rcpts = "", nil }
func (x *session) Logout() error { return nil }

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	ctx, cancel := context.WithTimeout(context.Background(), x.s.cfg.Timeout)
	defer cancel()
	ws, err := x.s.cfg.Receiver.Workspace(ctx, to)
	if errors.Is(err, ErrUnknownRecipient) {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no workspace receives mail at " + to}
	}
	if err != nil {
		x.s.log.Warn("inbound recipient lookup failed", "rcpt", to, "remote", x.remote, "error", err)
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "temporary failure, try again later"}
	}
	x.rcpts = append(x.rcpts, rcpt{addr: strings.ToLower(to), ws: ws})
	return nil
}

// Data stores the message once per recipient's workspace. A failure to
// store is a 451: the sending MTA keeps the message and retries, and the
// retry is deduplicated by Message-ID and content.
func (x *session) Data(r io.Reader) error {
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(r); err != nil {
		return err // too large: go-smtp's 552
	}
	ctx, cancel := context.WithTimeout(context.Background(), x.s.cfg.Timeout)
	defer cancel()
	done := map[int64]bool{}
	for _, rc := range x.rcpts {
		if done[rc.ws.ID] {
			continue
		}
		done[rc.ws.ID] = true
		if _, err := x.s.cfg.Receiver.Receive(ctx, rc.ws, Envelope{From: x.from, To: rc.addr}, buf.Bytes()); err != nil {
			x.s.log.Warn("storing inbound mail failed; the sender will retry", "workspace", rc.ws.Key, "rcpt", rc.addr,
				"remote", x.remote, "error", err)
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "temporary failure, try again later"}
		}
	}
	return nil
}

// limitListener accepts at most cap(sem) connections at once.
type limitListener struct {
	net.Listener
	sem chan struct{}
}

func (l *limitListener) Accept() (net.Conn, error) {
	l.sem <- struct{}{}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.sem
		return nil, err
	}
	return &limitConn{Conn: c, release: func() { <-l.sem }}, nil
}

type limitConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitConn) Close() error {
	c.once.Do(c.release)
	return c.Conn.Close()
}

// errorLog sends go-smtp's connection errors to the logger at WARN.
type errorLog struct{ log *slog.Logger }

func (e errorLog) Printf(format string, v ...any) { e.log.Warn(fmt.Sprintf(format, v...)) }
func (e errorLog) Println(v ...any)               { e.log.Warn(fmt.Sprint(v...)) }
