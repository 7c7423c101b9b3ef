package webhook

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/herold-dev/herold/internal/delivery"
)

// Verdict is what an attempt means for its delivery.
type Verdict string

// Verdicts.
const (
	// Delivered: a 2xx response.
	Delivered Verdict = "delivered"
	// Retry: a failure that may pass (network, timeout, 3xx, 4xx, 5xx);
	// the delivery is due again at Next.
	Retry Verdict = "retry"
	// Failed: the delivery gives up (refused address, or retries past the
	// maximum age).
	Failed Verdict = "failed"
	// Gone: the endpoint answered 410 Gone; it is disabled and the
	// delivery gives up.
	Gone Verdict = "gone"
)

// Decision is what Decide concluded.
type Decision struct {
	Verdict Verdict
	// Reason says why in words for people ("HTTP 500", "redirect to …
	// not followed", the network error).
	Reason string
	// Next is when a retried delivery is due again.
	Next time.Time
}

// Input is what Decide looks at.
type Input struct {
	Attempt Attempt
	// Number is the attempt's number, 1 for the first.
	Number int
	// CreatedAt is when the delivery was created; the maximum age counts
	// from it.
	CreatedAt time.Time
	// Now is the time of the decision (the injected clock's).
	Now time.Time
	// Jitter in [0, 1) spreads the retries of deliveries that failed
	// together.
	Jitter float64
}

// Decide is the pure decision after an attempt. Retries back off as
// e-mail does (delivery.Backoff: 30 s doubling to 1 h, ±25 % jitter, for
// 24 h by default); a Retry-After header (seconds or an HTTP date) moves
// the next attempt later, never earlier, and never past the maximum age.
func Decide(p delivery.Policy, in Input) Decision {
	a := in.Attempt
	switch {
	case a.Err != nil && errors.Is(a.Err, ErrRefused):
		return Decision{Verdict: Failed, Reason: a.Err.Error()}
	case a.Err == nil && a.Status >= 200 && a.Status < 300:
		return Decision{Verdict: Delivered, Reason: fmt.Sprintf("HTTP %d", a.Status)}
	case a.Status == http.StatusGone:
		return Decision{Verdict: Gone, Reason: "HTTP 410 Gone: the endpoint is disabled"}
	}
	reason := failureText(a)
	maxAge := cmp.Or(p.MaxAge, 24*time.Hour)
	deadline := in.CreatedAt.Add(maxAge)
	next := in.Now.Add(delivery.Backoff(p, in.Number, in.Jitter))
	if ra, ok := parseRetryAfter(a.RetryAfter, in.Now); ok && ra.After(next) {
		next = ra
	}
	if !next.Before(deadline) {
		return Decision{Verdict: Failed, Reason: fmt.Sprintf("gave up after %s of retries; last: %s", maxAge, reason)}
	}
	return Decision{Verdict: Retry, Reason: reason, Next: next}
}

func failureText(a Attempt) string {
	switch {
	case a.Err != nil:
		return a.Err.Error()
	case a.Status >= 300 && a.Status < 400:
		return fmt.Sprintf("HTTP %d: redirect to %q not followed", a.Status, a.Location)
	default:
		return fmt.Sprintf("HTTP %d", a.Status)
	}
}

// parseRetryAfter reads a Retry-After header: delay seconds or an HTTP
// date (RFC 9110 §10.2.3).
func parseRetryAfter(v string, now time.Time) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 || n > 7*24*3600 {
			return time.Time{}, false
		}
		return now.Add(time.Duration(n) * time.Second), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return t, true
	}
	return time.Time{}, false
}
