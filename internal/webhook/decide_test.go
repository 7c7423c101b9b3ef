package webhook_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/herold-dev/herold/internal/delivery"
	"github.com/herold-dev/herold/internal/webhook"
)

func TestDecide(t *testing.T) {
	t.Parallel()
	created := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	now := created.Add(10 * time.Minute)
	p := delivery.Policy{} // defaults: 30 s doubling to 1 h, for 24 h
	tests := []struct {
		name     string
		a        webhook.Attempt
		number   int
		now      time.Time
		want     webhook.Verdict
		wantNext time.Time
		reason   string
	}{
		{"200", webhook.Attempt{Status: 200}, 1, now, webhook.Delivered, time.Time{}, "HTTP 200"},
		{"204", webhook.Attempt{Status: 204}, 3, now, webhook.Delivered, time.Time{}, "HTTP 204"},
		{"410 disables", webhook.Attempt{Status: http.StatusGone}, 1, now, webhook.Gone, time.Time{}, "410"},
		{"500 first retry 30s", webhook.Attempt{Status: 500}, 1, now, webhook.Retry, now.Add(30 * time.Second), "HTTP 500"},
		{"500 third retry 2m", webhook.Attempt{Status: 500}, 3, now, webhook.Retry, now.Add(2 * time.Minute), "HTTP 500"},
		{"500 tenth capped 1h", webhook.Attempt{Status: 500}, 10, now, webhook.Retry, now.Add(time.Hour), "HTTP 500"},
		{"429 Retry-After seconds later than backoff", webhook.Attempt{Status: 429, RetryAfter: "120"}, 1, now, webhook.Retry, now.Add(2 * time.Minute), "HTTP 429"},
		{"503 Retry-After date", webhook.Attempt{Status: 503, RetryAfter: now.Add(7 * time.Minute).Format(http.TimeFormat)}, 1, now, webhook.Retry, now.Add(7 * time.Minute), "HTTP 503"},
		{"Retry-After shorter than backoff keeps backoff", webhook.Attempt{Status: 503, RetryAfter: "1"}, 3, now, webhook.Retry, now.Add(2 * time.Minute), "HTTP 503"},
		{"Retry-After garbage ignored", webhook.Attempt{Status: 503, RetryAfter: "soon"}, 1, now, webhook.Retry, now.Add(30 * time.Second), "HTTP 503"},
		{"Retry-After past max age fails", webhook.Attempt{Status: 503, RetryAfter: "86400"}, 1, now, webhook.Failed, time.Time{}, "gave up after 24h0m0s"},
		{"redirect retried, not followed", webhook.Attempt{Status: 302, Location: "https://x.example/"}, 1, now, webhook.Retry, now.Add(30 * time.Second), "not followed"},
		{"network error retried", webhook.Attempt{Err: errors.New("connection refused")}, 1, now, webhook.Retry, now.Add(30 * time.Second), "connection refused"},
		{"refused address fails at once", webhook.Attempt{Err: webhook.ErrRefused}, 1, now, webhook.Failed, time.Time{}, "refused"},
		{"next attempt a minute before max age retries", webhook.Attempt{Status: 500}, 20, created.Add(22*time.Hour + 59*time.Minute), webhook.Retry, created.Add(23*time.Hour + 59*time.Minute), "HTTP 500"},
		{"next attempt exactly at max age fails", webhook.Attempt{Status: 500}, 20, created.Add(23 * time.Hour), webhook.Failed, time.Time{}, "gave up"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := webhook.Decide(p, webhook.Input{Attempt: tt.a, Number: tt.number, CreatedAt: created, Now: tt.now, Jitter: 0.5})
			if d.Verdict != tt.want || !d.Next.Equal(tt.wantNext) || !strings.Contains(d.Reason, tt.reason) {
				t.Fatalf("Decide = %+v, want %s next %v reason ~%q", d, tt.want, tt.wantNext, tt.reason)
			}
		})
	}
}

func TestMatches(t *testing.T) {
	t.Parallel()
	tests := []struct {
		patterns []string
		typ      string
		want     bool
	}{
		{[]string{"*"}, "booking.confirmed", true},
		{[]string{"booking.*"}, "booking.confirmed", true},
		{[]string{"booking.*"}, "booking", false},
		{[]string{"booking.*"}, "bookings.confirmed", false},
		{[]string{"booking.confirmed"}, "booking.confirmed", true},
		{[]string{"booking.confirmed"}, "booking.cancelled", false},
		{nil, "booking.confirmed", false},
	}
	for _, tt := range tests {
		if got := webhook.Matches(tt.patterns, tt.typ); got != tt.want {
			t.Errorf("Matches(%q, %q) = %v", tt.patterns, tt.typ, got)
		}
	}
}
