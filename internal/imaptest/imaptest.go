// Package imaptest starts a real IMAP server for tests: go-imap's server
// with its in-memory backend, on 127.0.0.1, with TLS.
package imaptest

import (
	"bytes"
	"crypto/tls"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
)

// User and Password log in to a Server.
const (
	User     = "herold"
	Password = "secret"
)

// Server is an IMAP server with one user and an empty INBOX.
type Server struct {
	t    testing.TB
	user *imapmemserver.User
	// Addr is the server's host:port.
	Addr string
	// TLS is a client configuration that trusts the server's certificate.
	TLS *tls.Config
}

// Start starts a Server that stops when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	certs := httptest.NewTLSServer(http.NotFoundHandler()) // only for its 127.0.0.1 certificate
	t.Cleanup(certs.Close)
	mem := imapmemserver.New()
	user := imapmemserver.NewUser(User, Password)
	if err := user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(user)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return mem.NewSession(), nil, nil
		},
		Caps:   imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		Logger: slog.NewLogLogger(slog.DiscardHandler, slog.LevelError),
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serverTLS := certs.TLS.Clone()
	serverTLS.NextProtos = nil // the client asks for "imap", not HTTP
	go func() { _ = srv.Serve(tls.NewListener(ln, serverTLS)) }()
	t.Cleanup(func() { _ = srv.Close() })
	return &Server{t: t, user: user, Addr: ln.Addr().String(),
		TLS: certs.Client().Transport.(*http.Transport).TLSClientConfig}
}

// Append puts raw into the INBOX, unseen.
func (s *Server) Append(raw []byte) {
	s.t.Helper()
	if _, err := s.user.Append("INBOX", bytes.NewReader(raw), &imap.AppendOptions{}); err != nil {
		s.t.Fatal(err)
	}
}

// Unseen is the number of messages in the INBOX without \Seen.
func (s *Server) Unseen() uint32 {
	s.t.Helper()
	st, err := s.user.Status("INBOX", &imap.StatusOptions{NumUnseen: true})
	if err != nil {
		s.t.Fatal(err)
	}
	return *st.NumUnseen
}
