package smtp

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/herold-dev/herold/internal/channel"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/smtptest"
)

func asChannelError(t *testing.T, err error) *channel.Error {
	t.Helper()
	var ce *channel.Error
	if !errors.As(err, &ce) {
		t.Fatalf("error %v (%T) is not a *channel.Error", err, err)
	}
	return ce
}

func dataReply(r smtptest.Reply) smtptest.Option {
	return smtptest.WithDataReply(func(int, string, []string, []byte) *smtptest.Reply { return &r })
}

func TestSendFailureClassification(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		opts          []smtptest.Option
		twoRcpts      bool
		wantPermanent bool
		wantCode      int
		wantReply     string
		wantErr       string // substring of the error
		// wantRefused are the recipients a 5xx to RCPT refused: hard
		// bounces of those addresses.
		wantRefused []string
	}{
		{
			name:      "451 at end of DATA is retryable",
			opts:      []smtptest.Option{dataReply(smtptest.Reply{Code: 451, Enhanced: "4.3.0", Message: "Try again later"})},
			wantCode:  451,
			wantReply: "451 4.3.0 Try again later",
			wantErr:   "end of DATA",
		},
		{
			name:      "421 at end of DATA is retryable",
			opts:      []smtptest.Option{dataReply(smtptest.Reply{Code: 421, Enhanced: "4.3.2", Message: "Service shutting down"})},
			wantCode:  421,
			wantReply: "421 4.3.2 Service shutting down",
		},
		{
			name:          "554 at end of DATA is permanent",
			opts:          []smtptest.Option{dataReply(smtptest.Reply{Code: 554, Enhanced: "5.7.1", Message: "Message rejected as spam"})},
			wantPermanent: true,
			wantCode:      554,
			wantReply:     "554 5.7.1 Message rejected as spam",
			wantRefused:   []string{"jana@example.org"},
		},
		{
			name:          "554 at end of DATA to several recipients names none of them",
			twoRcpts:      true,
			opts:          []smtptest.Option{dataReply(smtptest.Reply{Code: 554, Enhanced: "5.7.1", Message: "Message rejected as spam"})},
			wantPermanent: true,
			wantCode:      554,
			wantReply:     "554 5.7.1 Message rejected as spam",
		},
		{
			name: "550 to RCPT is permanent with the server's text",
			opts: []smtptest.Option{smtptest.WithRcptReply(func(string) *smtptest.Reply {
				return &smtptest.Reply{Code: 550, Enhanced: "5.1.1", Message: "<jana@example.org>: Recipient address rejected"}
			})},
			wantPermanent: true,
			wantCode:      550,
			wantReply:     "550 5.1.1 <jana@example.org>: Recipient address rejected",
			wantErr:       "RCPT TO:<jana@example.org>",
			wantRefused:   []string{"jana@example.org"},
		},
		{
			name: "450 to RCPT is retryable",
			opts: []smtptest.Option{smtptest.WithRcptReply(func(string) *smtptest.Reply {
				return &smtptest.Reply{Code: 450, Enhanced: "4.2.1", Message: "Mailbox busy"}
			})},
			wantCode:  450,
			wantReply: "450 4.2.1 Mailbox busy",
		},
		{
			name:     "5xx to one of two RCPTs fails the whole message permanently",
			twoRcpts: true,
			opts: []smtptest.Option{smtptest.WithRcptReply(func(rcpt string) *smtptest.Reply {
				switch rcpt {
				case "gone@example.org":
					return &smtptest.Reply{Code: 550, Enhanced: "5.1.1", Message: "<gone@example.org>: Recipient address rejected"}
				case "jana@example.org":
					return &smtptest.Reply{Code: 452, Enhanced: "4.2.2", Message: "Mailbox full"}
				}
				return nil
			})},
			wantPermanent: true,
			wantCode:      550,
			wantReply:     "550 5.1.1 <gone@example.org>: Recipient address rejected",
			wantErr:       "2 of 3 recipients rejected",
			wantRefused:   []string{"gone@example.org"},
		},
		{
			name: "553 to MAIL FROM is permanent",
			opts: []smtptest.Option{smtptest.WithMailReply(func(string) *smtptest.Reply {
				return &smtptest.Reply{Code: 553, Enhanced: "5.7.1", Message: "Sender address rejected"}
			})},
			wantPermanent: true,
			wantCode:      553,
			wantReply:     "553 5.7.1 Sender address rejected",
		},
		{
			name:    "connection dropped mid-DATA is retryable",
			opts:    []smtptest.Option{smtptest.WithDropMidData(func(int) bool { return true })},
			wantErr: "DATA",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := smtptest.Start(t, tt.opts...)
			s := newSender(t, srv, nil)
			e := testEmail()
			if tt.twoRcpts {
				e.CC = []model.Address{{Email: "ok@example.org"}, {Email: "gone@example.org"}}
			}
			_, err := s.Send(context.Background(), e)
			ce := asChannelError(t, err)
			if ce.Permanent != tt.wantPermanent || ce.Code != tt.wantCode || ce.Reply != tt.wantReply {
				t.Errorf("Permanent, Code, Reply = %v, %d, %q; want %v, %d, %q",
					ce.Permanent, ce.Code, ce.Reply, tt.wantPermanent, tt.wantCode, tt.wantReply)
			}
			if !slices.Equal(ce.Refused, tt.wantRefused) {
				t.Errorf("Refused = %q, want %q", ce.Refused, tt.wantRefused)
			}
			if channel.IsPermanent(err) != tt.wantPermanent {
				t.Errorf("IsPermanent = %v, want %v", channel.IsPermanent(err), tt.wantPermanent)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not mention %q", err, tt.wantErr)
			}
			if srv.Count() != 0 {
				t.Errorf("server accepted %d mails, want 0", srv.Count())
			}
		})
	}
}

func TestSendConnectionRefusedThenServerComesUp(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	s := newSender(t, srv, nil)
	srv.Stop()
	_, err := s.Send(context.Background(), testEmail())
	ce := asChannelError(t, err)
	if ce.Permanent || ce.Code != 0 || !strings.Contains(err.Error(), "connect to") {
		t.Fatalf("Send to a stopped server = %v (permanent %v, code %d), want a retryable connect error", err, ce.Permanent, ce.Code)
	}
	srv.Restart(t)
	if _, err := s.Send(context.Background(), testEmail()); err != nil {
		t.Fatalf("Send after the server came up: %v", err)
	}
	srv.WaitForMails(t, 1, waitMails)
}

func TestSendTimeoutWhenServerStalls(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.WithDelay(func(n int) time.Duration {
		if n == 1 {
			return time.Minute // ended by the server's cleanup
		}
		return 0
	}))
	s := newSender(t, srv, func(c *Config) { c.Timeout = 200 * time.Millisecond })
	start := time.Now()
	_, err := s.Send(context.Background(), testEmail())
	ce := asChannelError(t, err)
	var timeout interface{ Timeout() bool }
	if ce.Permanent || ce.Code != 0 || !errors.As(err, &timeout) || !timeout.Timeout() {
		t.Fatalf("Send to a stalling server = %v, want a retryable timeout", err)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("Send took %s with a 200ms timeout", elapsed)
	}
	// The timed-out connection is not reused: the next message goes out on
	// a new one.
	if _, err := s.Send(context.Background(), testEmail()); err != nil {
		t.Fatalf("Send after timeout: %v", err)
	}
	if srv.Connections() != 2 {
		t.Errorf("Connections = %d, want 2", srv.Connections())
	}
}

func TestSendConnectionReuseAfterFailures(t *testing.T) {
	t.Parallel()
	firstData := func(r smtptest.Reply) smtptest.Option {
		return smtptest.WithDataReply(func(n int, _ string, _ []string, _ []byte) *smtptest.Reply {
			if n == 1 {
				return &r
			}
			return nil
		})
	}
	rejectGone := smtptest.WithRcptReply(func(rcpt string) *smtptest.Reply {
		if rcpt == "gone@example.org" {
			return &smtptest.Reply{Code: 550, Enhanced: "5.1.1", Message: "no such user"}
		}
		return nil
	})
	tests := []struct {
		name      string
		opt       smtptest.Option
		first     func(*channel.Email) // makes the first message fail
		wantCode  int
		wantConns int
	}{
		{"451 at end of DATA keeps the connection", firstData(smtptest.Reply{Code: 451, Message: "later"}), nil, 451, 1},
		{"550 at end of DATA keeps the connection", firstData(smtptest.Reply{Code: 550, Message: "no"}), nil, 550, 1},
		{"421 closes it", firstData(smtptest.Reply{Code: 421, Message: "bye"}), nil, 421, 2},
		{
			name:      "rejected RCPT is reset and the connection kept",
			opt:       rejectGone,
			first:     func(e *channel.Email) { e.CC = []model.Address{{Email: "gone@example.org"}} },
			wantCode:  550,
			wantConns: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := smtptest.Start(t, tt.opt)
			s := newSender(t, srv, func(c *Config) { c.MaxConns = 1 })
			first := testEmail()
			if tt.first != nil {
				tt.first(first)
			}
			if _, err := s.Send(context.Background(), first); asChannelError(t, err).Code != tt.wantCode {
				t.Fatalf("first Send = %v, want reply code %d", err, tt.wantCode)
			}
			second := testEmail()
			if _, err := s.Send(context.Background(), second); err != nil {
				t.Fatalf("second Send: %v", err)
			}
			if m := srv.WaitForMails(t, 1, waitMails); len(m) != 1 || m[0].MessageID != second.MessageID || len(m[0].Rcpts) != 1 {
				t.Errorf("accepted %d mails, first %s to %q; want only %s to one recipient", len(m), m[0].MessageID, m[0].Rcpts, second.MessageID)
			}
			if srv.Connections() != tt.wantConns {
				t.Errorf("Connections = %d, want %d", srv.Connections(), tt.wantConns)
			}
		})
	}
}
