package smtp

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/herold-dev/herold/internal/channel"
	"github.com/herold-dev/herold/internal/smtptest"
)

// sendAll sends n messages from workers goroutines and returns the errors.
func sendAll(ctx context.Context, s *Sender, n, workers int) []error {
	jobs := make(chan struct{}, n)
	for range n {
		jobs <- struct{}{}
	}
	close(jobs)
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range jobs {
				if _, err := s.Send(ctx, testEmail()); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return errs
}

func TestConnectionReuse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		maxConns int
		workers  int
		messages int
	}{
		{"sequential over one connection", 1, 1, 20},
		{"parallel senders share two connections", 2, 8, 60},
		{"default pool", 0, 16, 80},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := smtptest.Start(t)
			s := newSender(t, srv, func(c *Config) { c.MaxConns = tt.maxConns })
			if errs := sendAll(context.Background(), s, tt.messages, tt.workers); len(errs) > 0 {
				t.Fatalf("%d sends failed, first: %v", len(errs), errs[0])
			}
			srv.WaitForMails(t, tt.messages, waitMails)
			limit := tt.maxConns
			if limit == 0 {
				limit = DefaultMaxConns
			}
			if got := srv.Connections(); got < 1 || got > limit {
				t.Errorf("%d messages used %d connections, want 1..%d", tt.messages, got, limit)
			}
		})
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	s := newSender(t, srv, func(c *Config) { c.RatePerSecond = 50 })
	start := time.Now()
	if errs := sendAll(context.Background(), s, 20, 4); len(errs) > 0 {
		t.Fatalf("%d sends failed, first: %v", len(errs), errs[0])
	}
	// 20 messages at 50/s with a burst of 1: 19 intervals of 20ms.
	if elapsed := time.Since(start); elapsed < 360*time.Millisecond {
		t.Errorf("20 messages at 50/s took %s, want at least 360ms", elapsed)
	}
}

func TestRateLimitBeyondDeadline(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	s := newSender(t, srv, func(c *Config) { c.RatePerSecond = 0.5 })
	if _, err := s.Send(context.Background(), testEmail()); err != nil {
		t.Fatalf("first Send: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := s.Send(ctx, testEmail())
	if !errors.Is(err, channel.ErrRateLimited) || channel.IsPermanent(err) {
		t.Fatalf("second Send within 2s at 0.5/s = %v, want retryable ErrRateLimited", err)
	}
	if srv.Count() != 1 {
		t.Errorf("server accepted %d mails, want 1", srv.Count())
	}
}

func TestSendContextCancelled(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	s := newSender(t, srv, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.Send(ctx, testEmail())
	if !errors.Is(err, context.Canceled) || channel.IsPermanent(err) {
		t.Fatalf("Send with a cancelled context = %v, want retryable context.Canceled", err)
	}
	if srv.Count() != 0 {
		t.Errorf("server accepted %d mails, want 0", srv.Count())
	}
}

func TestSendCancelWhileWaitingForConnection(t *testing.T) {
	t.Parallel()
	stalled := make(chan struct{})
	srv := smtptest.Start(t, smtptest.WithDelay(func(n int) time.Duration {
		if n == 1 {
			close(stalled)
			return time.Minute // ended by the server's cleanup
		}
		return 0
	}))
	s := newSender(t, srv, func(c *Config) { c.MaxConns = 1 })
	go func() { _, _ = s.Send(context.Background(), testEmail()) }() // holds the only connection
	<-stalled
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := s.Send(ctx, testEmail())
	if !errors.Is(err, context.DeadlineExceeded) || channel.IsPermanent(err) {
		t.Fatalf("Send = %v, want retryable context.DeadlineExceeded", err)
	}
	if srv.Connections() != 1 {
		t.Errorf("Connections = %d, want 1 (MaxConns)", srv.Connections())
	}
}

func TestSendCancelMidTransaction(t *testing.T) {
	t.Parallel()
	stalled := make(chan struct{})
	srv := smtptest.Start(t, smtptest.WithDelay(func(n int) time.Duration {
		if n == 1 {
			close(stalled)
			return time.Minute
		}
		return 0
	}))
	s := newSender(t, srv, func(c *Config) { c.Timeout = time.Minute })
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-stalled
		cancel()
	}()
	start := time.Now()
	_, err := s.Send(ctx, testEmail())
	if !errors.Is(err, context.Canceled) || channel.IsPermanent(err) {
		t.Fatalf("Send = %v, want retryable context.Canceled", err)
	}
	if elapsed := time.Since(start); elapsed > 10*time.Second {
		t.Errorf("Send returned %s after start, want promptly after cancel", elapsed)
	}
	// The interrupted connection is discarded, not reused.
	if _, err := s.Send(context.Background(), testEmail()); err != nil {
		t.Fatalf("Send after cancel: %v", err)
	}
	if srv.Connections() != 2 {
		t.Errorf("Connections = %d, want 2", srv.Connections())
	}
}

func TestStalePooledConnectionIsReplaced(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	s := newSender(t, srv, func(c *Config) { c.MaxConns = 2 })
	if errs := sendAll(context.Background(), s, 4, 2); len(errs) > 0 {
		t.Fatalf("send: %v", errs[0])
	}
	open := srv.OpenConnections()
	// The server restarts and drops every connection the pool holds.
	srv.Stop()
	srv.Restart(t)
	if _, err := s.Send(context.Background(), testEmail()); err != nil {
		t.Fatalf("Send over a dead pooled connection = %v, want it replaced transparently", err)
	}
	srv.WaitForMails(t, 5, waitMails)
	if want := open + 1; srv.Connections() != want {
		t.Errorf("Connections = %d, want %d (the pooled ones plus one new)", srv.Connections(), want)
	}
}

func TestIdleConnectionsClosed(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	s := newSender(t, srv, func(c *Config) { c.IdleTimeout = 50 * time.Millisecond })
	if _, err := s.Send(context.Background(), testEmail()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	srv.WaitForOpenConnections(t, 0, 5*time.Second)
	if _, err := s.Send(context.Background(), testEmail()); err != nil {
		t.Fatalf("Send after idle close: %v", err)
	}
	if srv.Connections() != 2 {
		t.Errorf("Connections = %d, want 2", srv.Connections())
	}
}

func TestClose(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	s := newSender(t, srv, func(c *Config) { c.MaxConns = 3 })
	if errs := sendAll(context.Background(), s, 9, 3); len(errs) > 0 {
		t.Fatalf("send: %v", errs[0])
	}
	if srv.OpenConnections() == 0 {
		t.Fatal("no pooled connections before Close")
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	srv.WaitForOpenConnections(t, 0, 5*time.Second)
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	_, err := s.Send(context.Background(), testEmail())
	if !errors.Is(err, ErrClosed) || channel.IsPermanent(err) {
		t.Errorf("Send after Close = %v, want retryable ErrClosed", err)
	}
}

// warnings counts the WARN records of a Sender by message and keeps the
// last one's attributes; concurrent Sends may log.
type warnings struct {
	mu    sync.Mutex
	n     map[string]int
	attrs map[string]string
}

func (w *warnings) Enabled(context.Context, slog.Level) bool { return true }
func (w *warnings) WithAttrs([]slog.Attr) slog.Handler       { return w }
func (w *warnings) WithGroup(string) slog.Handler            { return w }

func (w *warnings) Handle(_ context.Context, r slog.Record) error {
	if r.Level == slog.LevelWarn {
		w.mu.Lock()
		w.n[r.Message]++
		w.attrs = map[string]string{}
		r.Attrs(func(a slog.Attr) bool {
			w.attrs[a.Key] = a.Value.String()
			return true
		})
		w.mu.Unlock()
	}
	return nil
}

func (w *warnings) last(key string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.attrs[key]
}

func (w *warnings) count(msg string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n[msg]
}

// rawRefusals is how many connections srv greeted with 421 so far.
func rawRefusals(srv *rawServer) int {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	return srv.refused
}

// A relay that serves three connections of a client at once and greets a
// further one with 421: the pool of eight sends every message over the
// three, fails none, stops dialing once refused, says so once at WARN,
// and tries to grow again when refusedFor has passed.
func TestServerConnectionLimit(t *testing.T) {
	t.Parallel()
	const serverMax, poolMax = 3, 8
	// After the first 60 messages the server takes 20 ms per message, so
	// that the second burst needs more than three connections at once.
	srv := startRawServer(t, rawConfig{pipelining: true, chunking: true, maxConns: serverMax,
		end: func(n int) string {
			if n > 60 {
				time.Sleep(20 * time.Millisecond)
			}
			return ""
		}})
	logs := &warnings{n: map[string]int{}}
	host, port := srv.addr()
	s, err := New(Config{Host: host, Port: port, TLS: TLSNone, MaxConns: poolMax, Timeout: 4 * rawReadDeadline},
		slog.New(logs))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 3*rawReadDeadline)
	defer cancel()

	if errs := sendAll(ctx, s, 60, 16); len(errs) > 0 {
		t.Fatalf("%d of 60 sends failed, first: %v", len(errs), errs[0])
	}
	_, msgs, _, violations := srv.snapshot()
	if len(msgs) != 60 || len(violations) > 0 {
		t.Fatalf("server accepted %d of 60 messages; violations %q", len(msgs), violations)
	}
	refused := rawRefusals(srv)
	// At most the first burst dials beyond the three: poolMax-serverMax.
	if refused < 1 || refused > poolMax-serverMax {
		t.Fatalf("server refused %d connections, want 1..%d: the pool must try beyond the server's bound once and then keep to it",
			refused, poolMax-serverMax)
	}
	const refusal = "SMTP server refused further connections; sending over those it accepted"
	if n := logs.count(refusal); n != 1 {
		t.Fatalf("%d WARN records %q, want 1", n, refusal)
	}
	if got := logs.last("connections"); got != strconv.Itoa(serverMax) {
		t.Fatalf("the WARN names %s connections, want the %d the server accepted", got, serverMax)
	}
	s.mu.Lock()
	limit := s.limit
	s.mu.Unlock()
	if limit > serverMax {
		t.Fatalf("pool limit %d after the refusals, want at most %d", limit, serverMax)
	}

	// refusedFor has passed: the next burst dials beyond the three again,
	// and is refused again without failing a message.
	s.mu.Lock()
	s.lowUntil = time.Now()
	s.mu.Unlock()
	if errs := sendAll(ctx, s, 30, 16); len(errs) > 0 {
		t.Fatalf("%d of 30 sends failed after the limit expired, first: %v", len(errs), errs[0])
	}
	if _, msgs, _, _ = srv.snapshot(); len(msgs) != 90 {
		t.Fatalf("server accepted %d of 90 messages", len(msgs))
	}
	if again := rawRefusals(srv); again <= refused {
		t.Fatalf("server refused %d connections in all, as before the limit expired: the pool did not try to grow again", again)
	}
	if n := logs.count(refusal); n != 2 {
		t.Fatalf("%d WARN records %q after the limit expired, want 2", n, refusal)
	}
}

// A server that refuses every connection: each of concurrent Sends gets
// the 421 as a retryable error, none waits for a connection that will not
// come.
func TestServerRefusesEveryConnection(t *testing.T) {
	t.Parallel()
	srv := startRawServer(t, rawConfig{pipelining: true, refuseAll: true})
	s := newRawSenderWith(t, srv, func(c *Config) { c.MaxConns = 8 })
	ctx, cancel := context.WithTimeout(context.Background(), 3*rawReadDeadline)
	defer cancel()
	errs := sendAll(ctx, s, 8, 8)
	if len(errs) != 8 {
		t.Fatalf("%d of 8 sends failed, want all", len(errs))
	}
	for _, err := range errs {
		var cerr *channel.Error
		if !errors.As(err, &cerr) || cerr.Code != 421 || cerr.Permanent {
			t.Fatalf("error %v, want the server's retryable 421", err)
		}
	}
}
