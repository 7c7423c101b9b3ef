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
	// ForgetAfter is the quiet period after which a key's failures are
	// forgotten. It must be longer than MaxDelay, or a key would be
	// forgotten while it waits. Default 15 minutes.
	ForgetAfter time.Duration
	// MaxKeys bounds the keys tracked; beyond it the key whose last
	// failure is oldest is forgotten, so that cycling through keys costs
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

// entry is one key's recent failures.
type entry struct {
	key      string
	failures int
	last     time.Time // of the last failure
	until    time.Time // no attempt before
}

// Throttle counts failures per key. It is safe for concurrent use.
type Throttle struct {
	cfg Config
	now func() time.Time

	mu   sync.Mutex
	keys map[string]*list.Element // of *entry
	lru  *list.List               // most recent failure first
}

// New returns a Throttle reading the time from now.
func New(cfg Config, now func() time.Time) *Throttle {
	return &Throttle{cfg: cfg.withDefaults(), now: now, keys: map[string]*list.Element{}, lru: list.New()}
}

// Wait returns how long key must wait before its next attempt; zero when
// it may try now.
func (t *Throttle) Wait(key string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	e := t.get(t.now(), key)
	if e == nil {
		return 0
	}
	return max(0, e.until.Sub(t.now()))
}

// Failing reports whether key failed within the quiet period.
func (t *Throttle) Failing(key string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.get(t.now(), key) != nil
}

// Fail counts a failure of key and returns the delay it now has to wait.
func (t *Throttle) Fail(key string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
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
	e.failures++
	e.last = now
	if n := e.failures - t.cfg.Free; n >= 0 {
		e.until = now.Add(t.delay(n))
	}
	return max(0, e.until.Sub(now))
}

// delay is BaseDelay doubled n times, capped at MaxDelay.
func (t *Throttle) delay(n int) time.Duration {
	d := t.cfg.BaseDelay
	for ; n > 0 && d < t.cfg.MaxDelay; n-- {
		d *= 2
	}
	return min(d, t.cfg.MaxDelay)
}

// Len returns the number of keys tracked.
func (t *Throttle) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.lru.Len()
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
