package service

import (
	"context"
	"fmt"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/herold-dev/herold/internal/model"
)

// HashWait is how long a password hash waits for a free slot before the
// request is refused with a *BusyError. Each argon2id hash takes 19 MiB
// and a core for tens of milliseconds; a queue longer than this only
// grows memory and makes every sign-in slow, so the excess is better
// answered at once and retried.
const HashWait = time.Second

// BusyError means every password hashing slot stayed busy for HashWait;
// the caller should try again after RetryAfter.
type BusyError struct {
	RetryAfter time.Duration
}

func (e *BusyError) Error() string {
	return fmt.Sprintf("the server is busy checking other passwords; try again in %d seconds", seconds(e.RetryAfter))
}

// Seconds is RetryAfter in whole seconds, for Retry-After.
func (e *BusyError) Seconds() int { return seconds(e.RetryAfter) }

// seconds rounds d up to whole seconds, at least one (for Retry-After).
func seconds(d time.Duration) int {
	return max(1, int((d+time.Second-1)/time.Second))
}

// HashStats show the password hashing bound at work.
type HashStats struct {
	// Slots is the most hashes that run at once.
	Slots int
	// Running and Waiting are the hashes running and waiting for a slot.
	Running, Waiting int
	// Peak is the most hashes that ran at once since the start.
	Peak int
	// Total counts the hashes run since the start.
	Total int
}

// hashGate bounds concurrent password hashing: one slot per core.
type hashGate struct {
	slots chan struct{}
	// onHash is called while a hash holds its slot (see Config.OnHash).
	onHash           func()
	running, waiting atomic.Int64
	peak, total      atomic.Int64
}

func newHashGate(onHash func()) *hashGate {
	if onHash == nil {
		onHash = func() {}
	}
	return &hashGate{slots: make(chan struct{}, runtime.GOMAXPROCS(0)), onHash: onHash}
}

// do runs fn, a password hash, in a slot; it gives up with *BusyError
// after HashWait.
func (g *hashGate) do(ctx context.Context, fn func()) error {
	select {
	case g.slots <- struct{}{}:
	default:
		g.waiting.Add(1)
		t := time.NewTimer(HashWait)
		select {
		case g.slots <- struct{}{}:
			t.Stop()
			g.waiting.Add(-1)
		case <-t.C:
			g.waiting.Add(-1)
			return &BusyError{RetryAfter: HashWait}
		case <-ctx.Done():
			t.Stop()
			g.waiting.Add(-1)
			return ctx.Err()
		}
	}
	defer func() { <-g.slots }()
	g.total.Add(1)
	n := g.running.Add(1)
	defer g.running.Add(-1)
	for p := g.peak.Load(); n > p && !g.peak.CompareAndSwap(p, n); p = g.peak.Load() {
	}
	g.onHash()
	fn()
	return nil
}

// HashStats reports the password hashing bound's state.
func (s *Service) HashStats() HashStats {
	g := s.hashes
	return HashStats{Slots: cap(g.slots), Running: int(g.running.Load()), Waiting: int(g.waiting.Load()), Peak: int(g.peak.Load()),
		Total: int(g.total.Load())}
}

// hashPassword hashes a new password in a hashing slot.
func (s *Service) hashPassword(ctx context.Context, password string) (string, error) {
	var hash string
	err := s.hashes.do(ctx, func() { hash = HashPassword(password) })
	return hash, err
}

// verifyPassword checks a password against a user's hash in a hashing
// slot. It returns an error only when it got no slot (*BusyError) or the
// request ended; an unreadable hash is logged and does not match.
func (s *Service) verifyPassword(ctx context.Context, u *model.User, password string) (ok, rehash bool, err error) {
	var checkErr error
	err = s.hashes.do(ctx, func() { ok, rehash, checkErr = CheckPassword(u.PasswordHash, password) })
	if checkErr != nil {
		s.logger.ErrorContext(ctx, "unreadable password hash", "user", u.ID, "error", checkErr)
	}
	return ok, rehash, err
}
