package smtptest

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	gmsmtp "github.com/wneessen/go-mail/smtp"
)

const testMessage = "From: Agentur <info@agentur.example.org>\r\n" +
	"To: Jana <jana@example.org>\r\n" +
	"Subject: =?UTF-8?q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=\r\n" +
	"Message-ID: <m-1@herold.example.org>\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/alternative; boundary=b1\r\n" +
	"\r\n" +
	"--b1\r\n" +
	"Content-Type: text/plain; charset=UTF-8\r\n" +
	"Content-Transfer-Encoding: quoted-printable\r\n" +
	"\r\n" +
	"Hallo J=C3=BCrgen\r\n" +
	"--b1\r\n" +
	"Content-Type: text/html; charset=UTF-8\r\n" +
	"Content-Transfer-Encoding: quoted-printable\r\n" +
	"\r\n" +
	"<p>Hallo J=C3=BCrgen</p>\r\n" +
	"--b1--\r\n"

// dial opens a client connection to s with a safety deadline.
func dial(t *testing.T, addr string, tlsConfig *tls.Config) (*gmsmtp.Client, error) {
	t.Helper()
	var conn net.Conn
	var err error
	if tlsConfig != nil {
		conn, err = tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", addr, tlsConfig)
	} else {
		conn, err = net.DialTimeout("tcp", addr, 5*time.Second)
	}
	if err != nil {
		return nil, err
	}
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	c, err := gmsmtp.NewClient(conn, "127.0.0.1")
	if err != nil {
		_ = conn.Close()
		return nil, err
	}
	t.Cleanup(func() { _ = c.Close() })
	if err := c.Hello("client.example.org"); err != nil {
		return nil, err
	}
	return c, nil
}

func mustDial(t *testing.T, s *Server) *gmsmtp.Client {
	t.Helper()
	c, err := dial(t, s.Addr(), nil)
	if err != nil {
		t.Fatalf("dial %s: %v", s.Addr(), err)
	}
	return c
}

// deliver runs one mail transaction and returns the reply text to the end of
// DATA (without the code).
func deliver(c *gmsmtp.Client, from string, rcpts []string, data string) (string, error) {
	if err := c.Mail(from); err != nil {
		return "", fmt.Errorf("MAIL: %w", err)
	}
	for _, r := range rcpts {
		if err := c.Rcpt(r); err != nil {
			return "", fmt.Errorf("RCPT: %w", err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return "", fmt.Errorf("DATA: %w", err)
	}
	if _, err := w.Write([]byte(data)); err != nil {
		return "", fmt.Errorf("write: %w", err)
	}
	if err := w.Close(); err != nil {
		return "", fmt.Errorf("end of DATA: %w", err)
	}
	return w.(*gmsmtp.DataCloser).ServerResponse(), nil
}

func TestAcceptAndParse(t *testing.T) {
	t.Parallel()
	s := Start(t)
	c := mustDial(t, s)
	reply, err := deliver(c, "bounce@agentur.example.org", []string{"jana@example.org", "bcc@agentur.example.org"}, testMessage)
	if err != nil {
		t.Fatalf("deliver: %v", err)
	}
	mails := s.WaitForMails(t, 1, 5*time.Second)
	m := mails[0]
	checks := []struct{ name, got, want string }{
		{"from", m.From, "bounce@agentur.example.org"},
		{"rcpts", strings.Join(m.Rcpts, ","), "jana@example.org,bcc@agentur.example.org"},
		{"message id", m.MessageID, "m-1@herold.example.org"},
		{"subject", m.Subject, "Grüße aus Köln"},
		{"text", m.Text, "Hallo Jürgen"},
		{"html", m.HTML, "<p>Hallo Jürgen</p>"},
		{"to header", m.Header.Get("To"), "Jana <jana@example.org>"},
		{"reply", reply, "2.0.0 OK: queued as " + m.QueueID},
		{"data", string(m.Data), testMessage},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if m.ParseErr != nil {
		t.Errorf("ParseErr = %v", m.ParseErr)
	}
	if m.ReceivedAt.IsZero() {
		t.Error("ReceivedAt is zero")
	}
	if s.Count() != 1 || s.Rejected() != 0 || s.Connections() != 1 {
		t.Errorf("Count, Rejected, Connections = %d, %d, %d, want 1, 0, 1", s.Count(), s.Rejected(), s.Connections())
	}
	if m.TLS {
		t.Error("Mail.TLS = true for a plain connection")
	}
}

func TestScriptedReplies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		opt          Option
		wantErrCode  int    // 0: accepted
		wantMsg      string // reply text expected (error message or success reply)
		wantRejected int
	}{
		{
			name:         "mail rejected",
			opt:          WithMailReply(func(string) *Reply { return &Reply{Code: 553, Enhanced: "5.1.8", Message: "bad sender"} }),
			wantErrCode:  553,
			wantMsg:      "5.1.8 bad sender",
			wantRejected: 1,
		},
		{
			name: "one rcpt rejected",
			opt: WithRcptReply(func(rcpt string) *Reply {
				if rcpt == "jana@example.org" {
					return &Reply{Code: 550, Enhanced: "5.1.1", Message: "<jana@example.org>: Recipient address rejected"}
				}
				return nil
			}),
			wantErrCode:  550,
			wantMsg:      "5.1.1 <jana@example.org>: Recipient address rejected",
			wantRejected: 1,
		},
		{
			name:         "data temporarily rejected without enhanced code",
			opt:          WithDataReply(func(int, string, []string, []byte) *Reply { return &Reply{Code: 451, Message: "try later"} }),
			wantErrCode:  451,
			wantMsg:      "4.0.0 try later",
			wantRejected: 1,
		},
		{
			name:    "zero reply accepts",
			opt:     WithDataReply(func(int, string, []string, []byte) *Reply { return &Reply{} }),
			wantMsg: "2.0.0 OK: queued as T000001",
		},
		{
			name:    "custom 250",
			opt:     WithDataReply(func(int, string, []string, []byte) *Reply { return &Reply{Code: 250, Message: "Ok: queued as 4F2A1"} }),
			wantMsg: "2.0.0 Ok: queued as 4F2A1",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := Start(t, tt.opt)
			reply, err := deliver(mustDial(t, s), "a@example.org", []string{"jana@example.org"}, testMessage)
			if tt.wantErrCode == 0 {
				if err != nil {
					t.Fatalf("deliver: %v", err)
				}
				if reply != tt.wantMsg || s.Count() != 1 {
					t.Errorf("reply = %q, count %d; want %q, 1", reply, s.Count(), tt.wantMsg)
				}
			} else {
				var te *textproto.Error
				if !errors.As(err, &te) || te.Code != tt.wantErrCode || te.Msg != tt.wantMsg {
					t.Fatalf("err = %v, want reply %d %s", err, tt.wantErrCode, tt.wantMsg)
				}
				if s.Count() != 0 {
					t.Errorf("Count = %d, want 0", s.Count())
				}
			}
			if s.Rejected() != tt.wantRejected {
				t.Errorf("Rejected = %d, want %d", s.Rejected(), tt.wantRejected)
			}
		})
	}
}

func TestDataReplySequence(t *testing.T) {
	t.Parallel()
	var (
		mu   sync.Mutex
		seen []int
	)
	s := Start(t, WithDataReply(func(n int, from string, rcpts []string, data []byte) *Reply {
		mu.Lock()
		seen = append(seen, n)
		mu.Unlock()
		if from != "a@example.org" || len(rcpts) != 1 || !strings.Contains(string(data), "Message-ID: <m-1@") {
			return &Reply{Code: 554, Message: fmt.Sprintf("unexpected envelope %s %v", from, rcpts)}
		}
		if n <= 2 {
			return &Reply{Code: 451, Enhanced: "4.3.0", Message: "busy"}
		}
		return nil
	}))
	c := mustDial(t, s)
	var codes []int
	for range 3 {
		_, err := deliver(c, "a@example.org", []string{"jana@example.org"}, testMessage)
		var te *textproto.Error
		switch {
		case err == nil:
			codes = append(codes, 250)
		case errors.As(err, &te):
			codes = append(codes, te.Code)
			if err := c.Reset(); err != nil {
				t.Fatalf("RSET: %v", err)
			}
		default:
			t.Fatalf("deliver: %v", err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if fmt.Sprint(codes) != "[451 451 250]" || fmt.Sprint(seen) != "[1 2 3]" {
		t.Errorf("codes %v, n %v; want [451 451 250], [1 2 3]", codes, seen)
	}
	if s.Count() != 1 || s.Rejected() != 2 || s.Connections() != 1 {
		t.Errorf("Count, Rejected, Connections = %d, %d, %d, want 1, 2, 1", s.Count(), s.Rejected(), s.Connections())
	}
}

func Test421ClosesConnection(t *testing.T) {
	t.Parallel()
	s := Start(t, WithDataReply(func(int, string, []string, []byte) *Reply {
		return &Reply{Code: 421, Enhanced: "4.3.2", Message: "shutting down"}
	}))
	c := mustDial(t, s)
	_, err := deliver(c, "a@example.org", []string{"jana@example.org"}, testMessage)
	var te *textproto.Error
	if !errors.As(err, &te) || te.Code != 421 {
		t.Fatalf("err = %v, want a 421 reply", err)
	}
	if err := c.Noop(); err == nil {
		t.Fatal("NOOP after 421 succeeded, want the connection closed")
	}
}

func TestAuth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		user     string
		pass     string
		wantCode int // of the first failing command, 0 for delivered
	}{
		{"no auth", "", "", 530},
		{"wrong password", "herold", "wrong", 535},
		{"right credentials", "herold", "s3cret", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := Start(t, WithAuth("herold", "s3cret"))
			c := mustDial(t, s)
			if ok, mechs := c.Extension("AUTH"); !ok || mechs != "PLAIN" {
				t.Fatalf("AUTH extension = %v %q, want PLAIN", ok, mechs)
			}
			var err error
			if tt.user != "" {
				err = c.Auth(gmsmtp.PlainAuth("", tt.user, tt.pass, "127.0.0.1", false))
			}
			if err == nil {
				_, err = deliver(c, "a@example.org", []string{"jana@example.org"}, testMessage)
			}
			var te *textproto.Error
			switch {
			case tt.wantCode == 0 && err != nil:
				t.Fatalf("deliver: %v", err)
			case tt.wantCode != 0 && (!errors.As(err, &te) || te.Code != tt.wantCode):
				t.Fatalf("err = %v, want reply code %d", err, tt.wantCode)
			}
			if want := map[bool]int{true: 1, false: 0}[tt.wantCode == 0]; s.Count() != want {
				t.Errorf("Count = %d, want %d", s.Count(), want)
			}
		})
	}
}

func TestDropMidData(t *testing.T) {
	t.Parallel()
	s := Start(t, WithDropMidData(func(n int) bool { return n == 1 }))
	_, err := deliver(mustDial(t, s), "a@example.org", []string{"jana@example.org"}, testMessage)
	var te *textproto.Error
	if err == nil || errors.As(err, &te) {
		t.Fatalf("err = %v, want a connection error without reply", err)
	}
	if s.Count() != 0 || s.Rejected() != 1 {
		t.Errorf("Count, Rejected = %d, %d, want 0, 1", s.Count(), s.Rejected())
	}
	// The second DATA command is not dropped.
	if _, err := deliver(mustDial(t, s), "a@example.org", []string{"jana@example.org"}, testMessage); err != nil {
		t.Fatalf("second deliver: %v", err)
	}
}

func TestDelay(t *testing.T) {
	t.Parallel()
	const stall = 400 * time.Millisecond
	s := Start(t, WithDelay(func(n int) time.Duration {
		if n == 1 {
			return stall
		}
		return 0
	}))
	c := mustDial(t, s)
	start := time.Now()
	if _, err := deliver(c, "a@example.org", []string{"jana@example.org"}, testMessage); err != nil {
		t.Fatalf("deliver: %v", err)
	}
	if elapsed := time.Since(start); elapsed < stall {
		t.Errorf("reply after %s, want a stall of at least %s", elapsed, stall)
	}
	start = time.Now()
	if _, err := deliver(c, "a@example.org", []string{"jana@example.org"}, testMessage); err != nil {
		t.Fatalf("second deliver: %v", err)
	}
	if elapsed := time.Since(start); elapsed >= stall {
		t.Errorf("second reply after %s, want no stall", elapsed)
	}
}

func TestStopRestart(t *testing.T) {
	t.Parallel()
	s := Start(t)
	port := s.Port()
	if _, err := deliver(mustDial(t, s), "a@example.org", []string{"jana@example.org"}, testMessage); err != nil {
		t.Fatalf("deliver: %v", err)
	}
	s.Stop()
	if _, err := dial(t, s.Addr(), nil); err == nil {
		t.Fatal("dial after Stop succeeded, want connection refused")
	}
	s.Restart(t)
	if s.Port() != port {
		t.Fatalf("port after Restart = %d, want %d", s.Port(), port)
	}
	if _, err := deliver(mustDial(t, s), "a@example.org", []string{"jana@example.org"}, testMessage); err != nil {
		t.Fatalf("deliver after Restart: %v", err)
	}
	if s.Count() != 2 || s.Connections() != 2 {
		t.Errorf("Count, Connections = %d, %d, want 2, 2", s.Count(), s.Connections())
	}
}

func TestStopRightAfterStart(t *testing.T) {
	t.Parallel()
	s := Start(t)
	s.Stop() // before go-smtp's Serve goroutine may have run
	if _, err := dial(t, s.Addr(), nil); err == nil {
		t.Fatal("dial after Stop succeeded, want connection refused")
	}
}

func TestSMTPUTF8(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts []Option
		want bool
	}{
		{"not offered", nil, false},
		{"offered and used", []Option{WithSMTPUTF8()}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := Start(t, tt.opts...)
			c := mustDial(t, s)
			if ok, _ := c.Extension("SMTPUTF8"); ok != tt.want {
				t.Fatalf("SMTPUTF8 offered = %v, want %v", ok, tt.want)
			}
			// go-mail's client adds SMTPUTF8 to MAIL whenever it is offered.
			if _, err := deliver(c, "a@example.org", []string{"jana@example.org"}, testMessage); err != nil {
				t.Fatalf("deliver: %v", err)
			}
			if m := s.WaitForMails(t, 1, 5*time.Second)[0]; m.UTF8 != tt.want {
				t.Errorf("Mail.UTF8 = %v, want %v", m.UTF8, tt.want)
			}
		})
	}
}

func TestTLS(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		implicit bool
	}{
		{"starttls", false},
		{"implicit", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := Start(t, WithTLS(tt.implicit))
			cfg := &tls.Config{InsecureSkipVerify: true} //nolint:gosec // self-signed test certificate
			var c *gmsmtp.Client
			var err error
			if tt.implicit {
				c, err = dial(t, s.Addr(), cfg)
			} else {
				c, err = dial(t, s.Addr(), nil)
				if err == nil {
					if ok, _ := c.Extension("STARTTLS"); !ok {
						t.Fatal("STARTTLS not offered")
					}
					err = c.StartTLS(cfg)
				}
			}
			if err != nil {
				t.Fatalf("connect: %v", err)
			}
			if state, ok := c.TLSConnectionState(); !ok || !state.HandshakeComplete {
				t.Fatal("connection is not TLS")
			}
			if _, err := deliver(c, "a@example.org", []string{"jana@example.org"}, testMessage); err != nil {
				t.Fatalf("deliver: %v", err)
			}
			if m := s.WaitForMails(t, 1, 5*time.Second)[0]; !m.TLS {
				t.Error("Mail.TLS = false for a message sent over TLS")
			}
		})
	}
}

func TestConnections(t *testing.T) {
	t.Parallel()
	s := Start(t)
	c := mustDial(t, s)
	for i := range 3 {
		if _, err := deliver(c, "a@example.org", []string{"jana@example.org"}, testMessage); err != nil {
			t.Fatalf("deliver %d: %v", i, err)
		}
	}
	if s.Connections() != 1 {
		t.Errorf("Connections = %d after 3 mails on one connection, want 1", s.Connections())
	}
	second := mustDial(t, s)
	// dial read the greeting, so the server has accepted by now.
	if s.Connections() != 2 || s.OpenConnections() != 2 {
		t.Errorf("Connections, OpenConnections = %d, %d after a second dial, want 2, 2", s.Connections(), s.OpenConnections())
	}
	if err := c.Quit(); err != nil {
		t.Fatalf("QUIT: %v", err)
	}
	_ = second.Close() // hang up without QUIT
	s.WaitForOpenConnections(t, 0, 5*time.Second)
	if s.Connections() != 2 {
		t.Errorf("Connections = %d, want 2 (a total, not the open ones)", s.Connections())
	}
}

// fakeTB records Fatalf instead of stopping the goroutine.
type fakeTB struct {
	testing.TB
	failed string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.failed = fmt.Sprintf(format, args...)
}

func TestWaitForMails(t *testing.T) {
	t.Parallel()
	s := Start(t)
	fake := &fakeTB{TB: t}
	if got := s.WaitForMails(fake, 1, 50*time.Millisecond); got != nil || !strings.Contains(fake.failed, "waited 50ms for 1 mails, got 0") {
		t.Fatalf("WaitForMails on an empty server = %v, failure %q; want nil and a timeout failure", got, fake.failed)
	}
	done := make(chan []Mail)
	go func() {
		done <- s.WaitForMails(&fakeTB{TB: t}, 2, 10*time.Second)
	}()
	c := mustDial(t, s)
	for range 2 {
		if _, err := deliver(c, "a@example.org", []string{"jana@example.org"}, testMessage); err != nil {
			t.Fatalf("deliver: %v", err)
		}
	}
	if got := <-done; len(got) != 2 {
		t.Fatalf("WaitForMails returned %d mails, want 2", len(got))
	}
	fake = &fakeTB{TB: t}
	if s.WaitForOpenConnections(fake, 5, 50*time.Millisecond); !strings.Contains(fake.failed, "for 5 open connections, have 1") {
		t.Errorf("WaitForOpenConnections timeout failure = %q", fake.failed)
	}
}
