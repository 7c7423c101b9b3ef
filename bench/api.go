package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// poster sends events to the servers, round-robin, over a shared HTTP
// client with enough connections for the load (net/http keeps only two idle
// ones per host by default, which would make every run dial anew).
type poster struct {
	hc   *http.Client
	urls []string
	next atomic.Uint64
}

func newPoster(urls []string, maxConns int, timeout time.Duration) *poster {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        maxConns,
		MaxIdleConnsPerHost: maxConns,
		MaxConnsPerHost:     maxConns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return &poster{hc: &http.Client{Transport: tr, Timeout: timeout}, urls: urls}
}

// url returns the next server's URL.
func (p *poster) url() string {
	return p.urls[int((p.next.Add(1)-1)%uint64(len(p.urls)))]
}

// close drops the idle connections.
func (p *poster) close() { p.hc.CloseIdleConnections() }

// benchEvent is the body of POST /v1/events the workloads send.
type benchEvent struct {
	Type    string              `json:"type"`
	Project string              `json:"project"`
	Actors  map[string][]string `json:"actors"`
	Data    benchData           `json:"data"`
}

type benchData struct {
	Seq     int    `json:"seq"`
	Job     string `json:"job"`
	Date    string `json:"date"`
	ReplyBy string `json:"reply_by"`
}

// audience is the pre-created contacts events name as actors: n of them,
// in turn (each event the next ones, so each contact's messages follow
// the previous contact's), or with spread scattered over all n, as an
// installation's recipients are.
type audience struct {
	n      int
	spread bool
}

// spreadStride is a prime larger than any contact count: multiplying by it
// modulo n visits every one of n contacts once per n actors, far apart.
const spreadStride = 2_654_435_761

// contact returns the contact id of the k-th actor named (k ≥ 0).
func (a audience) contact(k int) string {
	if a.spread {
		return contactID(int(uint64(k) * spreadStride % uint64(a.n)))
	}
	return contactID(k % a.n)
}

// newEvent builds event seq with one contact of to per role.
func newEvent(seq int, roles []string, to audience) *benchEvent {
	actors := make(map[string][]string, len(roles))
	for i, r := range roles {
		actors[r] = []string{to.contact(seq*len(roles) + i)}
	}
	return &benchEvent{Type: benchEventType, Project: benchProject, Actors: actors,
		Data: benchData{Seq: seq, Job: "Standbetreuung", Date: "2026-04-15", ReplyBy: "2026-04-10"}}
}

// eventAnswer is the part of an event's answer the harness reads.
type eventAnswer struct {
	ID       string `json:"id"`
	Messages []struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	} `json:"messages"`
}

// queued counts the answer's messages queued for delivery.
func (a *eventAnswer) queued() int {
	n := 0
	for _, m := range a.Messages {
		if m.Status == "queued" {
			n++
		}
	}
	return n
}

// statusError is a non-2xx answer.
type statusError struct {
	code int
	body string
	// retryAfter is the Retry-After header's delay (0: none or not in
	// seconds).
	retryAfter time.Duration
}

func (e *statusError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.code, e.body) }

// postEvent sends one event and decodes the answer.
func (p *poster) postEvent(ctx context.Context, ev *benchEvent) (*eventAnswer, error) {
	var out eventAnswer
	return &out, p.post(ctx, "/v1/events", ev, &out)
}

// post sends a JSON body and decodes a 2xx JSON answer into out.
func (p *poster) post(ctx context.Context, path string, body, out any) error {
	return p.send(ctx, "POST", path, body, out)
}

// send sends a JSON body with method and decodes a 2xx JSON answer into
// out (unless out is nil).
func (p *poster) send(ctx context.Context, method, path string, body, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	return p.do(ctx, method, path, bytes.NewReader(b), out)
}

// get decodes a 2xx JSON answer of GET path into out.
func (p *poster) get(ctx context.Context, path string, out any) error {
	return p.do(ctx, "GET", path, nil, out)
}

func (p *poster) do(ctx context.Context, method, path string, body io.Reader, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, p.url()+path, body)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+benchKey)
	resp, err := p.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		se := &statusError{code: resp.StatusCode, body: excerpt(string(data), 300)}
		if secs, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && secs >= 0 {
			se.retryAfter = time.Duration(secs) * time.Second
		}
		return se
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(data, out)
}

// classedError is an error that names its own class for the report.
type classedError interface {
	error
	errorClass() string
}

// errorClass groups errors for the report: "HTTP 503", "timeout", ….
func errorClass(err error) string {
	var se *statusError
	var ne net.Error
	var ce classedError
	switch {
	case errors.As(err, &ce):
		return ce.errorClass()
	case errors.As(err, &se):
		return "HTTP " + strconv.Itoa(se.code)
	case errors.Is(err, context.Canceled):
		return "cancelled"
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case strings.Contains(err.Error(), "connection refused"):
		return "connection refused"
	case strings.Contains(err.Error(), "connection reset"):
		return "connection reset"
	default:
		return "other"
	}
}

func excerpt(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// scrapeMetrics reads the server's Prometheus text output and returns the
// samples whose names are asked for, keyed by name and labels as printed
// (e.g. `herold_messages_total{status="sent"}`).
func scrapeMetrics(ctx context.Context, url string, names ...string) (map[string]float64, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", url+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("scrape metrics: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("scrape metrics: HTTP %d", resp.StatusCode)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		key, val, ok := cutLast(line, " ")
		if !ok {
			continue
		}
		name, _, _ := strings.Cut(key, "{")
		for _, n := range names {
			if name == n {
				if v, err := strconv.ParseFloat(val, 64); err == nil {
					out[key] = v
				}
			}
		}
	}
	return out, sc.Err()
}

func cutLast(s, sep string) (before, after string, ok bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

// Counters the harness reads from /metrics.
const (
	metricSent    = `herold_messages_total{status="sent"}`
	metricFailed  = `herold_messages_total{status="failed"}`
	metricRetries = `herold_delivery_attempts_total{result="retry"}`
	metricQueue   = `herold_queue_depth`
)

// deliveryCounters reads the delivery counters of every server; absent
// ones are 0. Counters are per process and add up; the queue depth is the
// database's, the same on every replica, and taken once.
func deliveryCounters(ctx context.Context, urls []string) (sent, failed, retries, queue float64, err error) {
	for _, url := range urls {
		m, err := scrapeMetrics(ctx, url, "herold_messages_total", "herold_delivery_attempts_total", metricQueue)
		if err != nil {
			return 0, 0, 0, 0, err
		}
		sent, failed, retries = sent+m[metricSent], failed+m[metricFailed], retries+m[metricRetries]
		queue = max(queue, m[metricQueue])
	}
	return sent, failed, retries, queue, nil
}
