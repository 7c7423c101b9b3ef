package httpserver

import (
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/herold-dev/herold/internal/config"
)

// serve runs New(h) on a real TCP port with a short write timeout; the
// server stops when the test ends.
func serve(t *testing.T, h http.Handler, write time.Duration) string {
	t.Helper()
	ln, _, err := Listen("127.0.0.1:0", config.HTTP{MaxConns: -1})
	if err != nil {
		t.Fatal(err)
	}
	srv := New(h, config.HTTP{ReadHeaderTimeout: time.Second, ReadTimeout: time.Second, WriteTimeout: write,
		IdleTimeout: time.Second}, nil)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String()
}

// TestWriteTimeoutSparesLongLivedAnswers: an answer that is not ready
// within the write timeout is cut off, unless its handler declared it
// long-lived (as a stream of server-sent events will) — also through
// Observe's wrapper around the ResponseWriter.
func TestWriteTimeoutSparesLongLivedAnswers(t *testing.T) {
	t.Parallel()
	const write = 200 * time.Millisecond
	slow := func(longLived bool) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if longLived {
				if err := LongLived(w); err != nil {
					t.Errorf("LongLived: %v", err)
				}
			}
			// Answer only after the write deadline has passed.
			<-time.After(2 * write)
			_, _ = io.WriteString(w, "done")
		})
	}
	mux := http.NewServeMux()
	mux.Handle("/slow", slow(false))
	mux.Handle("/stream", slow(true))
	url := serve(t, Observe(mux, ObserveConfig{Handler: "api", Route: func(*http.Request) string { return "" }}), write)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}

	resp, err := client.Get(url + "/stream")
	if err != nil {
		t.Fatalf("long-lived answer cut off: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || string(body) != "done" {
		t.Fatalf("long-lived answer = %q, %v", body, err)
	}

	resp, err = client.Get(url + "/slow")
	if err == nil {
		body, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the client's own timeout ran out: %v", err)
	}
	if err == nil {
		t.Fatalf("an answer past the write timeout arrived: %q", body)
	}
}

func TestBoundKeepsHalfTheOpenFiles(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name                      string
		maxConns, fileLimit, want int
	}{
		{"below the limit", 1000, 1 << 20, 1000},
		{"limit unknown", 1000, 0, 1000},
		{"a low limit", 1000, 128, 64},
		{"no bound", -1, 128, 0},
		{"a tiny limit", 1000, 1, 1},
	}
	for _, c := range cases {
		if got := Bound(c.maxConns, c.fileLimit); got != c.want {
			t.Errorf("%s: Bound(%d, %d) = %d, want %d", c.name, c.maxConns, c.fileLimit, got, c.want)
		}
	}
}
