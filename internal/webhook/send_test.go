package webhook_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/herold-dev/herold/internal/webhook"
	"github.com/herold-dev/herold/internal/webhook/webhooktest"
)

// receiver is an HTTP endpoint on 127.0.0.1 that counts its calls and
// checks every signature with the independent verifier.
type receiver struct {
	srv      *httptest.Server
	calls    atomic.Int32
	verified atomic.Int32
}

func newReceiver(t *testing.T, secret string, h http.HandlerFunc) *receiver {
	t.Helper()
	rc := &receiver{}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc.calls.Add(1)
		body, _ := io.ReadAll(r.Body)
		if webhooktest.Verify(secret, r.Header, body) > 0 {
			rc.verified.Add(1)
		}
		h(w, r)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

var open = webhook.Guard{AllowPrivate: true, AllowHTTP: true}

func request(url, secret string) webhook.Request {
	return webhook.Request{URL: url, Secrets: []string{secret}, ID: "wh_test", At: time.Now(), Body: []byte(`{"type":"message.sent"}`)}
}

func TestSendSignedAndExcerptBounded(t *testing.T) {
	t.Parallel()
	secret := webhook.NewSecret()
	rc := newReceiver(t, secret, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, "ok-"+strings.Repeat("é", 4000))
	})
	s := webhook.NewSender(webhook.SenderConfig{Guard: open, ExcerptBytes: 64})
	a := s.Send(context.Background(), request(rc.srv.URL+"/hook", secret))
	if a.Err != nil || a.Status != http.StatusAccepted {
		t.Fatalf("attempt %+v", a)
	}
	if rc.verified.Load() != 1 {
		t.Fatalf("receiver verified %d of %d calls", rc.verified.Load(), rc.calls.Load())
	}
	if len(a.Excerpt) > 64+3 || !strings.HasPrefix(a.Excerpt, "ok-é") {
		t.Fatalf("excerpt %d bytes: %q", len(a.Excerpt), a.Excerpt)
	}
	if a.Latency <= 0 {
		t.Fatalf("latency %v", a.Latency)
	}
}

func TestSendDoesNotFollowRedirects(t *testing.T) {
	t.Parallel()
	secret := webhook.NewSecret()
	target := newReceiver(t, secret, func(w http.ResponseWriter, r *http.Request) {})
	rc := newReceiver(t, secret, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.srv.URL+"/elsewhere", http.StatusTemporaryRedirect)
	})
	a := webhook.NewSender(webhook.SenderConfig{Guard: open}).Send(context.Background(), request(rc.srv.URL, secret))
	if a.Status != http.StatusTemporaryRedirect || a.Location != target.srv.URL+"/elsewhere" {
		t.Fatalf("attempt %+v", a)
	}
	if n := target.calls.Load(); n != 0 {
		t.Fatalf("redirect target called %d times", n)
	}
}

func TestSendTimesOut(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	rc := newReceiver(t, "", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	a := webhook.NewSender(webhook.SenderConfig{Guard: open, Timeout: 200 * time.Millisecond}).
		Send(context.Background(), request(rc.srv.URL, webhook.NewSecret()))
	if a.Err == nil || a.Status != 0 {
		t.Fatalf("attempt %+v, want a timeout", a)
	}
	if a.Latency > 5*time.Second {
		t.Fatalf("latency %v past the timeout", a.Latency)
	}
}

// A name resolving to a refused address is never called: the receiver
// listens on 127.0.0.1, and every refused answer below would reach it
// (or another internal address) if the guard let the dial through.
func TestSendGuardRefusesResolvedAddresses(t *testing.T) {
	t.Parallel()
	secret := webhook.NewSecret()
	rc := newReceiver(t, secret, func(w http.ResponseWriter, r *http.Request) {})
	_, port, _ := net.SplitHostPort(rc.srv.Listener.Addr().String())
	url := "http://hooks.example.test:" + port + "/hook"
	for _, answer := range []string{"127.0.0.1", "10.1.2.3", "169.254.169.254", "::1", "::ffff:127.0.0.1", "100.64.0.1", "fd00::1"} {
		t.Run(answer, func(t *testing.T) {
			resolve := func(context.Context, string) ([]netip.Addr, error) {
				return []netip.Addr{netip.MustParseAddr(answer)}, nil
			}
			s := webhook.NewSender(webhook.SenderConfig{Guard: webhook.Guard{AllowHTTP: true}, Resolve: resolve, Timeout: 2 * time.Second})
			a := s.Send(context.Background(), request(url, secret))
			if !errors.Is(a.Err, webhook.ErrRefused) {
				t.Fatalf("attempt %+v, want refused", a)
			}
		})
	}
	if n := rc.calls.Load(); n != 0 {
		t.Fatalf("receiver called %d times through refused addresses", n)
	}
	// The same name reaches the receiver once the operator allows
	// private addresses: the refusals above were the guard's doing.
	resolve := func(context.Context, string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("::ffff:127.0.0.1")}, nil
	}
	a := webhook.NewSender(webhook.SenderConfig{Guard: open, Resolve: resolve}).Send(context.Background(), request(url, secret))
	if a.Err != nil || a.Status != http.StatusOK || rc.verified.Load() != 1 {
		t.Fatalf("allowed attempt %+v, %d verified", a, rc.verified.Load())
	}
}

func TestSendRefusesHTTPUnlessAllowed(t *testing.T) {
	t.Parallel()
	rc := newReceiver(t, "", func(w http.ResponseWriter, r *http.Request) {})
	a := webhook.NewSender(webhook.SenderConfig{Guard: webhook.Guard{AllowPrivate: true}}).
		Send(context.Background(), request(rc.srv.URL, webhook.NewSecret()))
	if !errors.Is(a.Err, webhook.ErrRefused) || rc.calls.Load() != 0 {
		t.Fatalf("attempt %+v, %d calls", a, rc.calls.Load())
	}
}
