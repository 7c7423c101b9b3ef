package smtptest

import (
	"fmt"
	"time"

	"github.com/emersion/go-smtp"
)

// Reply is a scripted SMTP reply. A nil *Reply, a zero Reply or a 2xx code
// accepts; a 4xx or 5xx code rejects with that reply.
type Reply struct {
	// Code is the reply code, e.g. 451 or 550.
	Code int
	// Enhanced is the RFC 3463 status code, e.g. "5.1.1". Empty means
	// "X.0.0" with X the first digit of Code.
	Enhanced string
	// Message is the reply text after the codes.
	Message string
}

// accepts reports whether r lets the command through.
func (r *Reply) accepts() bool {
	return r == nil || r.Code == 0 || r.Code/100 == 2
}

// smtpError turns r into the error go-smtp writes as the reply.
func (r *Reply) smtpError() *smtp.SMTPError {
	e := &smtp.SMTPError{Code: r.Code, EnhancedCode: smtp.EnhancedCodeNotSet, Message: r.Message}
	var a, b, c int
	if _, err := fmt.Sscanf(r.Enhanced, "%d.%d.%d", &a, &b, &c); err == nil {
		e.EnhancedCode = smtp.EnhancedCode{a, b, c}
	}
	if e.Message == "" {
		e.Message = "scripted reply"
	}
	return e
}

// Option configures a Server.
type Option func(*config)

type config struct {
	mailReply func(from string) *Reply
	rcptReply func(rcpt string) *Reply
	dataReply func(n int, from string, rcpts []string, data []byte) *Reply
	delay     func(n int) time.Duration
	drop      func(n int) bool
	user      string
	pass      string
	auth      bool
	tls       bool
	implicit  bool
	smtputf8  bool
}

// WithDataReply scripts the reply to each message: fn is called once per
// DATA command after the data was read, n counting DATA commands server-wide
// from 1. Return nil to accept, a 4xx/5xx reply to reject (e.g. 451 for
// n <= 2, then nil). A 421 reply also closes the connection afterwards, as a
// real server shutting down would.
func WithDataReply(fn func(n int, from string, rcpts []string, data []byte) *Reply) Option {
	return func(c *config) { c.dataReply = fn }
}

// WithRcptReply scripts the reply to each RCPT TO command; nil accepts.
func WithRcptReply(fn func(rcpt string) *Reply) Option {
	return func(c *config) { c.rcptReply = fn }
}

// WithMailReply scripts the reply to each MAIL FROM command; nil accepts.
func WithMailReply(fn func(from string) *Reply) Option {
	return func(c *config) { c.mailReply = fn }
}

// WithAuth requires AUTH PLAIN with these credentials before MAIL FROM.
// AUTH is offered without TLS too, since the test server is local.
func WithAuth(user, pass string) Option {
	return func(c *config) { c.auth, c.user, c.pass = true, user, pass }
}

// WithDelay stalls before answering the n-th DATA command for fn(n), after
// the data was read (for timeout and "server stalls" tests). The stall ends
// early when the server stops.
func WithDelay(fn func(n int) time.Duration) Option {
	return func(c *config) { c.delay = fn }
}

// WithDropMidData closes the connection in the middle of the n-th DATA
// command when fn(n) is true: the server reads the start of the message and
// hangs up without a reply. The DATA command counts as rejected.
func WithDropMidData(fn func(n int) bool) Option {
	return func(c *config) { c.drop = fn }
}

// WithSMTPUTF8 advertises the SMTPUTF8 extension (RFC 6531); Mail.UTF8
// records whether the client asked for it.
func WithSMTPUTF8() Option {
	return func(c *config) { c.smtputf8 = true }
}

// WithTLS serves TLS with a self-signed certificate for 127.0.0.1 and
// localhost, generated at Start: implicit TLS from the first byte when
// implicit is true, STARTTLS otherwise. Clients must skip verification.
func WithTLS(implicit bool) Option {
	return func(c *config) { c.tls, c.implicit = true, implicit }
}
