package service

import (
	"sync"
	"time"

	"github.com/herold-dev/herold/internal/model"
)

// keyCacheSize bounds the verified keys kept in memory. A deployment has a
// handful of keys; the bound only matters if a workspace creates very many.
const keyCacheSize = 1024

// keyCacheTTL is how long a verified key is trusted without reading the
// store again: the longest another process (a second replica, or the CLI
// against the same database) needs for its revocation to take effect here.
// Revocations through this process take effect at once (keyCache.purge).
const keyCacheTTL = 2 * time.Second

// keyCache keeps recently verified API keys by the SHA-256 of their secret
// (never the secret), so that a busy client's requests skip the store's key
// lookup. Only keys found and not revoked are kept: unknown keys never enter,
// so random keys cannot grow it. The workspace is not kept: it changes
// through many paths (settings, vocabulary, config-as-code, sender checks)
// and every request must see its current settings.
type keyCache struct {
	mu sync.Mutex
	// gen counts purges; a lookup that started before a purge does not store
	// what it read, which may predate the revocation.
	gen     uint64
	entries map[[32]byte]keyCacheEntry
}

type keyCacheEntry struct {
	key     *model.APIKey
	expires time.Time
}

// get returns the cached key for hash if it is still fresh at now, and the
// generation to hand to put after a miss.
func (c *keyCache) get(hash [32]byte, now time.Time) (*model.APIKey, uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[hash]
	if ok && now.Before(e.expires) {
		return e.key, c.gen
	}
	if ok {
		delete(c.entries, hash)
	}
	return nil, c.gen
}

// put keeps a verified key unless a purge happened since gen was read.
// When full it drops expired entries, then an arbitrary one.
func (c *keyCache) put(hash [32]byte, k *model.APIKey, gen uint64, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.entries == nil {
		c.entries = make(map[[32]byte]keyCacheEntry)
	}
	if _, ok := c.entries[hash]; !ok && len(c.entries) >= keyCacheSize {
		for h, e := range c.entries {
			if !now.Before(e.expires) {
				delete(c.entries, h)
			}
		}
		for h := range c.entries {
			if len(c.entries) < keyCacheSize {
				break
			}
			delete(c.entries, h)
		}
	}
	c.entries[hash] = keyCacheEntry{key: k, expires: now.Add(keyCacheTTL)}
}

// purge forgets every key; called after any change to a key, so that the
// next request reads the store. Key changes are rare, so forgetting all is
// simpler and safer than finding the one entry.
func (c *keyCache) purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.entries)
}

// len is the number of entries kept (for tests).
func (c *keyCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
