package smtptest

import (
	"errors"
	"io"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

var errAuthRequired = &smtp.SMTPError{
	Code:         530,
	EnhancedCode: smtp.EnhancedCode{5, 7, 0},
	Message:      "Authentication required",
}

// backend creates one session per connection.
type backend struct{ s *Server }

// NewSession is called at the first EHLO of a connection (and again after
// STARTTLS).
func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{s: b.s, conn: c, quit: b.s.quitChan()}, nil
}

// session is one client connection's state. go-smtp calls its methods from
// the connection's goroutine only.
type session struct {
	s      *Server
	conn   *smtp.Conn
	quit   chan struct{}
	authed bool
	utf8   bool
	from   string
	rcpts  []string
	// closeOnReset is set after a 421 reply: the connection closes at the
	// next reset, right after the reply to DATA or at the client's RSET.
	closeOnReset bool
}

var _ smtp.AuthSession = (*session)(nil)

// AuthMechanisms offers PLAIN when WithAuth was given.
func (ss *session) AuthMechanisms() []string {
	if !ss.s.cfg.auth {
		return nil
	}
	return []string{sasl.Plain}
}

// Auth checks PLAIN credentials against WithAuth's.
func (ss *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain || !ss.s.cfg.auth {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != ss.s.cfg.user || pass != ss.s.cfg.pass {
			return smtp.ErrAuthFailed
		}
		ss.authed = true
		return nil
	}), nil
}

// Mail checks AUTH and the scripted MAIL reply.
func (ss *session) Mail(from string, opts *smtp.MailOptions) error {
	if ss.s.cfg.auth && !ss.authed {
		return errAuthRequired
	}
	if fn := ss.s.cfg.mailReply; fn != nil {
		if err := ss.reject(fn(from)); err != nil {
			return err
		}
	}
	ss.from = from
	ss.utf8 = opts != nil && opts.UTF8
	return nil
}

// Rcpt applies the scripted RCPT reply.
func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if fn := ss.s.cfg.rcptReply; fn != nil {
		if err := ss.reject(fn(to)); err != nil {
			return err
		}
	}
	ss.rcpts = append(ss.rcpts, to)
	return nil
}

// Data applies drops, delays and the scripted DATA reply, and records the
// mail when it is accepted.
func (ss *session) Data(r io.Reader) error {
	cfg := &ss.s.cfg
	n := int(ss.s.dataN.Add(1))
	if cfg.drop != nil && cfg.drop(n) {
		// Read a little so the client is truly mid-message, then hang up.
		_, _ = io.ReadFull(r, make([]byte, 16))
		ss.s.rejected.Add(1)
		_ = ss.conn.Conn().Close()
		return errors.New("connection dropped by test")
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if cfg.delay != nil {
		if d := cfg.delay(n); d > 0 {
			timer := time.NewTimer(d)
			select {
			case <-timer.C:
			case <-ss.quit:
				timer.Stop()
			}
		}
	}
	var reply *Reply
	if cfg.dataReply != nil {
		reply = cfg.dataReply(n, ss.from, append([]string(nil), ss.rcpts...), data)
	}
	if err := ss.reject(reply); err != nil {
		return err
	}
	id := queueID(n)
	_, isTLS := ss.conn.TLSConnectionState()
	ss.s.record(Mail{
		TLS:        isTLS,
		UTF8:       ss.utf8,
		From:       ss.from,
		Rcpts:      append([]string(nil), ss.rcpts...),
		Data:       data,
		QueueID:    id,
		ReceivedAt: time.Now(),
	})
	// go-smtp writes an *SMTPError returned from Data as the reply, whatever
	// its code; that is the only way to name the queue id in the 250.
	accept := &smtp.SMTPError{Code: 250, EnhancedCode: smtp.EnhancedCode{2, 0, 0}, Message: "OK: queued as " + id}
	if reply != nil && reply.Code/100 == 2 {
		accept = reply.smtpError()
	}
	return accept
}

// reject returns the SMTP error for a rejecting reply and counts it, nil for
// an accepting one.
func (ss *session) reject(r *Reply) error {
	if r.accepts() {
		return nil
	}
	ss.s.rejected.Add(1)
	if r.Code == 421 {
		ss.closeOnReset = true
	}
	return r.smtpError()
}

// Reset clears the transaction, and closes the connection after a 421.
func (ss *session) Reset() {
	ss.from = ""
	ss.utf8 = false
	ss.rcpts = nil
	if ss.closeOnReset {
		// Close the socket, not the smtp.Conn: go-smtp holds the
		// connection's lock while calling Reset.
		_ = ss.conn.Conn().Close()
	}
}

// Logout has nothing to free.
func (ss *session) Logout() error { return nil }
