package main

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

func TestMessageID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"plain", "From: a@b\r\nMessage-ID: <x1@d>\r\n\r\nbody", "x1@d"},
		{"case and spaces", "message-id:   <x2@d>  \r\n\r\n", "x2@d"},
		{"folded", "Message-Id:\r\n <x3@d>\r\nSubject: s\r\n\r\n", "x3@d"},
		{"bare LF", "Subject: s\nMessage-Id: <x4@d>\n\n", "x4@d"},
		{"none", "Subject: s\r\n\r\n", ""},
		{"only in body", "Subject: s\r\n\r\nMessage-ID: <x5@d>\r\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := messageID([]byte(tt.in)); got != tt.want {
				t.Errorf("messageID(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func send(t *testing.T, addr, msgID string) error {
	t.Helper()
	c, err := dialSMTP(addr)
	if err != nil {
		t.Fatalf("dial sink: %v", err)
	}
	defer c.Close()
	msg := "Subject: test\r\n"
	if msgID != "" {
		msg += "Message-ID: <" + msgID + ">\r\n"
	}
	return c.SendMail("a@example.org", []string{"b@example.org"}, strings.NewReader(msg+"\r\nHallo\r\n"))
}

func startTestSink(t *testing.T, f faults) *sink {
	t.Helper()
	s, err := startSink(f)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.close)
	return s
}

func TestSinkCounts(t *testing.T) {
	t.Parallel()
	s := startTestSink(t, faults{})
	for _, id := range []string{"m1@d", "m2@d", "m1@d", ""} {
		if err := send(t, s.Addr(), id); err != nil {
			t.Fatalf("send %q: %v", id, err)
		}
	}
	st := s.Stats()
	if st.Messages != 4 || st.Distinct != 2 || st.Duplicates != 1 || st.NoMessageID != 1 || st.Connections != 4 {
		t.Fatalf("stats = %+v", st)
	}
	if st.Window() <= 0 || st.Rate() <= 0 {
		t.Fatalf("window %s, rate %g", st.Window(), st.Rate())
	}
	if _, ok := s.Delivered("m2@d"); !ok {
		t.Fatal("m2@d not recorded")
	}
}

func TestSinkHoldsMailUntilReleased(t *testing.T) {
	t.Parallel()
	s := startTestSink(t, faults{})
	s.hold()
	done := make(chan error, 1)
	go func() { done <- send(t, s.Addr(), "held@d") }()
	select {
	case err := <-done:
		t.Fatalf("sent while held: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	released := time.Now()
	s.release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.Messages != 1 || st.FirstMail.Before(released) {
		t.Fatalf("stats = %+v, released at %s", st, released)
	}
}

func TestSinkFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		f        faults
		wantCode int // 0: a network error, no reply
		check    func(SinkStats) bool
	}{
		{"451", faults{Temp451: 1}, 451, func(st SinkStats) bool { return st.Rejected4xx == 1 }},
		{"421", faults{Close421: 1}, 421, func(st SinkStats) bool { return st.Rejected4xx == 1 }},
		{"550", faults{Perm550: 1}, 550, func(st SinkStats) bool { return st.Rejected5xx == 1 }},
		{"drop", faults{Drop: 1}, 0, func(st SinkStats) bool { return st.Dropped == 1 }},
		{"stall", faults{Stall: 1, StallFor: 50 * time.Millisecond}, 250, func(st SinkStats) bool { return st.Stalled == 1 && st.Messages == 1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := tt.f.validate(); err != nil {
				t.Fatal(err)
			}
			s := startTestSink(t, tt.f)
			err := send(t, s.Addr(), "f@d")
			var se *smtp.SMTPError
			switch {
			case tt.wantCode == 250 && err != nil:
				t.Fatalf("want success, got %v", err)
			case tt.wantCode == 0 && (err == nil || errors.As(err, &se)):
				t.Fatalf("want a dropped connection, got %v", err)
			case tt.wantCode != 0 && tt.wantCode != 250 && (!errors.As(err, &se) || se.Code != tt.wantCode):
				t.Fatalf("want reply %d, got %v", tt.wantCode, err)
			}
			if st := s.Stats(); !tt.check(st) {
				t.Fatalf("stats = %+v", st)
			}
		})
	}
}

func TestFaultsValidate(t *testing.T) {
	t.Parallel()
	for _, f := range []faults{{Temp451: -0.1}, {Drop: 1.5}, {Temp451: 0.6, Perm550: 0.6}, {Stall: 0.5}} {
		if f.validate() == nil {
			t.Errorf("%+v: want an error", f)
		}
	}
}

func TestSinkTracksDistinctAndConnections(t *testing.T) {
	t.Parallel()
	s := startTestSink(t, faults{})
	second := s.whenDistinct(2)
	if _, ok := s.distinctAt(0); ok {
		t.Fatal("distinctAt(0) before any message")
	}
	for _, id := range []string{"a@d", "a@d"} {
		if err := send(t, s.Addr(), id); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-second:
		t.Fatal("whenDistinct(2) fired after one distinct Message-ID")
	default:
	}
	if err := send(t, s.Addr(), "b@d"); err != nil {
		t.Fatal(err)
	}
	select {
	case <-second:
	case <-time.After(time.Second):
		t.Fatal("whenDistinct(2) did not fire")
	}
	first, ok1 := s.distinctAt(0)
	next, ok2 := s.distinctAt(1)
	if !ok1 || !ok2 || next.Before(first) {
		t.Fatalf("distinctAt: %v %v, %v %v", first, ok1, next, ok2)
	}
	if c := s.counts(); c["a@d"] != 2 || c["b@d"] != 1 || len(c) != 2 {
		t.Fatalf("counts = %v", c)
	}
	if !s.waitClosed(time.Second) {
		t.Fatalf("%d connections still open", s.openConns())
	}
	cl, err := dialSMTP(s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	if s.waitClosed(50 * time.Millisecond) {
		t.Fatal("waitClosed with a connection open")
	}
	_ = cl.Close()
	if !s.waitClosed(time.Second) {
		t.Fatalf("%d connections open after the client closed", s.openConns())
	}
}
