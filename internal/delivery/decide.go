package delivery

import (
	"errors"
	"fmt"
	"time"

	"github.com/herold-dev/herold/internal/channel"
)

// Policy governs what happens after a temporary failure.
type Policy struct {
	// MaxAge: a message still failing this long after it was queued fails
	// for good. Default 24h.
	MaxAge time.Duration
	// BaseDelay is the first retry's delay, doubling per attempt. Default
	// 30s.
	BaseDelay time.Duration
	// MaxDelay caps the delay. Default 1h.
	MaxDelay time.Duration
}

func (p Policy) withDefaults() Policy {
	if p.MaxAge <= 0 {
		p.MaxAge = 24 * time.Hour
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = 30 * time.Second
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = time.Hour
	}
	return p
}

// Attempt is what one delivery attempt of a claimed message came to.
type Attempt struct {
	// Started says the message went to the channel. It is false when the
	// claim's lease ran out before the attempt could start (a long wait
	// for the rate limit or a connection): another process may own the
	// message by now.
	Started bool
	// Err is nil when the server accepted the message; else a
	// *channel.Error saying whether a retry can help (any other error
	// counts as temporary).
	Err error
	// Reply is the server's reply to an accepted message.
	Reply string
	// Number is the attempt's number, 1 for the first.
	Number int
	// QueuedAt is when the message was first queued; the maximum age
	// counts from it.
	QueuedAt time.Time
	// LeaseUntil is when the claim's lease runs out.
	LeaseUntil time.Time
	// Now is the time of the decision (the injected clock's).
	Now time.Time
	// Jitter, in [0, 1), spreads retries of messages that failed
	// together; the caller draws it from its injected source.
	Jitter float64
}

// Verdict is what to record for an attempt.
type Verdict int

// Verdicts.
const (
	// Sent: the server accepted the message. It is recorded as sent even
	// when the lease ran out meanwhile, so that it is never sent again.
	Sent Verdict = iota + 1
	// Retry: a temporary failure; the message is due again at Next.
	Retry
	// Fail: a permanent failure, or temporary ones for longer than the
	// maximum age.
	Fail
	// Abandon: the lease ran out before the attempt started; nothing was
	// sent. The claim is given back unless another process took the
	// message meanwhile (then that one sends it).
	Abandon
)

func (v Verdict) String() string {
	switch v {
	case Sent:
		return "sent"
	case Retry:
		return "retry"
	case Fail:
		return "failed"
	case Abandon:
		return "abandon"
	}
	return fmt.Sprintf("Verdict(%d)", int(v))
}

// Decision is what Decide concluded for one attempt.
type Decision struct {
	Verdict Verdict
	// Reason explains a retry or a failure: the server's reply, else the
	// error.
	Reason string
	// Reply is the server's reply, if any.
	Reply string
	// Next is when a retried message is due again.
	Next time.Time
}

// Decide is the pure decision after a delivery attempt: sent, retried
// after an exponential backoff with jitter, failed at once (a permanent
// error such as a 5xx reply) or after the maximum age, or abandoned when
// the lease ran out before the attempt started.
func Decide(p Policy, a Attempt) Decision {
	p = p.withDefaults()
	switch {
	case !a.Started:
		return Decision{Verdict: Abandon, Reason: "the lease ran out before the attempt started"}
	case a.Err == nil:
		return Decision{Verdict: Sent, Reply: a.Reply}
	}
	reason, reply := failureText(a.Err), replyOf(a.Err)
	if channel.IsPermanent(a.Err) {
		return Decision{Verdict: Fail, Reason: reason, Reply: reply}
	}
	if a.Now.Sub(a.QueuedAt) >= p.MaxAge {
		return Decision{Verdict: Fail, Reply: reply,
			Reason: fmt.Sprintf("gave up after %s of retries; last error: %s", p.MaxAge, reason)}
	}
	return Decision{Verdict: Retry, Reason: reason, Reply: reply, Next: a.Now.Add(Backoff(p, a.Number, a.Jitter))}
}

// Backoff is the delay before the next attempt after attempt number n
// failed: BaseDelay·2^(n-1), capped at MaxDelay, spread by ±25 % with
// jitter in [0, 1).
func Backoff(p Policy, n int, jitter float64) time.Duration {
	p = p.withDefaults()
	d := p.BaseDelay
	for i := 1; i < n && d < p.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, p.MaxDelay)
	return d + time.Duration((jitter*0.5-0.25)*float64(d))
}

// failureText is the reason recorded for a failed attempt: the server's
// reply when there is one, else the error.
func failureText(err error) string {
	var ce *channel.Error
	if errors.As(err, &ce) && ce.Reply != "" {
		return ce.Reply
	}
	return err.Error()
}

func replyOf(err error) string {
	var ce *channel.Error
	if errors.As(err, &ce) {
		return ce.Reply
	}
	return ""
}
