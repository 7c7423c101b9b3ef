// Package smtptest runs a real SMTP server on 127.0.0.1 for tests: it accepts
// mail over a real TCP connection (go-smtp), records every accepted message
// with its envelope and decoded parts, and can be scripted to reject, stall,
// drop the connection, require AUTH, speak TLS, go away and come back.
//
//	srv := smtptest.Start(t, smtptest.WithDataReply(func(n int, _ string, _ []string, _ []byte) *smtptest.Reply {
//		if n <= 2 {
//			return &smtptest.Reply{Code: 451, Enhanced: "4.3.0", Message: "try again later"}
//		}
//		return nil
//	}))
//	... point the code under test at srv.Host(), srv.Port() ...
//	mails := srv.WaitForMails(t, 1, 5*time.Second)
package smtptest

import (
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Server is a running test SMTP server. Its methods are safe for concurrent
// use.
type Server struct {
	cfg       config
	tlsConfig *tls.Config
	addr      string

	dataN    atomic.Int64 // DATA commands seen
	rejected atomic.Int64
	conns    atomic.Int64
	open     atomic.Int64

	mu      sync.Mutex
	srv     *smtp.Server  // nil while stopped
	ln      net.Listener  // the current generation's listener
	quit    chan struct{} // closed when the current generation stops
	mails   []Mail
	changed chan struct{} // closed and replaced on every mail and connection change
}

// Start starts a server on 127.0.0.1 with a free port. It is stopped when
// the test ends. Start fails the test if the server cannot start.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{changed: make(chan struct{})}
	for _, o := range opts {
		o(&s.cfg)
	}
	if s.cfg.tls {
		cfg, err := selfSignedTLS()
		if err != nil {
			t.Fatalf("smtptest: %v", err)
		}
		s.tlsConfig = cfg
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtptest: listen: %v", err)
	}
	s.addr = ln.Addr().String()
	s.serve(ln)
	t.Cleanup(s.Stop)
	return s
}

// Addr returns the server's "127.0.0.1:port".
func (s *Server) Addr() string { return s.addr }

// Host returns "127.0.0.1".
func (s *Server) Host() string {
	host, _, _ := net.SplitHostPort(s.addr)
	return host
}

// Port returns the server's port; it stays the same across Restart.
func (s *Server) Port() int {
	_, port, _ := net.SplitHostPort(s.addr)
	n, _ := strconv.Atoi(port)
	return n
}

// serve starts a new go-smtp server generation on ln.
func (s *Server) serve(ln net.Listener) {
	var l net.Listener = countingListener{Listener: ln, s: s}
	srv := smtp.NewServer(backend{s})
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ErrorLog = log.New(io.Discard, "", 0)
	srv.EnableSMTPUTF8 = s.cfg.smtputf8
	if s.tlsConfig != nil {
		if s.cfg.implicit {
			l = tls.NewListener(l, s.tlsConfig)
		} else {
			srv.TLSConfig = s.tlsConfig
		}
	}
	s.mu.Lock()
	s.srv = srv
	s.ln = ln
	s.quit = make(chan struct{})
	s.mu.Unlock()
	go func() { _ = srv.Serve(l) }()
}

// Stop closes the listener and every open connection, so clients get
// "connection refused" until Restart. Stopping a stopped server does nothing.
func (s *Server) Stop() {
	s.mu.Lock()
	srv := s.srv
	if srv == nil {
		s.mu.Unlock()
		return
	}
	close(s.quit)
	ln := s.ln
	s.srv, s.ln = nil, nil
	s.mu.Unlock()
	// go-smtp closes only listeners its Serve goroutine has registered,
	// which may not have happened yet; close ours so the port is free now.
	_ = ln.Close()
	// Closing connections calls back into connClosed, which takes s.mu.
	_ = srv.Close()
}

// Restart listens again on the same port (stopping first if running), with
// the same options, recorded mails and counters.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.Stop()
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		t.Fatalf("smtptest: listen again on %s: %v", s.addr, err)
	}
	s.serve(ln)
}

// Mails returns the accepted mails so far, oldest first. The returned Mails
// share their byte slices and headers with the server: do not modify them.
func (s *Server) Mails() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.mails)
}

// WaitForMails waits until at least n mails were accepted and returns all of
// them. After timeout it fails the test (t.Fatalf, so call it from the test's
// goroutine) with how far the server got.
func (s *Server) WaitForMails(t testing.TB, n int, timeout time.Duration) []Mail {
	t.Helper()
	if !s.waitFor(func() bool { return len(s.mails) >= n }, timeout) {
		t.Fatalf("smtptest: waited %s for %d mails, got %d (DATA commands %d, rejected %d, connections %d)",
			timeout, n, s.Count(), s.dataN.Load(), s.Rejected(), s.Connections())
		return nil
	}
	return s.Mails()
}

// WaitForOpenConnections waits until exactly n connections are open, e.g. 0
// after a client closed its pool. After timeout it fails the test.
func (s *Server) WaitForOpenConnections(t testing.TB, n int, timeout time.Duration) {
	t.Helper()
	if !s.waitFor(func() bool { return int(s.open.Load()) == n }, timeout) {
		t.Fatalf("smtptest: waited %s for %d open connections, have %d", timeout, n, s.OpenConnections())
	}
}

// waitFor waits until cond, evaluated under s.mu, holds; false on timeout.
func (s *Server) waitFor(cond func() bool, timeout time.Duration) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		ok, changed := cond(), s.changed
		s.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-changed:
		case <-deadline.C:
			return false
		}
	}
}

// notify wakes waiters; the caller holds s.mu.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// Count returns the number of accepted mails.
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.mails)
}

// Rejected returns how many commands got a scripted 4xx/5xx reply (MAIL,
// RCPT or DATA) plus the DATA commands dropped mid-way. Missing AUTH and
// failed AUTH are not counted.
func (s *Server) Rejected() int { return int(s.rejected.Load()) }

// Connections returns how many TCP connections the server accepted, across
// restarts.
func (s *Server) Connections() int { return int(s.conns.Load()) }

// OpenConnections returns how many accepted connections are still open; it
// drops when either side closes (after a QUIT, Stop, or a dropped client).
func (s *Server) OpenConnections() int { return int(s.open.Load()) }

// record stores an accepted mail and wakes waiters.
func (s *Server) record(m Mail) {
	parseMail(&m)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mails = append(s.mails, m)
	s.notify()
}

// connOpened and connClosed track connections and wake waiters.
func (s *Server) connOpened() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conns.Add(1)
	s.open.Add(1)
	s.notify()
}

func (s *Server) connClosed() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.open.Add(-1)
	s.notify()
}

// quitChan returns the channel closed when the current generation stops.
func (s *Server) quitChan() chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.quit
}

// countingListener counts accepted and still open connections.
type countingListener struct {
	net.Listener
	s *Server
}

// Accept counts and wraps each accepted connection.
func (l countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.s.connOpened()
	return &trackedConn{Conn: c, s: l.s}, nil
}

// trackedConn reports its closing once. The server closes every connection
// when its handler ends, including after the client hung up.
type trackedConn struct {
	net.Conn
	once sync.Once
	s    *Server
}

// Close reports the closing once and closes the connection.
func (c *trackedConn) Close() error {
	c.once.Do(c.s.connClosed)
	return c.Conn.Close()
}

// queueID names the n-th DATA command in the accepting reply.
func queueID(n int) string { return fmt.Sprintf("T%06d", n) }
