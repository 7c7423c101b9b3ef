package smtp

import (
	"bufio"
	"bytes"
	"context"
	"net/textproto"
	"slices"
	"strings"
	"testing"

	"github.com/herold-dev/herold/internal/channel"
	"github.com/herold-dev/herold/internal/model"
)

// newRawSender returns a Sender with one connection for srv. Its timeout
// outlasts the server's read deadline, so a client that does not pipeline
// against a server holding its replies fails on the server's deadline.
func newRawSender(t *testing.T, srv *rawServer) *Sender {
	t.Helper()
	host, port := srv.addr()
	s, err := New(Config{Host: host, Port: port, TLS: TLSNone, MaxConns: 1, Timeout: 4 * rawReadDeadline}, nil)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// sendBounded sends e with a deadline, so a stalled exchange ends the test
// with an error instead of hanging it.
func sendBounded(t *testing.T, s *Sender, e *channel.Email) (channel.Result, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*rawReadDeadline)
	defer cancel()
	return s.Send(ctx, e)
}

// checkNoViolations fails for anything the raw server noticed, such as a
// client stalling on a held group or pipelining without PIPELINING.
func checkNoViolations(t *testing.T, srv *rawServer) {
	t.Helper()
	if _, _, cmds, v := srv.snapshot(); len(v) > 0 {
		t.Errorf("server saw: %q\ncommands: %q", v, cmds)
	}
}

func TestPipeliningGroupsTheEnvelope(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		cc    []model.Address
		group int
		// wantCmds are the commands of the transaction.
		wantCmds []string
	}{
		{
			name:     "one recipient: MAIL, RCPT and DATA in one write",
			group:    3,
			wantCmds: []string{"MAIL FROM:<info@agentur-nord.example.org> BODY=8BITMIME", "RCPT TO:<jana@example.org>", "DATA"},
		},
		{
			name:  "two recipients: MAIL and both RCPTs in one write, DATA after their replies",
			cc:    []model.Address{{Email: "team@example.org"}},
			group: 3,
			wantCmds: []string{
				"MAIL FROM:<info@agentur-nord.example.org> BODY=8BITMIME", "RCPT TO:<jana@example.org>",
				"RCPT TO:<team@example.org>", "DATA",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := startRawServer(t, rawConfig{pipelining: true, group: tt.group})
			s := newRawSender(t, srv)
			e := testEmail()
			e.CC = tt.cc
			e.Text = "Zeile\n.beginnt mit Punkt\n..zwei\n.\nEnde\n"
			res, err := sendBounded(t, s, e)
			checkNoViolations(t, srv)
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			if res.Reply != "250 2.0.0 Ok: queued as Q1" {
				t.Errorf("Reply = %q, want the server's reply to the end of DATA", res.Reply)
			}
			_, msgs, cmds, _ := srv.snapshot()
			if i := slices.Index(cmds, "DATA"); i < 0 || !slices.Equal(cmds[i+1-len(tt.wantCmds):i+1], tt.wantCmds) {
				t.Errorf("commands = %q, want them to end with %q", cmds, tt.wantCmds)
			}
			want, _ := channel.BuildMIME(e)
			if len(msgs) != 1 || !bytes.Equal(msgs[0].data, want) {
				t.Fatalf("server received %d messages, want 1 equal to BuildMIME's bytes", len(msgs))
			}
			// The connection is left ready for the next message.
			if _, err := sendBounded(t, s, testEmail()); err != nil {
				t.Fatalf("second Send: %v", err)
			}
			if conns, _, _, _ := srv.snapshot(); conns != 1 {
				t.Errorf("connections = %d, want 1", conns)
			}
		})
	}
}

func TestWithoutPipeliningOneCommandAtATime(t *testing.T) {
	t.Parallel()
	srv := startRawServer(t, rawConfig{pipelining: false})
	s := newRawSender(t, srv)
	for range 3 {
		e := testEmail()
		e.CC = []model.Address{{Email: "team@example.org"}}
		if _, err := sendBounded(t, s, e); err != nil {
			t.Fatalf("Send: %v", err)
		}
	}
	checkNoViolations(t, srv)
	if conns, msgs, _, _ := srv.snapshot(); conns != 1 || len(msgs) != 3 {
		t.Errorf("connections, messages = %d, %d; want 1, 3", conns, len(msgs))
	}
}

// TestTransactionFailures runs every way a DATA transaction can fail.
func TestTransactionFailures(t *testing.T) {
	t.Parallel()
	runFailureCases(t, []failureCase{
		{
			name:     "MAIL 451 is retryable and reported, not the 503s after it",
			cfg:      rawConfig{mail: firstReply("451 4.3.0 Try again later")},
			wantCode: 451, wantReply: "451 4.3.0 Try again later", wantErr: "MAIL FROM:<info@agentur-nord.example.org>", wantConns: 1,
		},
		{
			name:     "MAIL 550 is permanent",
			cfg:      rawConfig{mail: firstReply("550 5.7.1 Sender address rejected")},
			wantCode: 550, wantPermanent: true, wantReply: "550 5.7.1 Sender address rejected", wantConns: 1,
		},
		{
			name:     "one of two RCPTs 550 fails the message permanently and sends nothing",
			cfg:      rawConfig{rcpt: rejectGone},
			cc:       []string{"gone@example.org"},
			wantCode: 550, wantPermanent: true, wantReply: "550 5.1.1 <gone@example.org>: Recipient address rejected",
			wantErr: "1 of 2 recipients rejected", wantConns: 1,
		},
		{
			name:     "the only RCPT 550 is reported, not DATA's no valid recipients",
			cfg:      rawConfig{rcpt: rejectGone},
			cc:       []string{"gone@example.org"},
			noJana:   true,
			wantCode: 550, wantPermanent: true, wantReply: "550 5.1.1 <gone@example.org>: Recipient address rejected",
			wantErr: "RCPT TO:<gone@example.org>", wantConns: 1,
		},
		{
			name:     "all of two RCPTs 550",
			cfg:      rawConfig{rcpt: rejectGone},
			cc:       []string{"gone@example.org", "gone2@example.org"},
			noJana:   true,
			wantCode: 550, wantPermanent: true, wantReply: "550 5.1.1 <gone@example.org>: Recipient address rejected",
			wantErr: "2 of 2 recipients rejected", wantConns: 1,
		},
		{
			name: "RCPT 450 is retryable",
			cfg: rawConfig{rcpt: func(n int, _ string) string {
				return map[bool]string{true: "450 4.2.1 Mailbox busy"}[n == 1]
			}},
			wantCode: 450, wantReply: "450 4.2.1 Mailbox busy", wantConns: 1,
		},
		{
			name:     "421 at RCPT closes the connection",
			cfg:      rawConfig{rcpt: func(n int, _ string) string { return map[bool]string{true: "421 4.3.2 Shutting down"}[n == 1] }},
			wantCode: 421, wantReply: "421 4.3.2 Shutting down", wantConns: 2,
		},
		{
			name:     "DATA 554 is permanent and the transaction reset",
			cfg:      rawConfig{data: firstReply("554 5.3.4 Message too big for system")},
			wantCode: 554, wantPermanent: true, wantReply: "554 5.3.4 Message too big for system", wantErr: "DATA", wantConns: 1,
		},
		{
			name:     "DATA 451 is retryable",
			cfg:      rawConfig{data: firstReply("451 4.3.0 Queue full")},
			wantCode: 451, wantReply: "451 4.3.0 Queue full", wantConns: 1,
		},
		{
			name:     "end of DATA 451 is retryable",
			cfg:      rawConfig{end: firstReply("451 4.3.0 Try again later")},
			wantCode: 451, wantReply: "451 4.3.0 Try again later", wantErr: "end of DATA", wantConns: 1,
		},
		{
			name:     "end of DATA 550 is permanent",
			cfg:      rawConfig{end: firstReply("550 5.7.1 Rejected as spam")},
			wantCode: 550, wantPermanent: true, wantReply: "550 5.7.1 Rejected as spam", wantConns: 1,
		},
		{
			name:    "connection dropped mid-DATA is retryable",
			cfg:     rawConfig{dropMidData: func(n int) bool { return n == 1 }},
			wantErr: "DATA", wantConns: 2,
		},
		{
			name:     "354 after the only RCPT was refused: the connection is given up",
			cfg:      rawConfig{rcpt: rejectGone, broken354: true},
			cc:       []string{"gone@example.org"},
			noJana:   true,
			wantCode: 550, wantPermanent: true, wantReply: "550 5.1.1 <gone@example.org>: Recipient address rejected", wantConns: 2,
			pipelinedOnly: true,
		},
	}, false)
}

// failureCase is one way a transaction can fail, run against a server with
// PIPELINING (replies held for the whole group) and one without: the
// decision must not depend on how the commands travelled.
type failureCase struct {
	name   string
	cfg    rawConfig
	cc     []string // more recipients of the first message
	noJana bool     // the first message goes only to cc
	// wantCode, wantPermanent and wantReply describe the first Send's
	// error; wantErr is part of its text.
	wantCode      int
	wantPermanent bool
	wantReply     string
	wantErr       string
	// wantConns is the number of connections after a second message
	// went out: 1 when the first left the connection reusable.
	wantConns int
	// pipelinedOnly cases concern the content sent along with the
	// envelope.
	pipelinedOnly bool
}

// firstReply answers the first command of its kind with reply.
func firstReply(reply string) func(int) string {
	return func(n int) string {
		if n == 1 {
			return reply
		}
		return ""
	}
}

// rejectGone refuses the first message's recipients named gone….
func rejectGone(n int, addr string) string {
	if n == 1 && strings.HasPrefix(addr, "gone") {
		return "550 5.1.1 <" + addr + ">: Recipient address rejected"
	}
	return ""
}

// runFailureCases sends a message that fails as each case says, then a
// second one that must go through, with the content sent by BDAT when
// chunking and by DATA otherwise.
func runFailureCases(t *testing.T, tests []failureCase, chunking bool) {
	for _, tt := range tests {
		for _, pipelining := range []bool{true, false} {
			if tt.pipelinedOnly && !pipelining {
				continue
			}
			name := tt.name + map[bool]string{true: " (pipelined)", false: " (one at a time)"}[pipelining]
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				cfg := tt.cfg
				cfg.pipelining, cfg.chunking = pipelining, chunking
				if pipelining {
					cfg.group = 1 + len(tt.cc)
					if !tt.noJana {
						cfg.group++
					}
				}
				srv := startRawServer(t, cfg)
				s := newRawSender(t, srv)
				e := testEmail()
				if tt.noJana {
					e.To = nil
				}
				for _, cc := range tt.cc {
					e.CC = append(e.CC, model.Address{Email: cc})
				}
				_, err := sendBounded(t, s, e)
				ce := asChannelError(t, err)
				if ce.Code != tt.wantCode || ce.Permanent != tt.wantPermanent || ce.Reply != tt.wantReply {
					t.Errorf("Code, Permanent, Reply = %d, %v, %q; want %d, %v, %q (%v)",
						ce.Code, ce.Permanent, ce.Reply, tt.wantCode, tt.wantPermanent, tt.wantReply, err)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error %q does not mention %q", err, tt.wantErr)
				}
				second := testEmail()
				if _, err := sendBounded(t, s, second); err != nil {
					t.Fatalf("second Send: %v", err)
				}
				checkNoViolations(t, srv)
				conns, msgs, cmds, _ := srv.snapshot()
				if len(msgs) != 1 || !strings.Contains(string(msgs[0].data), second.MessageID) || msgs[0].bdat != chunking {
					t.Errorf("server accepted %d messages, want only the second, with BDAT %v", len(msgs), chunking)
				}
				if conns != tt.wantConns {
					t.Errorf("connections = %d, want %d; commands %q", conns, tt.wantConns, cmds)
				}
				if chunking && slices.Contains(cmds, "DATA") {
					t.Errorf("commands %q include DATA", cmds)
				}
			})
		}
	}
}

func TestMailRefusedButDataOpenedGivesUpTheConnection(t *testing.T) {
	t.Parallel()
	srv := startRawServer(t, rawConfig{
		pipelining: true, group: 3, broken354: true,
		mail: func(n int) string { return map[bool]string{true: "550 5.7.1 Sender rejected"}[n == 1] },
	})
	s := newRawSender(t, srv)
	_, err := sendBounded(t, s, testEmail())
	if ce := asChannelError(t, err); ce.Code != 550 || !ce.Permanent {
		t.Fatalf("Send = %v, want the permanent 550 to MAIL", err)
	}
	if _, err := sendBounded(t, s, testEmail()); err != nil {
		t.Fatalf("second Send: %v", err)
	}
	if conns, msgs, _, _ := srv.snapshot(); conns != 2 || len(msgs) != 1 {
		t.Errorf("connections, messages = %d, %d; want 2, 1", conns, len(msgs))
	}
}

// FuzzWriteDotStuffed holds writeDotStuffed to textproto's DotWriter for
// content whose every CR starts a CRLF, as BuildMIME's does. (For a CR
// before another CR the DotWriter adds a third one.)
func FuzzWriteDotStuffed(f *testing.F) {
	for _, s := range []string{
		"", "a", "a\r\n", ".\r\n", "..\r\n.x\r\n", "a\r\n.\r\nb", "bare\nlf\n.dot\n", "\n\n.", "end with cr\r",
		"x\r\n.\r\n", strings.Repeat("line\r\n.dot\r\n", 2000),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if bytes.Contains(bytes.ReplaceAll(bytes.TrimSuffix(in, []byte("\r")), []byte("\r\n"), nil), []byte("\r")) {
			t.Skip("a CR that starts no CRLF")
		}
		var got, want bytes.Buffer
		gw := bufio.NewWriter(&got)
		writeDotStuffed(gw, in)
		_ = gw.Flush()
		dw := textproto.NewWriter(bufio.NewWriter(&want)).DotWriter()
		_, _ = dw.Write(in)
		_ = dw.Close()
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Errorf("writeDotStuffed(%.40q) = %.80q, want %.80q", in, got.Bytes(), want.Bytes())
		}
	})
}

func TestSendNonASCIIAddressQuoting(t *testing.T) {
	t.Parallel()
	tests := []struct{ addr, want string }{
		{"jana@example.org", "<jana@example.org>"},
		{"jana.j+x@example.org", "<jana.j+x@example.org>"},
		{"jana jürgens@example.org", `<"jana jürgens"@example.org>`},
		{"jürgen@exämple.org", "<jürgen@exämple.org>"},
		{"a..b@example.org", `<"a..b"@example.org>`},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		w := bufio.NewWriter(&b)
		writeAngle(w, tt.addr)
		_ = w.Flush()
		if b.String() != tt.want || angle(tt.addr) != tt.want {
			t.Errorf("writeAngle(%q) = %q, angle = %q; want %q", tt.addr, b.String(), angle(tt.addr), tt.want)
		}
	}
}
