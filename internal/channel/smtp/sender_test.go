package smtp

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/herold-dev/herold/internal/channel"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/smtptest"
)

const waitMails = 10 * time.Second

var msgSeq atomic.Int64

// testEmail returns a valid email with a unique Message-ID.
func testEmail() *channel.Email {
	return &channel.Email{
		MessageID: fmt.Sprintf("m-%d@herold.example.org", msgSeq.Add(1)),
		From:      "Agentur Nörd <info@agentur-nord.example.org>",
		ReplyTo:   "dispo@agentur-nord.example.org",
		To:        []model.Address{{Email: "jana@example.org", Name: "Jana Jürgens"}},
		Subject:   "Buchung bestätigt: Messe Köln – 14.03.",
		Text:      "Hallo Jana,\nbis Montag.\n",
		HTML:      "<p>Hallo Jana,</p><p>bis Montag.</p>",
		Date:      time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC),
	}
}

// newSender returns a Sender for srv without TLS, closed at test end; mod
// adjusts the config.
func newSender(t *testing.T, srv *smtptest.Server, mod func(*Config)) *Sender {
	t.Helper()
	cfg := Config{Host: srv.Host(), Port: srv.Port(), TLS: TLSNone, Timeout: 5 * time.Second}
	if mod != nil {
		mod(&cfg)
	}
	s, err := New(cfg, nil)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestSendDelivers(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	s := newSender(t, srv, nil)
	e := testEmail()
	e.To = []model.Address{{Email: "jana@example.org", Name: "Jana Jürgens"}, {Email: "Bob@Example.org"}}
	e.CC = []model.Address{{Email: "team@example.org", Name: "Team"}, {Email: "bob@example.org"}}
	e.BCC = []model.Address{{Email: "archiv@agentur-nord.example.org"}}
	e.Headers = map[string]string{"List-Unsubscribe": "<https://herold.example.org/u/x>", "Auto-Submitted": "auto-generated"}

	res, err := s.Send(context.Background(), e)
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	m := srv.WaitForMails(t, 1, waitMails)[0]
	want, err := channel.BuildMIME(e)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(m.Data, want) {
		t.Errorf("received message differs from BuildMIME:\n%s\n--- want ---\n%s", m.Data, want)
	}
	checks := []struct{ name, got, want string }{
		{"reply", res.Reply, "250 2.0.0 OK: queued as " + m.QueueID},
		{"envelope from", m.From, "info@agentur-nord.example.org"},
		{"envelope rcpts", strings.Join(m.Rcpts, ","), "jana@example.org,Bob@Example.org,team@example.org,archiv@agentur-nord.example.org"},
		{"message id", m.MessageID, e.MessageID},
		{"subject", m.Subject, e.Subject},
		{"text", strings.ReplaceAll(m.Text, "\r\n", "\n"), e.Text},
		{"html", m.HTML, e.HTML},
		{"cc header", m.Header.Get("Cc"), `"Team" <team@example.org>, <bob@example.org>`},
		{"bcc header", m.Header.Get("Bcc"), ""},
		{"list-unsubscribe", m.Header.Get("List-Unsubscribe"), "<https://herold.example.org/u/x>"},
		{"content type", mediaType(m.Header.Get("Content-Type")), "multipart/alternative"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if bytes.Contains(m.Data, []byte("archiv@")) {
		t.Error("BCC address appears in the transmitted message")
	}
	to, err := m.Header.AddressList("To")
	if err != nil || len(to) != 2 || to[0].Name != "Jana Jürgens" || to[0].Address != "jana@example.org" {
		t.Errorf("To = %v (%v), want Jana Jürgens <jana@example.org> first of two", to, err)
	}
	if m.TLS {
		t.Error("message went over TLS with TLS none")
	}
}

func mediaType(ct string) string {
	mt, _, _ := strings.Cut(ct, ";")
	return strings.TrimSpace(mt)
}

func TestSendBodies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text, html string
		wantType         string
		// wantText and wantHTML are the decoded bodies. A single-part body
		// ends with the line break every message ends with.
		wantText, wantHTML string
	}{
		{"text only", "nur Text – äöü", "", "text/plain", "nur Text – äöü\n", ""},
		{"html only", "", "<p>nur HTML – äöü</p>", "text/html", "", "<p>nur HTML – äöü</p>\n"},
		{"both", "Text ß", "<p>HTML ß</p>", "multipart/alternative", "Text ß", "<p>HTML ß</p>"},
		{"dot at line start survives dot-stuffing", ".\n.hidden\n..two\n", "", "text/plain", ".\n.hidden\n..two\n", ""},
	}
	srv := smtptest.Start(t)
	s := newSender(t, srv, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := testEmail()
			e.Text, e.HTML = tt.text, tt.html
			if _, err := s.Send(context.Background(), e); err != nil {
				t.Fatalf("Send: %v", err)
			}
			m := findMail(t, srv, e.MessageID)
			if got := mediaType(m.Header.Get("Content-Type")); got != tt.wantType {
				t.Errorf("Content-Type = %q, want %q", got, tt.wantType)
			}
			if got := strings.ReplaceAll(m.Text, "\r\n", "\n"); got != tt.wantText {
				t.Errorf("text = %q, want %q", got, tt.wantText)
			}
			if got := strings.ReplaceAll(m.HTML, "\r\n", "\n"); got != tt.wantHTML {
				t.Errorf("html = %q, want %q", got, tt.wantHTML)
			}
			if want, _ := channel.BuildMIME(e); !bytes.Equal(m.Data, want) {
				t.Errorf("received message differs from BuildMIME:\n%q\n--- want ---\n%q", m.Data, want)
			}
		})
	}
}

// findMail waits for the mail with Message-ID id.
func findMail(t *testing.T, srv *smtptest.Server, id string) smtptest.Mail {
	t.Helper()
	for n := 1; ; n++ {
		mails := srv.WaitForMails(t, n, waitMails)
		if i := slices.IndexFunc(mails, func(m smtptest.Mail) bool { return m.MessageID == id }); i >= 0 {
			return mails[i]
		}
		n = len(mails)
	}
}

func TestSendTLS(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		implicit bool
		mode     string
	}{
		{"starttls", false, TLSStartTLS},
		{"starttls-optional upgrades when offered", false, TLSStartTLSOptional},
		{"implicit", true, TLSImplicit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := smtptest.Start(t, smtptest.WithTLS(tt.implicit))
			s := newSender(t, srv, func(c *Config) { c.TLS, c.InsecureSkipVerify = tt.mode, true })
			if _, err := s.Send(context.Background(), testEmail()); err != nil {
				t.Fatalf("Send: %v", err)
			}
			if m := srv.WaitForMails(t, 1, waitMails)[0]; !m.TLS {
				t.Error("message was not sent over TLS")
			}
		})
	}
}

func TestSendTLSFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		srvTLS  bool
		cfg     func(*Config)
		wantErr string
	}{
		{
			name:    "starttls required but not offered",
			cfg:     func(c *Config) { c.TLS = TLSStartTLS },
			wantErr: "does not offer STARTTLS",
		},
		{
			name:    "self-signed certificate without InsecureSkipVerify",
			srvTLS:  true,
			cfg:     func(c *Config) { c.TLS = TLSStartTLS },
			wantErr: "certificate",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var opts []smtptest.Option
			if tt.srvTLS {
				opts = append(opts, smtptest.WithTLS(false))
			}
			srv := smtptest.Start(t, opts...)
			s := newSender(t, srv, tt.cfg)
			_, err := s.Send(context.Background(), testEmail())
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Send error = %v, want one mentioning %q", err, tt.wantErr)
			}
			if channel.IsPermanent(err) {
				t.Errorf("transport failure %v is permanent, want retryable", err)
			}
			if srv.Count() != 0 {
				t.Errorf("server accepted %d mails, want 0", srv.Count())
			}
		})
	}
}

func TestSendStartTLSOptionalWithoutTLS(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	s := newSender(t, srv, func(c *Config) { c.TLS = TLSStartTLSOptional })
	if _, err := s.Send(context.Background(), testEmail()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if m := srv.WaitForMails(t, 1, waitMails)[0]; m.TLS {
		t.Error("Mail.TLS = true on a server without TLS")
	}
}

func TestSendAuth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		user, pass    string
		starttls      bool
		wantCode      int // 0: delivered
		wantPermanent bool
	}{
		{"right credentials", "herold", "s3cret", false, 0, false},
		{"right credentials after STARTTLS", "herold", "s3cret", true, 0, false},
		{"wrong password is retryable: transport config, not the message", "herold", "wrong", false, 535, false},
		{"missing credentials is retryable", "", "", false, 530, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := []smtptest.Option{smtptest.WithAuth("herold", "s3cret")}
			if tt.starttls {
				opts = append(opts, smtptest.WithTLS(false))
			}
			srv := smtptest.Start(t, opts...)
			s := newSender(t, srv, func(c *Config) {
				c.Username, c.Password = tt.user, tt.pass
				if tt.starttls {
					c.TLS, c.InsecureSkipVerify = TLSStartTLS, true
				}
			})
			_, err := s.Send(context.Background(), testEmail())
			if tt.wantCode == 0 {
				if err != nil {
					t.Fatalf("Send: %v", err)
				}
				if m := srv.WaitForMails(t, 1, waitMails)[0]; m.TLS != tt.starttls {
					t.Errorf("Mail.TLS = %v, want %v", m.TLS, tt.starttls)
				}
				return
			}
			ce := asChannelError(t, err)
			if ce.Code != tt.wantCode || ce.Permanent != tt.wantPermanent {
				t.Errorf("Code, Permanent = %d, %v, want %d, %v (%v)", ce.Code, ce.Permanent, tt.wantCode, tt.wantPermanent, err)
			}
			if srv.Count() != 0 {
				t.Errorf("server accepted %d mails, want 0", srv.Count())
			}
		})
	}
}

func TestSendInvalidNeverReachesTheWire(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		modify func(*channel.Email)
	}{
		{"CRLF in subject", func(e *channel.Email) { e.Subject = "Hi\r\nBcc: victim@example.org" }},
		{"LF in from", func(e *channel.Email) { e.From = "a@example.org\nBcc: victim@example.org" }},
		{"CR in to name", func(e *channel.Email) { e.To[0].Name = "Jana\rBcc: victim@example.org" }},
		{"LF in bcc address", func(e *channel.Email) { e.BCC = []model.Address{{Email: "x@example.org\n"}} }},
		{"LF in header value", func(e *channel.Email) { e.Headers = map[string]string{"X-A": "1\nBcc: v@example.org"} }},
		{"CRLF in reply-to", func(e *channel.Email) { e.ReplyTo = "r@example.org\r\nX: y" }},
	}
	srv := smtptest.Start(t)
	s := newSender(t, srv, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := testEmail()
			tt.modify(e)
			_, err := s.Send(context.Background(), e)
			ce := asChannelError(t, err)
			if !ce.Permanent || ce.Code != 0 {
				t.Errorf("Permanent, Code = %v, %d, want true, 0 (%v)", ce.Permanent, ce.Code, err)
			}
		})
	}
	t.Cleanup(func() {
		if n := srv.Connections(); n != 0 {
			t.Errorf("server saw %d connections, want none for invalid messages", n)
		}
	})
}

// TestSendSMTPUTF8OnlyWhenNeeded: a domain that is not ASCII goes out as
// A-labels, in the envelope and in the header, and needs no SMTPUTF8; only
// a local part that is not ASCII does.
func TestSendSMTPUTF8OnlyWhenNeeded(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, rcpt, wantRcpt string
		wantUTF8             bool
	}{
		{"ascii envelope", "jana@example.org", "jana@example.org", false},
		{"non-ascii domain", "jana@exämple.org", "jana@xn--exmple-cua.org", false},
		{"non-ascii local part", "jürgen@exämple.org", "jürgen@xn--exmple-cua.org", true},
	}
	srv := smtptest.Start(t, smtptest.WithSMTPUTF8())
	s := newSender(t, srv, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := testEmail()
			e.To = []model.Address{{Email: tt.rcpt}}
			if _, err := s.Send(context.Background(), e); err != nil {
				t.Fatalf("Send: %v", err)
			}
			m := findMail(t, srv, e.MessageID)
			if m.UTF8 != tt.wantUTF8 || len(m.Rcpts) != 1 || m.Rcpts[0] != tt.wantRcpt {
				t.Errorf("UTF8, Rcpts = %v, %q; want %v, [%q]", m.UTF8, m.Rcpts, tt.wantUTF8, tt.wantRcpt)
			}
			if to := m.Header.Get("To"); to != "<"+tt.wantRcpt+">" {
				t.Errorf("To = %q, want <%s>", to, tt.wantRcpt)
			}
		})
	}
}

// TestSendIDNSenderAndMessageID: a sender at an internationalized domain
// gives an envelope sender, a From and a Message-ID in A-labels; a
// Message-ID is ASCII (RFC 5322), never an encoded-word.
func TestSendIDNSenderAndMessageID(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	s := newSender(t, srv, nil)
	e := testEmail()
	e.From = "Bücher <info@bücher.example>"
	e.MessageID = fmt.Sprintf("m-%d@bücher.example", msgSeq.Add(1))
	if _, err := s.Send(context.Background(), e); err != nil {
		t.Fatalf("Send: %v", err)
	}
	want := strings.Replace(e.MessageID, "bücher.example", "xn--bcher-kva.example", 1)
	m := findMail(t, srv, want)
	if m.From != "info@xn--bcher-kva.example" || m.UTF8 {
		t.Errorf("MAIL FROM %q (SMTPUTF8 %v), want info@xn--bcher-kva.example without SMTPUTF8", m.From, m.UTF8)
	}
	if got := m.Header.Get("Message-Id"); got != "<"+want+">" {
		t.Errorf("Message-ID = %q, want <%s>", got, want)
	}
	if got := m.Header.Get("From"); !strings.HasSuffix(got, " <info@xn--bcher-kva.example>") {
		t.Errorf("From = %q, want the address in A-labels", got)
	}
}

// TestSendRefusesAUTF8LocalPartWithoutSMTPUTF8: a server that does not
// offer SMTPUTF8 must not get an address it cannot take; the message fails
// for good before MAIL FROM, and the connection carries the next one.
func TestSendRefusesAUTF8LocalPartWithoutSMTPUTF8(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	s := newSender(t, srv, nil)
	bad := testEmail()
	bad.To = []model.Address{{Email: "jürgen@example.org"}}
	_, err := s.Send(context.Background(), bad)
	ce := asChannelError(t, err)
	if !ce.Permanent || !strings.Contains(err.Error(), channel.NotASCIIBeforeAt) || !strings.Contains(err.Error(), "SMTPUTF8") {
		t.Fatalf("Send = %v (permanent %v), want a permanent error naming the address and SMTPUTF8", err, ce.Permanent)
	}
	good := testEmail()
	if _, err := s.Send(context.Background(), good); err != nil {
		t.Fatalf("Send after the refusal: %v", err)
	}
	findMail(t, srv, good.MessageID)
	if mails := srv.Mails(); len(mails) != 1 {
		t.Errorf("server got %d messages, want only the good one", len(mails))
	}
	if n := srv.Connections(); n != 1 {
		t.Errorf("server saw %d connections, want 1: the refusal leaves the connection usable", n)
	}
}
