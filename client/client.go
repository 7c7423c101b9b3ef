// Package client is the Go client for Herold's HTTP API, for host
// applications (booking systems, helpdesks, CRMs) that keep contacts and
// objects in sync, send events, decide confirmations in their own UI and
// show why someone got (no) e-mail. Herold's own end-to-end tests and CLI
// use it; docs/client.md walks through a host application.
//
//	c, err := client.New("http://127.0.0.1:8080", os.Getenv("HEROLD_KEY"), client.WithLanguage("de"))
//	res, err := c.SendEvent(ctx, &client.Event{Type: "job.requested", Project: "messe-koeln",
//		Actors: map[string][]client.Actor{"promoter": {client.ContactID("p-17")}}})
//
// Every method returns a nil result with a non-nil error. API errors are
// *Error values that match the sentinels (ErrNotFound, ErrValidation, …)
// with errors.Is. Requests refused with 503 (the server is overloaded) are
// retried after the server's Retry-After, and connection errors are retried
// for requests that are safe to repeat; events are safe because the client
// gives each one an idempotency key when the caller set none (see
// WithRetry and SendEvent).
//
// The client's request and response types are checked field by field
// against the server's OpenAPI document (contract_test.go).
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Client calls one Herold server with one API key. It is safe for use by
// many goroutines at once.
type Client struct {
	base      *url.URL
	key       string
	http      *http.Client
	language  string
	userAgent string
	retry     Retry
	timeout   time.Duration
	pageSize  int
	logger    *slog.Logger
}

// Retry bounds the client's retries. A request is tried at most
// MaxAttempts times (1: never retried); the context bounds the total time.
type Retry struct {
	// MaxAttempts counts the first try. Default 4.
	MaxAttempts int
	// MaxDelay is the longest wait before a retry. A server asking for a
	// longer wait (Retry-After) gets the error back at once instead of an
	// early retry. Default 30 s.
	MaxDelay time.Duration
	// BaseDelay is the first wait after a connection error or a 503
	// without Retry-After; it doubles with each retry. Default 200 ms.
	BaseDelay time.Duration
}

// DefaultRetry is the retry policy of a new client.
var DefaultRetry = Retry{MaxAttempts: 4, MaxDelay: 30 * time.Second, BaseDelay: 200 * time.Millisecond}

// DefaultUserAgent is the User-Agent of a new client.
const DefaultUserAgent = "herold-go-client/1"

// Option configures a Client in New.
type Option func(*Client)

// WithHTTPClient makes the client send through hc (for a tracing transport,
// a proxy or other timeouts). Default: a client with a 30 s timeout that
// keeps up to 64 idle connections to the server.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) {
		if hc != nil {
			c.http = hc
		}
	}
}

// WithTimeout bounds each attempt of a request (connecting, sending and
// reading the answer) when the client makes its own HTTP client. Default
// 30 s; a large PutContacts may need more. With WithHTTPClient, set the
// timeout on that client instead.
func WithTimeout(d time.Duration) Option {
	return func(c *Client) { c.timeout = d }
}

// WithPageSize sets how many items the list iterators fetch per request
// (1–1,000) when a filter names no PageSize. Default: the server's.
func WithPageSize(n int) Option {
	return func(c *Client) { c.pageSize = n }
}

// WithLogger logs each retry at WARN (the request, the attempt, the
// status or connection error and the wait), so a host application sees an
// overloaded or unreachable Herold before its calls fail. Default: no log.
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) { c.logger = l }
}

// WithLanguage sets the language ("de" or "en") of explain sentences when a
// call names none; it is sent as Accept-Language. Default: the server's
// negotiation (English without a header).
func WithLanguage(lang string) Option {
	return func(c *Client) { c.language = lang }
}

// WithUserAgent sets the User-Agent header, e.g. "buchung/2.3"; the
// client's own is appended. Default DefaultUserAgent.
func WithUserAgent(ua string) Option {
	return func(c *Client) {
		if ua != "" {
			c.userAgent = ua + " " + DefaultUserAgent
		}
	}
}

// WithRetry replaces the retry policy; zero fields keep DefaultRetry's
// values. WithRetry(Retry{MaxAttempts: 1}) turns retries off.
func WithRetry(r Retry) Option {
	return func(c *Client) {
		if r.MaxAttempts > 0 {
			c.retry.MaxAttempts = r.MaxAttempts
		}
		if r.MaxDelay > 0 {
			c.retry.MaxDelay = r.MaxDelay
		}
		if r.BaseDelay > 0 {
			c.retry.BaseDelay = r.BaseDelay
		}
	}
}

// New returns a client for the server at baseURL (e.g.
// "https://herold.example.org" or "http://127.0.0.1:8080") calling with
// the API key key. It fails for a URL without http or https scheme or
// without host, so a typo shows here and not at the first call.
func New(baseURL, key string, opts ...Option) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("herold client: base URL %q: use an absolute http or https URL such as https://herold.example.org", baseURL)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("herold client: base URL %q: leave out the query and fragment", baseURL)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	c := &Client{base: u, key: key, userAgent: DefaultUserAgent, retry: DefaultRetry, timeout: 30 * time.Second}
	for _, o := range opts {
		o(c)
	}
	if c.http == nil {
		c.http = defaultHTTPClient(c.timeout)
	}
	return c, nil
}

// MustNew is New for a base URL known to be valid (tests, a URL from a
// flag already checked); it panics where New returns an error.
func MustNew(baseURL, key string, opts ...Option) *Client {
	c, err := New(baseURL, key, opts...)
	if err != nil {
		panic(err)
	}
	return c
}

// defaultHTTPClient keeps up to 64 idle connections to the server, so that
// many goroutines sending events at once reuse connections instead of
// opening new ones. When the default transport was replaced (tracing,
// proxies), it is used as it is.
func defaultHTTPClient(timeout time.Duration) *http.Client {
	rt := http.DefaultTransport
	if t, ok := rt.(*http.Transport); ok {
		t = t.Clone()
		t.MaxIdleConnsPerHost = 64
		rt = t
	}
	return &http.Client{Timeout: timeout, Transport: rt}
}

// BaseURL returns the server's URL as given to New, without a trailing
// slash.
func (c *Client) BaseURL() string { return c.base.String() }

// request is one API call.
type request struct {
	method string
	path   string
	query  url.Values
	body   any
	out    any
	// replayable marks a POST that is safe to send again after a
	// connection error (it carries an idempotency key or changes nothing).
	replayable bool
}

// Do sends a request with a JSON body (nil for none) and decodes a JSON
// answer into out (nil to discard, *[]byte for the raw body). Non-2xx
// answers return *Error. It is for the admin operations the client has no
// method for (templates, flows, projects, schedules), whose bodies the
// OpenAPI document describes: path is relative to the base URL, e.g.
// "/v1/flows/standard". GET, PUT and DELETE are retried like every call;
// POST only on 503.
func (c *Client) Do(ctx context.Context, method, path string, body, out any) error {
	p, q, _ := strings.Cut(path, "?")
	query, err := url.ParseQuery(q)
	if err != nil {
		return fmt.Errorf("herold client: query of %q: %w", path, err)
	}
	return c.do(ctx, &request{method: method, path: p, query: query, body: body, out: out})
}

// Put creates or replaces a resource by path, e.g.
// Put(ctx, "/v1/flows/standard", flow).
func (c *Client) Put(ctx context.Context, path string, body any) error {
	return c.Do(ctx, http.MethodPut, path, body, nil)
}

func (c *Client) do(ctx context.Context, r *request) error {
	var body []byte
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return fmt.Errorf("herold client: encode request: %w", err)
		}
		body = b
	}
	// Paths are built from escaped segments (see escape), so they are
	// joined as text rather than through url.URL.Path.
	u := c.base.String() + r.path
	if q := r.query.Encode(); q != "" {
		u += "?" + q
	}
	replayable := r.replayable || r.method != http.MethodPost
	var prev error
	for attempt := 1; ; attempt++ {
		data, err := c.once(ctx, r, u, body)
		if err == nil {
			return decodeAnswer(data, r.out)
		}
		if ctx.Err() != nil && prev != nil {
			// Cancelled during a retry: the caller learns both why it
			// stopped and what the attempts before it met.
			return fmt.Errorf("%w (the attempt before: %w)", err, prev)
		}
		prev = err
		wait, retry := c.retryAfter(ctx, err, attempt, replayable)
		if !retry {
			return err
		}
		if c.logger != nil {
			c.logger.WarnContext(ctx, "herold request retried", slog.String("method", r.method), slog.String("path", r.path),
				slog.Int("attempt", attempt), slog.Duration("wait", wait), slog.Any("error", err))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (stopped waiting to retry: %w)", err, ctx.Err())
		case <-t.C:
		}
	}
}

// once sends one attempt and returns the answer's body for a 2xx status.
func (c *Client) once(ctx context.Context, r *request, u string, body []byte) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, rd)
	if err != nil {
		return nil, fmt.Errorf("herold client: %w", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if c.key != "" {
		req.Header.Set("Authorization", "Bearer "+c.key)
	}
	if c.language != "" {
		req.Header.Set("Accept-Language", c.language)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, &connError{op: r.method + " " + r.path, err: err}
	}
	defer resp.Body.Close()
	// Answers are bounded by the server; the limit guards against a
	// misconfigured proxy streaming something else.
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if err != nil {
		return nil, &connError{op: r.method + " " + r.path, err: fmt.Errorf("read answer: %w", err)}
	}
	if resp.StatusCode >= 300 {
		return nil, newError(resp, data)
	}
	return data, nil
}

// maxAnswerBytes bounds an answer the client reads (a page of 500
// messages is a few MB).
const maxAnswerBytes = 256 << 20

func decodeAnswer(data []byte, out any) error {
	if out == nil || len(data) == 0 {
		return nil
	}
	if raw, ok := out.(*[]byte); ok {
		*raw = data
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("herold client: decode answer: %w", err)
	}
	return nil
}

// connError is a request that got no answer.
type connError struct {
	op  string
	err error
}

func (e *connError) Error() string { return "herold client: " + e.op + ": " + e.err.Error() }
func (e *connError) Unwrap() error { return e.err }

// retryAfter decides whether attempt's error is retried and after how long.
func (c *Client) retryAfter(ctx context.Context, err error, attempt int, replayable bool) (time.Duration, bool) {
	if attempt >= c.retry.MaxAttempts || ctx.Err() != nil {
		return 0, false
	}
	backoff := c.retry.BaseDelay << (attempt - 1)
	var wait time.Duration
	var apiErr *Error
	var conn *connError
	switch {
	case errors.As(err, &apiErr) && apiErr.Status == http.StatusServiceUnavailable:
		wait = backoff
		if apiErr.RetryAfter > 0 {
			wait = apiErr.RetryAfter
		} else if apiErr.Header.Get("Retry-After") != "" {
			wait = 0 // "Retry-After: 0": at once
		}
		if wait > c.retry.MaxDelay {
			return 0, false
		}
	case errors.As(err, &conn) && replayable:
		wait = min(backoff, c.retry.MaxDelay)
	default:
		return 0, false
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
		return 0, false // the answer would come too late; say so now
	}
	return wait, true
}

// parseRetryAfter reads Retry-After as seconds or an HTTP date.
func parseRetryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}

// escape makes an id one path segment.
func escape(id string) string { return url.PathEscape(id) }
