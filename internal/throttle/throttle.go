// Package throttle slows down repeated failures per key (a client address,
// an account) with growing delays instead of locking anything: a lock lets
// anyone who knows an address keep its owner out, a delay only costs the
// one who keeps failing. State is in memory, bounded in size, and read
// from an injected clock.
package throttle

import (
	"container/list"
	"sync"
	"time"
)

// Config tunes a Throttle. Zero fields take the defaults.
type Config struct {
	// Free is how many failures a key may have before delays start.
	// Default 5.
	Free int
	// BaseDelay is the delay after the Free-th failure; each further
	// failure doubles it. Default 1 s.
	BaseDelay time.Duration
	// MaxDelay caps the delay. Default 5 minutes.
	MaxDelay time.Duration
	// ForgetAfter is the quiet period (no attempt) after which a key's
	// failures are forgotten. It must be longer than MaxDelay, or a key would be
	// forgotten while it waits. Default 15 minutes.
	ForgetAfter time.Duration
	// MaxKeys bounds the keys tracked; beyond it the key whose last
	// attempt is oldest is forgotten, so that cycling through keys costs
	// no memory beyond MaxKeys entries. Default 10,000 (about 1 MB).
	MaxKeys int
}

func (c Config) withDefaults() Config {
	if c.Free <= 0 {
		c.Free = 5
	}
	if c.BaseDelay <= 0 {
		c.BaseDelay = time.Second
	}
	if c.MaxDelay <= 0 {
		c.MaxDelay = 5 * time.Minute
	}
	if c.ForgetAfter <= c.MaxDelay {
		c.ForgetAfter = max(15*time.Minute, 3*c.MaxDelay)
	}
	if c.MaxKeys <= 0 {
		c.MaxKeys = 10_000
	}
	return c
}

// entry is one key's recent attempts.
type entry struct {
	key      string
	failures int
	inflight int       // attempts started and not yet done
	last     time.Time // of the last attempt
	until    time.Time // no attempt before
}

// Throttle counts failures per key. It is safe for concurrent use.
type Throttle struct {
	cfg Config
	now func() time.Time

	mu   sync.Mutex
	keys map[string]*list.Element // of *entry
	lru  *list.List               // most recent attempt first
}

// New returns a Throttle reading the time from now.
func New(cfg Config, now func() time.Time) *Throttle {
	return &Throttle{cfg: cfg.withDefaults(), now: now, keys: map[string]*list.Element{}, lru: list.New()}
}

// Try starts an attempt of a client on an account. It returns how long
// the attempt must wait instead: the client's own delay or, when the
// client failed within the quiet period, the account's. Otherwise it
// returns zero and the attempt is in flight until Done. Attempts in
// flight count towards the free failures, and a key past them lets one
// attempt through at a time, so that concurrent attempts cannot all pass
// before the first one's failure counts: after a delay one attempt gets
// through, not a burst.
func (t *Throttle) Try(client, account string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	var wait time.Duration
	if c := t.get(now, client); c != nil {
		wait = t.wait(now, c)
		if a := t.get(now, account); a != nil && c.failures > 0 {
			wait = max(wait, t.wait(now, a))
		}
	}
	if wait > 0 {
		return wait
	}
	t.touch(now, client).inflight++
	t.touch(now, account).inflight++
	return 0
}

// Done ends an attempt Try let through; failed counts it for both keys.
func (t *Throttle) Done(client, account string, failed bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	for _, key := range []string{client, account} {
		e := t.touch(now, key)
		e.inflight = max(0, e.inflight-1)
		if failed {
			t.fail(now, e)
		}
		if e.failures == 0 && e.inflight == 0 {
			t.remove(t.keys[key])
		}
	}
}

// Fail counts a failure of key and returns the delay it now has to wait.
func (t *Throttle) Fail(key string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	e := t.touch(now, key)
	t.fail(now, e)
	return t.wait(now, e)
}

// Wait returns how long key must wait before its next attempt; zero when
// it may try now.
func (t *Throttle) Wait(key string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if e := t.get(now, key); e != nil {
		return t.wait(now, e)
	}
	return 0
}

// Len returns the number of keys tracked.
func (t *Throttle) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.lru.Len()
}

// wait is e's delay; while an attempt past the free failures is in
// flight, at least BaseDelay.
func (t *Throttle) wait(now time.Time, e *entry) time.Duration {
	w := max(0, e.until.Sub(now))
	if e.inflight > 0 && e.failures+e.inflight >= t.cfg.Free {
		w = max(w, t.cfg.BaseDelay)
	}
	return w
}

// fail counts a failure: from the Free-th on, the key waits BaseDelay,
// doubled with each further one, at most MaxDelay.
func (t *Throttle) fail(now time.Time, e *entry) {
	e.failures++
	if n := e.failures - t.cfg.Free; n >= 0 {
		d := t.cfg.BaseDelay
		for ; n > 0 && d < t.cfg.MaxDelay; n-- {
			d *= 2
		}
		e.until = now.Add(min(d, t.cfg.MaxDelay))
	}
}

// touch returns key's entry as the most recent one, creating it (and
// forgetting the oldest key when MaxKeys are tracked).
func (t *Throttle) touch(now time.Time, key string) *entry {
	e := t.get(now, key)
	if e == nil {
		for t.lru.Len() >= t.cfg.MaxKeys {
			t.remove(t.lru.Back())
		}
		e = &entry{key: key}
		t.keys[key] = t.lru.PushFront(e)
	} else {
		t.lru.MoveToFront(t.keys[key])
	}
	e.last = now
	return e
}

// get returns key's entry, nil when it has none or it was quiet for
// ForgetAfter. It drops forgotten entries from the old end on the way.
func (t *Throttle) get(now time.Time, key string) *entry {
	for el := t.lru.Back(); el != nil && t.quiet(now, el.Value.(*entry)); el = t.lru.Back() {
		t.remove(el)
	}
	el, ok := t.keys[key]
	if !ok {
		return nil
	}
	return el.Value.(*entry)
}

func (t *Throttle) quiet(now time.Time, e *entry) bool {
	return !now.Before(e.last.Add(t.cfg.ForgetAfter))
}

func (t *Throttle) remove(el *list.Element) {
	delete(t.keys, el.Value.(*entry).key)
	t.lru.Remove(el)
}
