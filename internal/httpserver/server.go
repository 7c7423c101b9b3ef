// Package httpserver serves Herold's HTTP: the server with its timeouts
// and its bound on connections, and the middleware that measures and logs
// every request of the API and the cockpit.
package httpserver

import (
	"log"
	"net"
	"net/http"
	"time"

	"golang.org/x/net/netutil"

	"github.com/herold-dev/herold/internal/config"
)

// New returns the server for h with the timeouts of c (defaults applied
// by config.Options.WithDefaults). Errors of the server itself (a failed
// TLS handshake, a panic in a handler) go to errorLog.
func New(h http.Handler, c config.HTTP, errorLog *log.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: c.ReadHeaderTimeout,
		ReadTimeout:       c.ReadTimeout,
		WriteTimeout:      c.WriteTimeout,
		IdleTimeout:       c.IdleTimeout,
		ErrorLog:          errorLog,
	}
}

// Listen listens on addr, accepting at most c.MaxConns connections at
// once (none when it is -1): further clients wait in the kernel's backlog
// until a connection ends, instead of the process running out of file
// descriptors, which would fail every accept, the health checks' too.
func Listen(addr string, c config.HTTP) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	if c.MaxConns > 0 {
		ln = netutil.LimitListener(ln, c.MaxConns)
	}
	return ln, nil
}

// LongLived lifts the write timeout for the request w answers: a
// long-lived answer (a stream of server-sent events, a large download)
// calls it before it starts writing, and then ends on its own (when the
// client goes, r.Context() ends, or the server stops). Other requests
// keep the server's WriteTimeout.
func LongLived(w http.ResponseWriter) error {
	return http.NewResponseController(w).SetWriteDeadline(time.Time{})
}
