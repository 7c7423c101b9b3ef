package delivery

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/channel"
)

func TestDecide(t *testing.T) {
	t.Parallel()
	queued := time.Date(2026, 2, 28, 23, 0, 0, 0, time.UTC)
	now := queued.Add(time.Hour)
	policy := Policy{MaxAge: 24 * time.Hour, BaseDelay: 30 * time.Second, MaxDelay: time.Hour}
	temp451 := &channel.Error{Code: 451, Reply: "451 4.3.0 Try again later", Err: errors.New("end of DATA")}
	perm550 := &channel.Error{Permanent: true, Code: 550, Reply: "550 5.1.1 No such user", Err: errors.New("RCPT TO")}
	network := &channel.Error{Err: errors.New("connect to mail:25: connection refused")}
	tests := []struct {
		name string
		in   Attempt
		want Decision
	}{
		{"sent", Attempt{Started: true, Reply: "250 2.0.0 Ok: queued as 4F2A1"},
			Decision{Verdict: Sent, Reply: "250 2.0.0 Ok: queued as 4F2A1"}},
		{"sent after the lease ran out is still sent", Attempt{Started: true, Reply: "250 ok", LeaseUntil: now.Add(-time.Second)},
			Decision{Verdict: Sent, Reply: "250 ok"}},
		{"4xx retries after the base delay (no jitter spread at 0.5)", Attempt{Started: true, Err: temp451, Number: 1, Jitter: 0.5},
			Decision{Verdict: Retry, Reason: "451 4.3.0 Try again later", Reply: "451 4.3.0 Try again later", Next: now.Add(30 * time.Second)}},
		{"the third 4xx waits four times as long", Attempt{Started: true, Err: temp451, Number: 3, Jitter: 0.5},
			Decision{Verdict: Retry, Reason: "451 4.3.0 Try again later", Reply: "451 4.3.0 Try again later", Next: now.Add(2 * time.Minute)}},
		{"jitter 0 is 25 % earlier", Attempt{Started: true, Err: temp451, Number: 1, Jitter: 0},
			Decision{Verdict: Retry, Reason: "451 4.3.0 Try again later", Reply: "451 4.3.0 Try again later", Next: now.Add(22500 * time.Millisecond)}},
		{"the delay is capped at MaxDelay", Attempt{Started: true, Err: temp451, Number: 30, Jitter: 0.5},
			Decision{Verdict: Retry, Reason: "451 4.3.0 Try again later", Reply: "451 4.3.0 Try again later", Next: now.Add(time.Hour)}},
		{"5xx fails at once with the reply", Attempt{Started: true, Err: perm550, Number: 1},
			Decision{Verdict: Fail, Reason: "550 5.1.1 No such user", Reply: "550 5.1.1 No such user"}},
		{"a network error retries", Attempt{Started: true, Err: network, Number: 2, Jitter: 0.5},
			Decision{Verdict: Retry, Reason: network.Error(), Next: now.Add(time.Minute)}},
		{"a plain error counts as temporary", Attempt{Started: true, Err: errors.New("boom"), Number: 1, Jitter: 0.5},
			Decision{Verdict: Retry, Reason: "boom", Next: now.Add(30 * time.Second)}},
		{"a minute before the maximum age it still retries",
			Attempt{Started: true, Err: temp451, Number: 9, Jitter: 0.5, Now: queued.Add(24*time.Hour - time.Minute)},
			Decision{Verdict: Retry, Reason: "451 4.3.0 Try again later", Reply: "451 4.3.0 Try again later",
				Next: queued.Add(24*time.Hour - time.Minute).Add(time.Hour)}},
		{"at exactly the maximum age it gives up",
			Attempt{Started: true, Err: temp451, Number: 9, Jitter: 0.5, Now: queued.Add(24 * time.Hour)},
			Decision{Verdict: Fail, Reply: "451 4.3.0 Try again later",
				Reason: "gave up after 24h0m0s of retries; last error: 451 4.3.0 Try again later"}},
		{"the lease ran out before the attempt started", Attempt{Started: false, LeaseUntil: now.Add(-time.Second)},
			Decision{Verdict: Abandon, Reason: "the lease ran out before the attempt started"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := tt.in
			in.QueuedAt = queued
			if in.Now.IsZero() {
				in.Now = now
			}
			if in.LeaseUntil.IsZero() {
				in.LeaseUntil = in.Now.Add(time.Minute)
			}
			require.Equal(t, tt.want, Decide(policy, in))
		})
	}
}

func TestBackoffDefaults(t *testing.T) {
	t.Parallel()
	require.Equal(t, 30*time.Second, Backoff(Policy{}, 1, 0.5))
	require.Equal(t, time.Hour, Backoff(Policy{}, 100, 0.5))
	require.Equal(t, 45*time.Minute, Backoff(Policy{}, 100, 0), "25 % earlier at jitter 0")
	late := Backoff(Policy{}, 100, 1-1e-9)
	require.True(t, late < 75*time.Minute && late > 74*time.Minute, "just under 25 %% later at jitter → 1: %v", late)
}
