package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/client"
	"github.com/herold-dev/herold/internal/apptest"
)

// attempts records each request a client sends: its status and the
// idempotency key in its body.
type attempts struct {
	next http.RoundTripper
	mu   sync.Mutex
	keys []string
	seen chan int
}

func (a *attempts) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.GetBody != nil {
		body, _ := r.GetBody()
		var ev struct {
			Key string `json:"idempotency_key"`
		}
		_ = json.NewDecoder(body).Decode(&ev)
		a.mu.Lock()
		a.keys = append(a.keys, ev.Key)
		a.mu.Unlock()
	}
	resp, err := a.next.RoundTrip(r)
	if err == nil {
		a.seen <- resp.StatusCode
	}
	return resp, err
}

// TestRetryAfterServerOverload: the server's own admission limit refuses
// an event with 503 and Retry-After: 1; the client waits that second and
// sends the same event (same idempotency key) again, which is accepted.
func TestRetryAfterServerOverload(t *testing.T) {
	t.Parallel()
	e, _ := start(t, func(s *apptest.Setup) { s.Opts.MaxPendingWrites = 1 })
	// Hold the writer, and let one request take the only admission token
	// and wait for it.
	release := e.HoldWriter(t)
	var first chan *apptest.Response
	send := func() {
		ch := make(chan *apptest.Response, 1)
		first = ch
		go func() { ch <- e.Do("POST", "/v1/events", map[string]any{"type": "ping", "project": "p"}) }()
	}
	send()
	apptest.Eventually(t, 10*time.Second, func() bool {
		select {
		case r := <-first:
			// It arrived while a probe held the token and was shed:
			// send it again.
			require.Equal(t, http.StatusServiceUnavailable, r.Status, "%s", r.Body)
			send()
			return false
		default:
		}
		// Admission comes before decoding: a malformed body answers 503
		// while the token is taken, else 400 at once.
		return e.Do("POST", "/v1/events", "{").Status == http.StatusServiceUnavailable
	}, "the first request never took the admission token")

	rec := &attempts{next: http.DefaultTransport, seen: make(chan int, 4)}
	c := client.MustNew(e.URL, e.Key, client.WithHTTPClient(&http.Client{Transport: rec}))
	done := make(chan error, 1)
	var res *client.EventResult
	start := time.Now()
	go func() {
		var err error
		res, err = c.SendEvent(context.Background(), ping(1, person("anna")))
		done <- err
	}()
	require.Equal(t, http.StatusServiceUnavailable, <-rec.seen, "the client's first attempt is refused")
	release()
	require.Equal(t, http.StatusCreated, (<-first).Status)
	require.NoError(t, <-done)
	require.Equal(t, http.StatusCreated, <-rec.seen)
	require.GreaterOrEqual(t, time.Since(start), time.Second, "Retry-After: 1 was honoured")
	require.Len(t, res.Messages, 1)
	require.Len(t, rec.keys, 2)
	require.NotEmpty(t, rec.keys[0])
	require.Equal(t, rec.keys[0], rec.keys[1], "the retry carries the same idempotency key")
}

// flaky is a proxy in front of a Herold that refuses or drops the first
// requests.
type flaky struct {
	mu       sync.Mutex
	requests int
	// refuse answers 503 with this Retry-After ("": none) to the first
	// n503 requests; drop closes the connection of the first ndrop.
	n503, ndrop int
	retryAfter  string
}

func (f *flaky) start(t *testing.T, target string) string {
	u, err := url.Parse(target)
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.requests++
		n := f.requests
		f.mu.Unlock()
		switch {
		case n <= f.ndrop:
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				_ = conn.Close()
			}
		case n <= f.n503:
			if f.retryAfter != "" {
				w.Header().Set("Retry-After", f.retryAfter)
			}
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.Copy(w, bytes.NewReader([]byte(`{"type":"/problems/overloaded","title":"Overloaded","status":503}`)))
		default:
			proxy.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func (f *flaky) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests
}

func TestRetries(t *testing.T) {
	t.Parallel()
	e, _ := start(t)
	ctx := context.Background()
	fast := client.WithRetry(client.Retry{BaseDelay: time.Millisecond})

	t.Run("503 then accepted, one event", func(t *testing.T) {
		f := &flaky{n503: 2, retryAfter: "0"}
		rec := &attempts{next: http.DefaultTransport, seen: make(chan int, 8)}
		c := client.MustNew(f.start(t, e.URL), e.Key, fast, client.WithHTTPClient(&http.Client{Transport: rec}))
		res, err := c.SendEvent(ctx, ping(1, person("anna")))
		require.NoError(t, err)
		require.Equal(t, 3, f.count())
		require.Len(t, rec.keys, 3)
		require.Equal(t, rec.keys[0], rec.keys[2])
		require.Len(t, collect(t, client.MustNew(e.URL, e.Key).Messages(ctx, client.MessageFilter{Event: res.ID})), 1)
	})
	t.Run("attempts run out", func(t *testing.T) {
		f := &flaky{n503: 100, retryAfter: "0"}
		c := client.MustNew(f.start(t, e.URL), e.Key, client.WithRetry(client.Retry{MaxAttempts: 2}))
		res, err := c.SendEvent(ctx, ping(1))
		require.Nil(t, res)
		require.ErrorIs(t, err, client.ErrOverloaded)
		require.Equal(t, 2, f.count())
		var apiErr *client.Error
		require.ErrorAs(t, err, &apiErr)
		require.Equal(t, "0", apiErr.Header.Get("Retry-After"))
	})
	t.Run("no retries", func(t *testing.T) {
		f := &flaky{n503: 100}
		c := client.MustNew(f.start(t, e.URL), e.Key, client.WithRetry(client.Retry{MaxAttempts: 1}))
		_, err := c.Workspace(ctx)
		require.ErrorIs(t, err, client.ErrOverloaded)
		require.Equal(t, 1, f.count())
	})
	t.Run("a wait longer than MaxDelay is not waited for", func(t *testing.T) {
		f := &flaky{n503: 100, retryAfter: "3600"}
		c := client.MustNew(f.start(t, e.URL), e.Key)
		_, err := c.Workspace(ctx)
		var apiErr *client.Error
		require.ErrorAs(t, err, &apiErr)
		require.Equal(t, time.Hour, apiErr.RetryAfter)
		require.Equal(t, 1, f.count())
	})
	t.Run("a wait past the context's deadline is not waited for", func(t *testing.T) {
		f := &flaky{n503: 100, retryAfter: "5"}
		c := client.MustNew(f.start(t, e.URL), e.Key)
		dctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
		began := time.Now()
		_, err := c.Workspace(dctx)
		require.ErrorIs(t, err, client.ErrOverloaded)
		require.Less(t, time.Since(began), 3*time.Second, "it gave up at once")
		require.Equal(t, 1, f.count())
	})
	t.Run("503 without Retry-After backs off", func(t *testing.T) {
		f := &flaky{n503: 2}
		c := client.MustNew(f.start(t, e.URL), e.Key, fast)
		_, err := c.Workspace(ctx)
		require.NoError(t, err)
		require.Equal(t, 3, f.count())
	})
	t.Run("connection errors are retried where safe", func(t *testing.T) {
		f := &flaky{ndrop: 1}
		c := client.MustNew(f.start(t, e.URL), e.Key, fast)
		_, err := c.Workspace(ctx)
		require.NoError(t, err)
		require.Equal(t, 2, f.count())
		res, err := c.SendEvent(ctx, &client.Event{Type: "booking", Project: "p", Actors: map[string][]client.Actor{"to": {person("x")}}})
		require.NoError(t, err)

		// A decision is not repeated: the repeat would report the first
		// one's success as a conflict.
		f2 := &flaky{ndrop: 1}
		c2 := client.MustNew(f2.start(t, e.URL), e.Key, fast)
		err = c2.ApproveMessage(ctx, res.Messages[0].ID, "")
		require.Error(t, err)
		require.NotErrorIs(t, err, client.ErrConflict)
		require.Equal(t, 1, f2.count())
	})
	t.Run("Retry-After as a date", func(t *testing.T) {
		f := &flaky{n503: 100, retryAfter: time.Now().Add(2 * time.Hour).UTC().Format(http.TimeFormat)}
		c := client.MustNew(f.start(t, e.URL), e.Key)
		_, err := c.Workspace(ctx)
		var apiErr *client.Error
		require.ErrorAs(t, err, &apiErr)
		require.Greater(t, apiErr.RetryAfter, time.Hour)
		require.Equal(t, 1, f.count(), "two hours are longer than MaxDelay")
	})
	t.Run("retries are logged at WARN", func(t *testing.T) {
		f := &flaky{n503: 1, retryAfter: "0"}
		var log bytes.Buffer
		c := client.MustNew(f.start(t, e.URL), e.Key, client.WithLogger(slog.New(slog.NewTextHandler(&log, nil))))
		_, err := c.Contact(ctx, "nobody")
		require.ErrorIs(t, err, client.ErrNotFound)
		require.Equal(t, 2, f.count())
		require.Contains(t, log.String(), "level=WARN")
		require.Contains(t, log.String(), "path=/v1/contacts/nobody attempt=1")
		require.Contains(t, log.String(), "503")
	})
	t.Run("a slow server times out", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
		t.Cleanup(srv.Close)
		c := client.MustNew(srv.URL, e.Key, client.WithTimeout(50*time.Millisecond), client.WithRetry(client.Retry{MaxAttempts: 1}))
		_, err := c.Workspace(ctx)
		var ne net.Error
		require.ErrorAs(t, err, &ne)
		require.True(t, ne.Timeout(), "%v", err)
	})
	t.Run("a cancelled context stops the retries", func(t *testing.T) {
		f := &flaky{n503: 100}
		c := client.MustNew(f.start(t, e.URL), e.Key, client.WithRetry(client.Retry{MaxAttempts: 1000, BaseDelay: 20 * time.Millisecond}))
		cctx, cancel := context.WithCancel(ctx)
		time.AfterFunc(100*time.Millisecond, cancel)
		_, err := c.Workspace(cctx)
		// Cancelled while waiting or during an attempt: either way the
		// error says both.
		require.ErrorIs(t, err, context.Canceled)
		require.ErrorIs(t, err, client.ErrOverloaded)
		require.Less(t, f.count(), 1000)
	})
}
