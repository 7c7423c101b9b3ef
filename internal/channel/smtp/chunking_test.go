package smtp

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/herold-dev/herold/internal/channel"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/smtptest"
)

// newRawSenderWith is newRawSender with the config adjusted by mod.
func newRawSenderWith(t *testing.T, srv *rawServer, mod func(*Config)) *Sender {
	t.Helper()
	host, port := srv.addr()
	cfg := Config{Host: host, Port: port, TLS: TLSNone, MaxConns: 1, Timeout: 4 * rawReadDeadline}
	mod(&cfg)
	s, err := New(cfg, nil)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// dottedEmail returns testEmail with lines that DATA would dot-stuff.
func dottedEmail() *channel.Email {
	e := testEmail()
	e.Text = "Zeile\n.beginnt mit Punkt\n..zwei\n.\nEnde\n"
	return e
}

// txnCommands returns the commands from the first MAIL FROM up to the
// first end of a message (DATA or BDAT ... LAST).
func txnCommands(cmds []string) []string {
	start := slices.IndexFunc(cmds, func(c string) bool { return verb(c) == "MAIL" })
	end := slices.IndexFunc(cmds, func(c string) bool { return c == "DATA" || verb(c) == "BDAT" && strings.HasSuffix(c, " LAST") })
	if start < 0 || end < start {
		return cmds
	}
	return cmds[start : end+1]
}

func TestChunkingSendsTheMessageWithBDAT(t *testing.T) {
	t.Parallel()
	const (
		mailCmd = "MAIL FROM:<info@agentur-nord.example.org> BODY=8BITMIME"
		jana    = "RCPT TO:<jana@example.org>"
		team    = "RCPT TO:<team@example.org>"
	)
	tests := []struct {
		name    string
		cfg     rawConfig
		disable bool // Config.DisableChunking
		cc      []model.Address
		// wantCmds are the commands of the first transaction; "BDAT" stands
		// for "BDAT <size of the built message> LAST".
		wantCmds []string
	}{
		{
			// The server holds every reply until MAIL, RCPT and BDAT with
			// its whole chunk have arrived: a client that waits for any
			// reply first stalls, and the server reports it.
			name:     "one recipient: MAIL, RCPT, BDAT LAST and the message in one write",
			cfg:      rawConfig{pipelining: true, chunking: true, group: 3},
			wantCmds: []string{mailCmd, jana, "BDAT"},
		},
		{
			name:     "two recipients: BDAT after the RCPT replies",
			cfg:      rawConfig{pipelining: true, chunking: true, group: 3},
			cc:       []model.Address{{Email: "team@example.org"}},
			wantCmds: []string{mailCmd, jana, team, "BDAT"},
		},
		{
			name:     "without PIPELINING one command at a time, BDAT with its chunk",
			cfg:      rawConfig{chunking: true},
			wantCmds: []string{mailCmd, jana, "BDAT"},
		},
		{
			name:     "DisableChunking sends DATA",
			cfg:      rawConfig{pipelining: true, chunking: true, group: 3},
			disable:  true,
			wantCmds: []string{mailCmd, jana, "DATA"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := startRawServer(t, tt.cfg)
			s := newRawSenderWith(t, srv, func(c *Config) { c.DisableChunking = tt.disable })
			e := dottedEmail()
			e.CC = tt.cc
			want, err := channel.BuildMIME(e)
			if err != nil {
				t.Fatal(err)
			}
			res, err := sendBounded(t, s, e)
			if err != nil {
				checkNoViolations(t, srv)
				t.Fatalf("Send: %v", err)
			}
			if res.Reply != "250 2.0.0 Ok: queued as Q1" {
				t.Errorf("Reply = %q, want the server's reply to the end of the message", res.Reply)
			}
			// The connection is left ready for the next message.
			if _, err := sendBounded(t, s, testEmail()); err != nil {
				t.Fatalf("second Send: %v", err)
			}
			// Checked last: bytes beyond the chunk's size would reach the
			// server as commands after it answered the first message.
			checkNoViolations(t, srv)
			conns, msgs, cmds, _ := srv.snapshot()
			wantCmds := slices.Clone(tt.wantCmds)
			if i := slices.Index(wantCmds, "BDAT"); i >= 0 {
				wantCmds[i] = fmt.Sprintf("BDAT %d LAST", len(want))
			}
			if got := txnCommands(cmds); !slices.Equal(got, wantCmds) {
				t.Errorf("commands = %q, want %q", got, wantCmds)
			}
			if len(msgs) != 2 || !bytes.Equal(msgs[0].data, want) {
				t.Fatalf("server received %d messages, want 2, the first equal to BuildMIME's bytes", len(msgs))
			}
			if msgs[0].bdat == tt.disable {
				t.Errorf("message came with BDAT = %v, want %v", msgs[0].bdat, !tt.disable)
			}
			if conns != 1 {
				t.Errorf("connections = %d, want 1", conns)
			}
		})
	}
}

// TestChunkingTransactionFailures runs every way a transaction with BDAT
// can fail, with the envelope, BDAT and the message in one write and with
// one command at a time, and holds the outcome to what DATA gives.
func TestChunkingTransactionFailures(t *testing.T) {
	t.Parallel()
	rcptFirst := func(reply string) func(int, string) string {
		return func(n int, _ string) string { return firstReply(reply)(n) }
	}
	runFailureCases(t, []failureCase{
		{
			name:     "MAIL 451 is retryable and reported, not the 503s to RCPT and BDAT",
			cfg:      rawConfig{mail: firstReply("451 4.3.0 Try again later")},
			wantCode: 451, wantReply: "451 4.3.0 Try again later", wantErr: "MAIL FROM:<info@agentur-nord.example.org>", wantConns: 1,
		},
		{
			name:     "MAIL 550 is permanent",
			cfg:      rawConfig{mail: firstReply("550 5.7.1 Sender address rejected")},
			wantCode: 550, wantPermanent: true, wantReply: "550 5.7.1 Sender address rejected", wantConns: 1,
		},
		{
			name:     "the only RCPT 550 is reported, not BDAT's no valid recipients",
			cfg:      rawConfig{rcpt: rejectGone},
			cc:       []string{"gone@example.org"},
			noJana:   true,
			wantCode: 550, wantPermanent: true, wantReply: "550 5.1.1 <gone@example.org>: Recipient address rejected",
			wantErr: "RCPT TO:<gone@example.org>", wantConns: 1,
		},
		{
			name:     "one of two RCPTs 550 fails the message permanently and sends nothing",
			cfg:      rawConfig{rcpt: rejectGone},
			cc:       []string{"gone@example.org"},
			wantCode: 550, wantPermanent: true, wantReply: "550 5.1.1 <gone@example.org>: Recipient address rejected",
			wantErr: "1 of 2 recipients rejected", wantConns: 1,
		},
		{
			name:     "RCPT 450 is retryable",
			cfg:      rawConfig{rcpt: rcptFirst("450 4.2.1 Mailbox busy")},
			wantCode: 450, wantReply: "450 4.2.1 Mailbox busy", wantConns: 1,
		},
		{
			name:     "421 at RCPT closes the connection",
			cfg:      rawConfig{rcpt: rcptFirst("421 4.3.2 Shutting down")},
			wantCode: 421, wantReply: "421 4.3.2 Shutting down", wantConns: 2,
		},
		{
			name:     "BDAT 451 is retryable and the transaction reset",
			cfg:      rawConfig{end: firstReply("451 4.3.0 Queue full")},
			wantCode: 451, wantReply: "451 4.3.0 Queue full", wantErr: "LAST (end of DATA)", wantConns: 1,
		},
		{
			name:     "BDAT 552 is permanent",
			cfg:      rawConfig{end: firstReply("552 5.3.4 Message too big for system")},
			wantCode: 552, wantPermanent: true, wantReply: "552 5.3.4 Message too big for system", wantConns: 1,
		},
		{
			name:     "BDAT 554 is permanent",
			cfg:      rawConfig{end: firstReply("554 5.7.1 Rejected as spam")},
			wantCode: 554, wantPermanent: true, wantReply: "554 5.7.1 Rejected as spam", wantConns: 1,
		},
		{
			name:     "BDAT 421 closes the connection",
			cfg:      rawConfig{end: firstReply("421 4.3.2 Shutting down")},
			wantCode: 421, wantReply: "421 4.3.2 Shutting down", wantConns: 2,
		},
		{
			name:    "connection dropped after the chunk is retryable",
			cfg:     rawConfig{end: firstReply(rawHangUp)},
			wantErr: "LAST (end of DATA)", wantConns: 2,
		},
		{
			name:     "BDAT accepted after MAIL was refused: the connection is given up",
			cfg:      rawConfig{mail: firstReply("550 5.7.1 Sender rejected"), broken354: true},
			wantCode: 550, wantPermanent: true, wantReply: "550 5.7.1 Sender rejected", wantConns: 2,
			pipelinedOnly: true,
		},
		{
			name:     "BDAT accepted after the only RCPT was refused: the connection is given up",
			cfg:      rawConfig{rcpt: rejectGone, broken354: true},
			cc:       []string{"gone@example.org"},
			noJana:   true,
			wantCode: 550, wantPermanent: true, wantReply: "550 5.1.1 <gone@example.org>: Recipient address rejected", wantConns: 2,
			pipelinedOnly: true,
		},
	}, true)
}

// TestChunkingDeadPooledConnection holds the silent resend of a message
// whose pooled connection failed at MAIL FROM to the cases where the server
// cannot have accepted it. With BDAT the message is with the server before
// MAIL's reply: only a 421 or the end of the stream prove it was not taken,
// while a server that is slow or resets the connection may have queued it
// and a resend could deliver it twice. With DATA the content waits for
// 354, so any failure at MAIL is safe to resend.
func TestChunkingDeadPooledConnection(t *testing.T) {
	t.Parallel()
	second := func(reply string) func(int) string {
		return func(n int) string {
			if n == 2 {
				return reply
			}
			return ""
		}
	}
	tests := []struct {
		name    string
		mail    func(int) string // answers MAIL FROM of the second message
		disable bool             // Config.DisableChunking
		// wantResent says the second message is sent again on a new
		// connection without an error; otherwise Send fails, retryable.
		wantResent bool
	}{
		{name: "BDAT: closed without a reply", mail: second(rawHangUp), wantResent: true},
		{name: "BDAT: 421 to MAIL", mail: second("421 4.4.2 Timeout exceeded"), wantResent: true},
		{name: "BDAT: reset without a reply", mail: second(rawReset)},
		{name: "BDAT: no reply within Timeout", mail: second(rawStall)},
		{name: "DATA: closed without a reply", mail: second(rawHangUp), disable: true, wantResent: true},
		{name: "DATA: reset without a reply", mail: second(rawReset), disable: true, wantResent: true},
		{name: "DATA: no reply within Timeout", mail: second(rawStall), disable: true, wantResent: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := startRawServer(t, rawConfig{pipelining: true, chunking: true, group: 3, mail: tt.mail})
			s := newRawSenderWith(t, srv, func(c *Config) {
				c.DisableChunking = tt.disable
				c.Timeout = rawReadDeadline / 2 // the client gives up first when the server stalls
			})
			if _, err := sendBounded(t, s, testEmail()); err != nil {
				t.Fatalf("first Send: %v", err)
			}
			_, err := sendBounded(t, s, testEmail())
			conns, msgs, cmds, _ := srv.snapshot()
			if tt.wantResent {
				if err != nil || conns != 2 || len(msgs) != 2 {
					t.Errorf("second Send = %v with %d connections, %d messages; want it resent on a second connection",
						err, conns, len(msgs))
				}
			} else {
				if ce := asChannelError(t, err); ce.Permanent || ce.Code != 0 || conns != 1 {
					t.Errorf("second Send = %v (permanent %v) with %d connections; want a retryable error and no resend",
						err, ce.Permanent, conns)
				}
			}
			if tt.disable == slices.ContainsFunc(cmds, func(c string) bool { return verb(c) == "BDAT" }) {
				t.Errorf("commands %q, want BDAT %v", cmds, !tt.disable)
			}
		})
	}
}

// TestChunkingDeliversToGoSMTP sends through a recording proxy to the real
// go-smtp server, which offers CHUNKING: the message must arrive exactly as
// built and go over the wire as "BDAT <size> LAST" and the bytes, or with
// DisableChunking as DATA.
func TestChunkingDeliversToGoSMTP(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("Eine Zeile mit Umlauten: äöü ß, und noch etwas Text dazu.\n.Punkt am Anfang\n", 1500)
	tests := []struct {
		name     string
		text     string
		cc       []model.Address
		disable  bool
		wantBDAT bool
	}{
		{name: "BDAT", text: "Zeile\n.beginnt mit Punkt\n..zwei\n.\nEnde\n", wantBDAT: true},
		{name: "BDAT, a message of 150 kB", text: long, wantBDAT: true},
		{name: "BDAT to two recipients", text: ".\n", cc: []model.Address{{Email: "team@example.org"}}, wantBDAT: true},
		{name: "DATA with DisableChunking", text: "Zeile\n.beginnt mit Punkt\n", disable: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := smtptest.Start(t)
			proxy := startRecordingProxy(t, srv.Addr())
			s := newSender(t, srv, func(c *Config) { c.Port, c.DisableChunking = proxy.port, tt.disable })
			e := testEmail()
			e.Text, e.CC = tt.text, tt.cc
			want, err := channel.BuildMIME(e)
			if err != nil {
				t.Fatal(err)
			}
			res, err := s.Send(context.Background(), e)
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			m := srv.WaitForMails(t, 1, waitMails)[0]
			if !bytes.Equal(m.Data, want) {
				t.Errorf("received message (%d bytes) differs from BuildMIME (%d bytes)", len(m.Data), len(want))
			}
			if wantReply := "250 2.0.0 OK: queued as " + m.QueueID; res.Reply != wantReply {
				t.Errorf("Reply = %q, want %q", res.Reply, wantReply)
			}
			sent := proxy.sent()
			bdat := append(fmt.Appendf(nil, "\r\nBDAT %d LAST\r\n", len(want)), want...)
			if got := bytes.Contains(sent, bdat); got != tt.wantBDAT {
				t.Errorf("client sent BDAT %d LAST and the message: %v, want %v", len(want), got, tt.wantBDAT)
			}
			if got := bytes.Contains(sent, []byte("\r\nDATA\r\n")); got == tt.wantBDAT {
				t.Errorf("client sent DATA: %v, want %v", got, !tt.wantBDAT)
			}
		})
	}
}

// recordingProxy forwards one TCP connection at a time to a server and
// records what the client sent.
type recordingProxy struct {
	port int
	mu   sync.Mutex
	buf  bytes.Buffer
}

func startRecordingProxy(t *testing.T, target string) *recordingProxy {
	p := &recordingProxy{}
	p.port = startProxy(t, target, func(server, client net.Conn) {
		_, _ = io.Copy(io.MultiWriter(server, p), client)
		_ = server.Close()
	}, func(client, server net.Conn) {
		_, _ = io.Copy(client, server)
		_ = client.Close()
	})
	return p
}

// startProxy accepts connections on a port of 127.0.0.1, which it returns,
// and connects each to target: up copies from the client to the server
// (its arguments are the destination and the source), down back.
func startProxy(tb testing.TB, target string, up, down func(dst, src net.Conn)) int {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("listen: %v", err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", target)
			if err != nil {
				_ = client.Close()
				continue
			}
			wg.Add(2)
			go func() { defer wg.Done(); up(server, client) }()
			go func() { defer wg.Done(); down(client, server) }()
		}
	}()
	tb.Cleanup(func() {
		_ = ln.Close()
		wg.Wait()
	})
	return ln.Addr().(*net.TCPAddr).Port
}

// Write records bytes the client sent.
func (p *recordingProxy) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.buf.Write(b)
}

func (p *recordingProxy) sent() []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	return bytes.Clone(p.buf.Bytes())
}
