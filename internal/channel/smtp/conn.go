package smtp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	gmsmtp "github.com/wneessen/go-mail/smtp"

	"github.com/herold-dev/herold/internal/channel"
)

// conn is one SMTP connection: greeted, upgraded to TLS and authenticated as
// configured, ready for mail transactions. One goroutine uses it at a time.
//
// go-mail's client speaks the greeting, EHLO, STARTTLS, AUTH, RSET and
// QUIT; the mail transaction itself goes over the client's exported
// textproto connection (exchange), which pipelines, sends the message with
// BDAT where the server offers CHUNKING, and otherwise writes the content
// without go-mail's byte-at-a-time dot-stuffing. go-mail keeps no
// transaction state, and exchange does not use textproto's request
// sequencing, so go-mail's later commands stay in step.
type conn struct {
	client   *gmsmtp.Client
	raw      net.Conn // the dialed connection; deadlines set here reach TLS too
	timeout  time.Duration
	lastUsed time.Time

	// Extensions the server offered after STARTTLS, read once: the mail
	// transaction is written by exchange, not by go-mail. chunking is
	// false when Config.DisableChunking is set.
	pipelining, chunking, eightBitMIME, smtpUTF8 bool

	// mu orders deadline extensions against cancellation, so a cancelled
	// context's past deadline is never overwritten by a fresh one.
	mu sync.Mutex
}

// dial opens a connection and brings it to the point where MAIL FROM can be
// sent. Every failure is retryable: it concerns the transport, not a message.
func dial(ctx context.Context, cfg Config, tlsConfig *tls.Config) (*conn, *channel.Error) {
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	dctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	var raw net.Conn
	var err error
	if cfg.TLS == TLSImplicit {
		raw, err = (&tls.Dialer{Config: tlsConfig}).DialContext(dctx, "tcp", addr)
	} else {
		raw, err = (&net.Dialer{}).DialContext(dctx, "tcp", addr)
	}
	if err != nil {
		return nil, classify(stageConnect, "connect to "+addr, err)
	}
	c := &conn{raw: raw, timeout: cfg.Timeout}
	if cerr := c.setup(ctx, cfg, tlsConfig); cerr != nil {
		_ = raw.Close()
		return nil, cerr
	}
	return c, nil
}

// setup reads the greeting, says EHLO, starts TLS and authenticates.
func (c *conn) setup(ctx context.Context, cfg Config, tlsConfig *tls.Config) *channel.Error {
	stop := c.watch(ctx)
	defer stop()
	step := func(name string, fn func() error) *channel.Error {
		return c.step(ctx, stageConnect, name, fn)
	}
	if cerr := step("read greeting", func() (err error) {
		c.client, err = gmsmtp.NewClient(c.raw, cfg.Host)
		return err
	}); cerr != nil {
		return cerr
	}
	if cerr := step("EHLO", func() error { return c.client.Hello(cfg.HELO) }); cerr != nil {
		return cerr
	}
	if cfg.TLS == TLSStartTLS || cfg.TLS == TLSStartTLSOptional {
		offered, _ := c.client.Extension("STARTTLS")
		switch {
		case offered:
			if cerr := step("STARTTLS", func() error { return c.client.StartTLS(tlsConfig) }); cerr != nil {
				return cerr
			}
		case cfg.TLS == TLSStartTLS:
			return &channel.Error{Err: fmt.Errorf("server %s does not offer STARTTLS; "+
				"set tls to starttls-optional or none to send without encryption", cfg.Host)}
		}
	}
	c.pipelining, _ = c.client.Extension("PIPELINING")
	c.chunking, _ = c.client.Extension("CHUNKING")
	c.chunking = c.chunking && !cfg.DisableChunking
	c.eightBitMIME, _ = c.client.Extension("8BITMIME")
	c.smtpUTF8, _ = c.client.Extension("SMTPUTF8")
	if cfg.Username == "" {
		return nil
	}
	auth, err := c.authMechanism(cfg)
	if err != nil {
		return &channel.Error{Err: err}
	}
	return step("AUTH", func() error { return c.client.Auth(auth) })
}

// authMechanism picks PLAIN or LOGIN, whichever the server offers. Plain
// text credentials are allowed only with TLS "none"; otherwise go-mail
// refuses them outside TLS unless the server is localhost.
func (c *conn) authMechanism(cfg Config) (gmsmtp.Auth, error) {
	offered, mechs := c.client.Extension("AUTH")
	if !offered {
		return nil, fmt.Errorf("server %s does not offer AUTH but a username is configured", cfg.Host)
	}
	list := strings.Fields(strings.ToUpper(mechs))
	plainText := cfg.TLS == TLSNone
	switch {
	case slices.Contains(list, "PLAIN"):
		return gmsmtp.PlainAuth("", cfg.Username, cfg.Password, cfg.Host, plainText), nil
	case slices.Contains(list, "LOGIN"):
		return gmsmtp.LoginAuth(cfg.Username, cfg.Password, cfg.Host, plainText), nil
	}
	return nil, fmt.Errorf("server %s offers AUTH %s; PLAIN or LOGIN is needed", cfg.Host, mechs)
}

// outcome is the result of one mail transaction.
type outcome struct {
	reply string         // the reply to the end of DATA or to BDAT LAST, on success
	err   *channel.Error // nil on success
	// reusable says the connection is in a known state (the server
	// answered; RSET was sent after a rejection) and may carry another
	// message.
	reusable bool
	// deadAtMail says the connection failed at MAIL FROM in a way that
	// proves the server accepted nothing of the message
	// (exchange.deadAtMail), so a pooled connection that the server had
	// closed while idle can be replaced and the message sent again at no
	// risk.
	deadAtMail bool
}

// transact sends one message over c: data as BuildMIME built it, with CRLF
// line ends.
//
// With PIPELINING (RFC 2920) the envelope goes out in one write and its
// replies are read together: two round trips per message for one
// recipient, where one command at a time takes four, plus one per further
// recipient. With CHUNKING (RFC 3030) too, BDAT LAST and the message itself
// join that write, and a message to one recipient takes one round trip.
func (c *conn) transact(ctx context.Context, from string, rcpts []string, data []byte) (out outcome) {
	stop := c.watch(ctx)
	defer func() {
		if !stop() {
			out.reusable = false // cancellation set a past deadline on the socket
		}
		c.lastUsed = time.Now()
	}()
	x := &exchange{c: c, ctx: ctx, from: from, rcpts: rcpts, data: data, bdat: c.chunking}
	if addr := x.utf8Address(); addr != "" && !c.smtpUTF8 {
		// Nothing was sent: the connection stays as it was.
		return outcome{reusable: true, err: &channel.Error{Permanent: true, Err: fmt.Errorf(
			"the address %q %s, which needs a mail server offering SMTPUTF8 (RFC 6531); this one does not",
			addr, channel.NotASCIIBeforeAt)}}
	}
	// DATA or BDAT joins the pipelined group only for a single recipient.
	// With several, some may be refused while others are accepted; the
	// server would answer DATA with 354 or take BDAT's chunk for the
	// others, and a transaction that must deliver nothing could then only
	// be abandoned by closing the connection. Sent after the RCPT replies,
	// DATA or BDAT can be left out and RSET suffices.
	x.dataPipelined = c.pipelining && len(rcpts) == 1
	if out, ok := x.envelope(); !ok {
		return out
	}
	if !x.dataPipelined {
		if cerr := x.exchangeOne(x.dataIndex()); cerr != nil {
			return x.fail(cerr)
		}
	}
	if x.bdat {
		// The reply to BDAT LAST, like the one to the end of DATA,
		// completes the transaction.
		return outcome{reply: x.accepted, reusable: true}
	}
	return x.content()
}

// recipientsRejected decides for a message some of whose recipients were
// refused. Nothing is sent to the others either (the transaction is reset),
// so a retry never doubles mail to accepted recipients. Any 5xx makes the
// whole message fail permanently with that reply; only 4xx retries.
func recipientsRejected(rejected []*channel.Error, total int) *channel.Error {
	decisive := rejected[0]
	for _, r := range rejected {
		if r.Permanent {
			decisive = r
			break
		}
	}
	errs := make([]error, len(rejected))
	var refused []string
	for i, r := range rejected {
		errs[i] = r.Err
		refused = append(refused, r.Refused...)
	}
	return &channel.Error{
		Permanent: decisive.Permanent,
		Code:      decisive.Code,
		Reply:     decisive.Reply,
		Refused:   refused,
		Err:       fmt.Errorf("%d of %d recipients rejected: %w", len(rejected), total, errors.Join(errs...)),
	}
}

// reset sends RSET after a rejected command so the connection can carry the
// next message, and reports whether it can. A 421 or a lost connection
// cannot be reused.
func (c *conn) reset(ctx context.Context, cerr *channel.Error) bool {
	if cerr.Code == 0 || cerr.Code == 421 {
		return false
	}
	return c.step(ctx, stageMessage, "RSET", c.client.Reset) == nil
}

// step runs one command with a fresh deadline and classifies its error.
func (c *conn) step(ctx context.Context, st stage, name string, fn func() error) *channel.Error {
	if err := c.extend(ctx); err != nil {
		return classify(st, name, err)
	}
	if err := fn(); err != nil {
		return c.classifyIO(ctx, st, name, err)
	}
	return nil
}

// classifyIO is classify for an I/O error on c. It names a cancelled ctx
// as the cause of an error that the cancellation's past deadline caused.
func (c *conn) classifyIO(ctx context.Context, st stage, name string, err error) *channel.Error {
	if ctxErr := ctx.Err(); ctxErr != nil && replyCode(err) == 0 {
		err = fmt.Errorf("%w: %w", ctxErr, err)
	}
	return classify(st, name, err)
}

// watch makes ctx's cancellation interrupt any I/O on c by setting a past
// deadline. The returned stop reports false if that already happened.
func (c *conn) watch(ctx context.Context) (stop func() bool) {
	return context.AfterFunc(ctx, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		_ = c.raw.SetDeadline(time.Unix(1, 0))
	})
}

// extend gives the next command Timeout to complete, unless ctx is done.
func (c *conn) extend(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	return c.raw.SetDeadline(time.Now().Add(c.timeout))
}

// abort closes a connection in an unknown state without QUIT: the server
// may be stalled or gone, and waiting for its goodbye helps nobody.
func (c *conn) abort() { _ = c.raw.Close() }

// close says QUIT on a healthy connection, waiting briefly for the reply,
// and closes the socket.
func (c *conn) close() {
	c.mu.Lock()
	_ = c.raw.SetDeadline(time.Now().Add(min(c.timeout, 2*time.Second)))
	c.mu.Unlock()
	if c.client == nil || c.client.Quit() != nil {
		_ = c.raw.Close()
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// angle formats an envelope address for MAIL FROM and RCPT TO, quoting the
// local part where RFC 5321 requires it.
func angle(addr string) string {
	return (&mail.Address{Address: addr}).String()
}
