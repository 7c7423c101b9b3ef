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

// Listen listens on addr, serving at most Bound(c.MaxConns) connections
// at once, which it returns (0: no bound): further clients wait in the
// kernel's backlog until a connection ends, instead of the process running
// out of file descriptors, which would fail every accept, the health
// checks' too, and the database's and SMTP's files and sockets.
func Listen(addr string, c config.HTTP) (net.Listener, int, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, 0, err
	}
	n := Bound(c.MaxConns, openFileLimit())
	if n > 0 {
		ln = netutil.LimitListener(ln, n)
	}
	return ln, n, nil
}

// Bound is the connection bound for a configured maxConns (-1: none) under
// an open-file limit (0: unknown): at most half the limit, so that the
// database, SMTP and the process's own files keep the other half.
func Bound(maxConns, fileLimit int) int {
	if maxConns < 0 {
		return 0
	}
	if fileLimit > 0 {
		return max(1, min(maxConns, fileLimit/2))
	}
	return maxConns
}

// LongLived lifts the write timeout for the request w answers: a
// long-lived answer (a stream of server-sent events, a large download)
// calls it before it starts writing, and then ends on its own (when the
// client goes, r.Context() ends, or the server stops). Other requests
// keep the server's WriteTimeout.
func LongLived(w http.ResponseWriter) error {
	return http.NewResponseController(w).SetWriteDeadline(time.Time{})
}
