package smtp

import (
	"errors"
	"net/textproto"
	"strings"
	"testing"
	"time"
)

func TestNewConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		cfg      Config
		wantErr  string
		wantPort int
		wantTLS  string
	}{
		{name: "defaults", cfg: Config{Host: "mail.example.org"}, wantPort: 587, wantTLS: TLSStartTLS},
		{name: "implicit tls port", cfg: Config{Host: "mail.example.org", TLS: TLSImplicit}, wantPort: 465, wantTLS: TLSImplicit},
		{name: "no tls port", cfg: Config{Host: "mail.example.org", TLS: TLSNone}, wantPort: 25, wantTLS: TLSNone},
		{name: "explicit port kept", cfg: Config{Host: "mail.example.org", Port: 2525}, wantPort: 2525, wantTLS: TLSStartTLS},
		{name: "missing host", cfg: Config{}, wantErr: "host is required"},
		{name: "host with space", cfg: Config{Host: "mail example"}, wantErr: "not a host name"},
		{name: "port out of range", cfg: Config{Host: "h", Port: 70000}, wantErr: "out of range"},
		{name: "unknown tls", cfg: Config{Host: "h", TLS: "ssl"}, wantErr: `tls "ssl"`},
		{name: "password without user", cfg: Config{Host: "h", Password: "x"}, wantErr: "without username"},
		{name: "helo with line break", cfg: Config{Host: "h", HELO: "a\r\nMAIL FROM:<x>"}, wantErr: "line breaks"},
		{name: "negative conns", cfg: Config{Host: "h", MaxConns: -1}, wantErr: "negative"},
		{name: "negative rate", cfg: Config{Host: "h", RatePerSecond: -1}, wantErr: "negative"},
		{name: "negative timeout", cfg: Config{Host: "h", Timeout: -time.Second}, wantErr: "negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := New(tt.cfg, nil)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("New error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			defer s.Close()
			c := s.cfg
			if c.Port != tt.wantPort || c.TLS != tt.wantTLS || c.MaxConns != DefaultMaxConns ||
				c.Timeout != DefaultTimeout || c.IdleTimeout != DefaultIdleTimeout || c.HELO == "" {
				t.Errorf("config after defaults = %+v, want port %d, tls %s and documented defaults", c, tt.wantPort, tt.wantTLS)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		stage         stage
		err           error
		wantPermanent bool
		wantCode      int
		wantReply     string
	}{
		{"network error", stageMessage, errors.New("connection reset by peer"), false, 0, ""},
		{"4xx in message", stageMessage, &textproto.Error{Code: 451, Msg: "4.3.0 later"}, false, 451, "451 4.3.0 later"},
		{"421 in message", stageMessage, &textproto.Error{Code: 421, Msg: "4.3.2 bye"}, false, 421, "421 4.3.2 bye"},
		{"5xx in message", stageMessage, &textproto.Error{Code: 550, Msg: "5.1.1 unknown"}, true, 550, "550 5.1.1 unknown"},
		{"530 in message is transport config", stageMessage, &textproto.Error{Code: 530, Msg: "5.7.0 Authentication required"}, false, 530, "530 5.7.0 Authentication required"},
		{"5xx while connecting", stageConnect, &textproto.Error{Code: 535, Msg: "5.7.8 bad credentials"}, false, 535, "535 5.7.8 bad credentials"},
		{"wrapped reply", stageMessage, errors.Join(errors.New("x"), &textproto.Error{Code: 552, Msg: "too big"}), true, 552, "552 too big"},
		{"multi-line reply", stageMessage, &textproto.Error{Code: 550, Msg: "5.7.1 first\nsecond"}, true, 550, "550-5.7.1 first\n550 second"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ce := classify(tt.stage, "STEP", tt.err)
			if ce.Permanent != tt.wantPermanent || ce.Code != tt.wantCode || ce.Reply != tt.wantReply {
				t.Errorf("classify = %+v, want permanent %v, code %d, reply %q", ce, tt.wantPermanent, tt.wantCode, tt.wantReply)
			}
			if !errors.Is(ce, tt.err) || !strings.HasPrefix(ce.Err.Error(), "STEP: ") {
				t.Errorf("cause %v does not wrap %v with the step", ce.Err, tt.err)
			}
		})
	}
}
