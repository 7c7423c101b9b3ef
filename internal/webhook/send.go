package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"time"
	"unicode/utf8"
)

// SenderConfig tunes a Sender.
type SenderConfig struct {
	Guard Guard
	// Timeout bounds one attempt, from dialling to the last byte of the
	// response excerpt. Default 15s.
	Timeout time.Duration
	// ExcerptBytes is how much of a response body is read and kept;
	// the rest is never read. Default 1024.
	ExcerptBytes int
	// Resolve looks up a host's addresses. Default the system resolver.
	// Tests substitute one that answers with the addresses under test;
	// the guard checks whatever it returns at dial time.
	Resolve func(ctx context.Context, host string) ([]netip.Addr, error)
	// UserAgent is sent with every request. Default "Herold-Webhooks/1".
	UserAgent string
}

// Sender posts signed payloads. It never follows redirects, never uses a
// proxy from the environment (a proxy would dial in the guard's place)
// and reads at most ExcerptBytes of a response.
type Sender struct {
	cfg    SenderConfig
	client *http.Client
}

// NewSender builds a Sender.
func NewSender(cfg SenderConfig) *Sender {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 15 * time.Second
	}
	if cfg.ExcerptBytes <= 0 {
		cfg.ExcerptBytes = 1024
	}
	if cfg.Resolve == nil {
		cfg.Resolve = func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		}
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "Herold-Webhooks/1"
	}
	s := &Sender{cfg: cfg}
	dialer := &net.Dialer{Timeout: cfg.Timeout, Control: cfg.Guard.Control}
	tr := &http.Transport{
		Proxy:                  nil,
		DialContext:            s.dialFunc(dialer),
		TLSHandshakeTimeout:    cfg.Timeout,
		ResponseHeaderTimeout:  cfg.Timeout,
		MaxResponseHeaderBytes: 16 << 10,
		MaxIdleConnsPerHost:    4,
		IdleConnTimeout:        90 * time.Second,
		ForceAttemptHTTP2:      true,
	}
	s.client = &http.Client{
		Transport: tr,
		Timeout:   cfg.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	return s
}

// dialFunc resolves the host with the configured resolver and dials its
// addresses in turn; the dialer's Control (the guard) checks each one.
func (s *Sender) dialFunc(d *net.Dialer) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, err
		}
		var ips []netip.Addr
		if ip, err := netip.ParseAddr(host); err == nil {
			ips = []netip.Addr{ip}
		} else if ips, err = s.cfg.Resolve(ctx, host); err != nil {
			return nil, fmt.Errorf("resolve %s: %w", host, err)
		}
		errs := make([]error, 0, len(ips))
		for _, ip := range ips {
			c, err := d.DialContext(ctx, network, net.JoinHostPort(ip.Unmap().String(), port))
			if err == nil {
				return c, nil
			}
			errs = append(errs, err)
		}
		if len(errs) == 0 {
			return nil, fmt.Errorf("resolve %s: no addresses", host)
		}
		return nil, errors.Join(errs...)
	}
}

// Request is one payload for one endpoint.
type Request struct {
	URL string
	// Secrets sign the payload; two during a rotation.
	Secrets []string
	// ID is the webhook-id: the same for every attempt of one delivery,
	// so that receivers can de-duplicate.
	ID string
	// At is the webhook-timestamp (the time of this attempt).
	At   time.Time
	Body []byte
}

// Attempt is what one request came to.
type Attempt struct {
	// Status is the HTTP status, 0 when no response came.
	Status int
	// Latency is from the request's start to its response's excerpt.
	Latency time.Duration
	// Excerpt is the start of the response body (valid UTF-8).
	Excerpt string
	// RetryAfter is the response's Retry-After header, as sent.
	RetryAfter string
	// Location is a redirect's target, which is not followed.
	Location string
	// Err is why no response came (refused address, network, timeout).
	Err error
}

// Send posts the request's body once, signed, and reports the attempt.
func (s *Sender) Send(ctx context.Context, r Request) Attempt {
	start := time.Now()
	a := s.send(ctx, r)
	a.Latency = time.Since(start)
	return a
}

func (s *Sender) send(ctx context.Context, r Request) Attempt {
	if err := s.cfg.Guard.CheckURL(r.URL); err != nil {
		if !errors.Is(err, ErrRefused) {
			err = fmt.Errorf("%w: %w", ErrRefused, err)
		}
		return Attempt{Err: err}
	}
	sig, err := Sign(r.Secrets, r.ID, r.At, r.Body)
	if err != nil {
		return Attempt{Err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return Attempt{Err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", s.cfg.UserAgent)
	req.Header.Set(HeaderID, r.ID)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(r.At.Unix(), 10))
	req.Header.Set(HeaderSignature, sig)
	resp, err := s.client.Do(req)
	if err != nil {
		return Attempt{Err: err}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, int64(s.cfg.ExcerptBytes)))
	return Attempt{
		Status:     resp.StatusCode,
		Excerpt:    validUTF8(body),
		RetryAfter: resp.Header.Get("Retry-After"),
		Location:   resp.Header.Get("Location"),
	}
}

// validUTF8 keeps a cut-off excerpt printable: a multi-byte character
// cut at the limit and any invalid bytes are replaced.
func validUTF8(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return string(bytes.ToValidUTF8(b, []byte("\uFFFD")))
}
