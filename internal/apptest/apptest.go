// Package apptest starts a whole Herold server in-process for tests: a real
// SQLite file in a temporary directory, the HTTP API on 127.0.0.1:0, a fake
// clock, and helpers to call the API.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/herold-dev/herold/internal/app"
	"github.com/herold-dev/herold/internal/clock"
	"github.com/herold-dev/herold/internal/config"
	"github.com/herold-dev/herold/internal/httpapi"
	"github.com/herold-dev/herold/internal/jobs"
	"github.com/herold-dev/herold/internal/openapicheck"
	"github.com/herold-dev/herold/internal/pgtest"
	"github.com/herold-dev/herold/internal/smtptest"
	"github.com/herold-dev/herold/internal/store"
)

// Env is a running server.
type Env struct {
	T     testing.TB
	App   *app.App
	URL   string
	Clock *clock.Fake
	// Key is the first admin key (all scopes) of the default workspace.
	Key   string
	Setup Setup
}

// Start2026 is the fake clock's default start: Monday 2 March 2026, 09:00
// in Berlin.
var Start2026 = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

// DefaultKey is the bootstrap key of test servers.
const DefaultKey = "hk_test_bootstrap_key_0123456789"

// Setup is what a test server starts with.
type Setup struct {
	Opts  config.Options
	Jobs  jobs.Config
	Clock *clock.Fake
	// RunPoll shortens the runner's poll (see app.Deps).
	RunPoll time.Duration
	// DeliveryPoll and NoDelivery tune delivery (see app.Deps).
	DeliveryPoll time.Duration
	NoDelivery   bool
	// NoRunner starts the server without its runner of schedule runs.
	NoRunner bool
	// RealClock runs the server on the system clock instead of Clock
	// (Env.Clock is then nil), with Lease as its leases' length: tests of
	// lease renewal and take-over across replicas.
	RealClock bool
	Lease     time.Duration
	// OnHash is called while a password hash holds a slot (see app.Deps).
	OnHash func()
	// LogTo, when set, also receives the server's log, as JSON lines at
	// Opts.LogLevel (tests of what is logged).
	LogTo io.Writer
}

// EnvDatabase selects the database of test servers: "postgres" runs them
// on a fresh PostgreSQL database (see pgtest), anything else on SQLite.
const EnvDatabase = "HEROLD_E2E_DATABASE"

// NewDatabase returns the database of a fresh test server: a new SQLite
// file, already migrated (a copy of a template, see migrated), or a new
// PostgreSQL database when HEROLD_E2E_DATABASE=postgres.
func NewDatabase(t testing.TB) string {
	if os.Getenv(EnvDatabase) == "postgres" {
		return pgtest.NewDatabase(t)
	}
	return newSQLiteDatabase(t)
}

// NewSetup returns the defaults of test servers: a fresh database, port 0,
// the capture mailbox, fast delivery and runner polling and short retry
// delays (on the fake clock).
func NewSetup(t testing.TB) Setup {
	return Setup{
		Opts: config.Options{
			Addr:         "127.0.0.1:0",
			Database:     NewDatabase(t),
			BootstrapKey: DefaultKey,
			LogLevel:     "warn",
			Retry:        config.Retry{BaseDelay: 50 * time.Millisecond, MaxDelay: 200 * time.Millisecond},
		},
		Jobs:         jobs.Config{ExpireEvery: time.Hour, PurgeEvery: 24 * time.Hour},
		Clock:        clock.NewFake(Start2026),
		DeliveryPoll: 10 * time.Millisecond,
		RunPoll:      20 * time.Millisecond,
	}
}

// WithSMTP points the server at a test SMTP server.
func WithSMTP(srv *smtptest.Server) func(*Setup) {
	return func(s *Setup) {
		s.Opts.SMTP = config.SMTP{Host: srv.Host(), Port: srv.Port(), TLS: "none", Timeout: 5 * time.Second}
	}
}

// WithDemo loads the demo workspace.
func WithDemo(s *Setup) { s.Opts.Demo = true }

// Start starts a server; modify adjusts the setup before it starts. The
// server stops when the test ends.
func Start(t testing.TB, modify ...func(*Setup)) *Env {
	t.Helper()
	s := NewSetup(t)
	for _, m := range modify {
		m(&s)
	}
	return StartWith(t, s)
}

// StartWith starts a server with an exact setup (for restarts on the same
// database).
func StartWith(t testing.TB, s Setup) *Env {
	t.Helper()
	ctx := context.Background()
	logger := app.NewLogger(testWriter{t}, "text", s.Opts.LogLevel)
	if s.LogTo != nil {
		logger = app.NewLogger(io.MultiWriter(s.LogTo, testWriter{t}), "json", s.Opts.LogLevel)
	}
	deps := app.Deps{Clock: s.Clock, Logger: logger, Stdout: io.Discard, Jobs: s.Jobs, RunPoll: s.RunPoll,
		DeliveryPoll: s.DeliveryPoll, NoDelivery: s.NoDelivery, NoRunner: s.NoRunner, Lease: s.Lease, OnHash: s.OnHash}
	if s.RealClock {
		deps.Clock, s.Clock = clock.Real{}, nil
	}
	a, err := app.New(ctx, s.Opts, deps)
	if err != nil {
		t.Fatalf("start herold: %v", err)
	}
	if err := a.Start(ctx); err != nil {
		t.Fatalf("start herold: %v", err)
	}
	e := &Env{T: t, App: a, URL: a.URL(), Clock: s.Clock, Key: s.Opts.BootstrapKey, Setup: s}
	t.Cleanup(func() { _ = a.Stop(context.Background()) })
	return e
}

// LogBuffer collects what a server logs (Setup.LogTo, a process's
// stderr); it is safe for concurrent writes.
type LogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write implements io.Writer.
func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns everything written so far.
func (b *LogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testWriter sends server logs to the test log.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// Response is an API answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v, failing the test on error.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode response %d %s: %v", r.Status, r.Body, err)
	}
}

// Map decodes the body into a generic map.
func (r *Response) Map(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	r.JSON(t, &m)
	return m
}

// Do calls the API with the env's key. body may be nil, a string (sent
// as-is) or a value (sent as JSON).
func (e *Env) Do(method, path string, body any) *Response {
	e.T.Helper()
	return e.DoKey(e.Key, method, path, body)
}

// DoKey calls the API with key (empty: no Authorization header).
func (e *Env) DoKey(key, method, path string, body any) *Response {
	e.T.Helper()
	var sent []byte
	switch b := body.(type) {
	case nil:
	case string:
		sent = []byte(b)
	case []byte:
		sent = b
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			e.T.Fatalf("encode request: %v", err)
		}
		sent = buf
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(sent)
	}
	req, err := http.NewRequest(method, e.URL+path, rd)
	if err != nil {
		e.T.Fatalf("build request: %v", err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.T.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		e.T.Fatalf("read response: %v", err)
	}
	checkExchange(mismatch(e.T), req, sent, resp, b)
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// checkExchange passes to report what is wrong with an exchange under
// /v1: the answer (see openapicheck.Checker.Response) and, when the API
// accepted it (2xx), the request with its body sent (see
// openapicheck.Checker.Request). Exchanges with other paths are not
// checked.
func checkExchange(report func(problem string), req *http.Request, sent []byte, resp *http.Response, answer []byte) {
	path := req.URL.Path
	if !strings.HasPrefix(path, "/v1/") {
		return
	}
	c := contract()
	problems := c.Response(req.Method, path, resp.StatusCode, resp.Header.Get("Content-Type"), answer)
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		ct := req.Header.Get("Content-Type")
		if ct == "" {
			ct = "application/json" // the API reads a body without a type as JSON (the document's "Bodies")
		}
		asked := c.Request(req.Method, req.URL.RequestURI(), ct, sent)
		if req.Method == http.MethodPost && path == "/v1/events/batch" {
			asked = unreportedItems(asked, answer)
		}
		problems = append(problems, asked...)
	}
	for _, p := range problems {
		report(p)
	}
}

// batchItem is the request problems' prefix for an event of a batch.
const batchItem = "POST /v1/events/batch request.events["

// unreportedItems takes the request problems of a batch of events the API
// accepted and drops those about an event the answer rejects by its index.
// A batch accepts its valid events and reports each invalid one (see the
// operation's description): an event outside the document must come back
// with errors, and only then is its problem no mismatch.
func unreportedItems(problems []string, answer []byte) []string {
	var res struct {
		Results []struct {
			Index  int               `json:"index"`
			Errors []json.RawMessage `json:"errors"`
		} `json:"results"`
	}
	if json.Unmarshal(answer, &res) != nil {
		return problems // Response reports the answer
	}
	rejected := map[int]bool{}
	for _, r := range res.Results {
		rejected[r.Index] = len(r.Errors) > 0
	}
	return slices.DeleteFunc(problems, func(p string) bool {
		rest, ok := strings.CutPrefix(p, batchItem)
		digits, _, _ := strings.Cut(rest, "]")
		i, err := strconv.Atoi(digits)
		return ok && err == nil && rejected[i]
	})
}

// mismatch is the report that fails t.
func mismatch(t testing.TB) func(problem string) {
	return func(p string) {
		t.Helper()
		t.Errorf("the exchange does not match the OpenAPI document: %s", p)
	}
}

// ContractTransport returns a transport for API clients in tests (the Go
// client's) that checks every answer under /v1 it carries against the
// OpenAPI document, as Env.Do does, failing t: a JSON answer whole, an
// answer without a body by its status, and the request of an accepted
// exchange with its body. Other answers (a stream of events, a mail)
// pass unread. next nil is http.DefaultTransport.
func ContractTransport(t testing.TB, next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return contractTransport{next: next, report: mismatch(t)}
}

type contractTransport struct {
	next   http.RoundTripper
	report func(problem string)
}

func (c contractTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	sent, err := requestBody(req)
	if err != nil {
		return nil, err
	}
	resp, err := c.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	switch {
	case mt == "" && resp.ContentLength == 0:
		checkExchange(c.report, req, sent, resp, nil)
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		b, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			return nil, err
		}
		resp.Body = io.NopCloser(bytes.NewReader(b))
		checkExchange(c.report, req, sent, resp, b)
	}
	return resp, nil
}

// requestBody returns a copy of req's body, read through GetBody so that
// the transport still sends the original. A request whose body cannot be
// read again is refused: its check would be incomplete.
func requestBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	if req.GetBody == nil {
		return nil, fmt.Errorf("apptest: %s %s: the contract check needs a request body it can read again (GetBody)", req.Method, req.URL.Path)
	}
	rc, err := req.GetBody()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// contract is the OpenAPI document every answer of the API is checked
// against (see DoKey).
var contract = sync.OnceValue(func() *openapicheck.Checker {
	c, err := openapicheck.New(httpapi.OpenAPI())
	if err != nil {
		panic(err) // the document is embedded and tested
	}
	return c
})

// Must calls the API and fails the test unless the status is want.
func (e *Env) Must(want int, method, path string, body any) *Response {
	e.T.Helper()
	r := e.Do(method, path, body)
	if r.Status != want {
		e.T.Fatalf("%s %s: status %d, want %d: %s", method, path, r.Status, want, r.Body)
	}
	return r
}

// WithKey returns a copy of the env that calls the API with key.
func (e *Env) WithKey(key string) *Env {
	c := *e
	c.Key = key
	return &c
}

// Eventually polls cond until it is true or the deadline passes, failing
// the test with msg. It never sleeps longer than 10 ms at a time.
func Eventually(t testing.TB, timeout time.Duration, cond func() bool, msg string, args ...any) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v: "+msg, append([]any{timeout}, args...)...)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// MessageStatus returns a message's current status through the API.
func (e *Env) MessageStatus(id string) string {
	e.T.Helper()
	var m struct {
		Status string `json:"status"`
	}
	e.Must(200, "GET", "/v1/messages/"+id, nil).JSON(e.T, &m)
	return m.Status
}

// WaitStatus waits until message id has status.
func (e *Env) WaitStatus(id, status string, timeout time.Duration) {
	e.T.Helper()
	e.waitStatus(id, status, timeout, 0)
}

// WaitStatusAdvancing waits until message id has status, moving the fake
// clock forward by step every 10 ms meanwhile, so that retries (due on
// the server's clock) come due.
func (e *Env) WaitStatusAdvancing(id, status string, step, timeout time.Duration) {
	e.T.Helper()
	e.waitStatus(id, status, timeout, step)
}

func (e *Env) waitStatus(id, status string, timeout, step time.Duration) {
	e.T.Helper()
	deadline := time.Now().Add(timeout)
	for {
		last := e.MessageStatus(id)
		if last == status {
			return
		}
		if time.Now().After(deadline) {
			e.T.Fatalf("message %s is %q after %v, want %q", id, last, timeout, status)
		}
		e.Clock.Advance(step)
		time.Sleep(10 * time.Millisecond)
	}
}

// EventuallyAdvancing is Eventually, moving the fake clock forward by step
// every 10 ms meanwhile.
func (e *Env) EventuallyAdvancing(step, timeout time.Duration, cond func() bool, msg string, args ...any) {
	e.T.Helper()
	Eventually(e.T, timeout, func() bool {
		if cond() {
			return true
		}
		e.Clock.Advance(step)
		return false
	}, msg, args...)
}

// HoldWriter keeps a write transaction open on the server's database until
// release is called, so that requests that write wait for it meanwhile:
// tests of admission and overload. It needs SQLite, whose one writer
// serves the whole process, and skips the test on other databases.
// release may be called more than once (the test's end calls it too); it
// fails the test if the transaction failed.
func (e *Env) HoldWriter(t testing.TB) (release func()) {
	t.Helper()
	st := e.App.Store()
	if st.Dialect() != "sqlite" {
		t.Skip("keeps a request in progress by holding SQLite's single writer lock")
	}
	locked, done, held := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		held <- st.WithTx(context.Background(), func(store.Tx) error {
			close(locked)
			<-done
			return nil
		})
	}()
	<-locked
	var once sync.Once
	release = func() {
		once.Do(func() {
			close(done)
			if err := <-held; err != nil {
				t.Errorf("held write transaction: %v", err)
			}
		})
	}
	t.Cleanup(release) // a test that failed early does not hang the server's stop
	return release
}
