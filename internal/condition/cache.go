package condition

import (
	"container/list"
	"sync"
)

// cache is a least-recently-used cache of compile results, safe for
// concurrent use. Errors are cached too: a stored condition that no longer
// compiles is evaluated for every event and should not be recompiled each
// time.
type cache struct {
	mu    sync.Mutex
	size  int
	order *list.List // of *cacheEntry, most recent first
	byKey map[string]*list.Element
}

type cacheEntry struct {
	expr string
	prg  *Program
	err  error
}

func newCache(size int) *cache {
	return &cache{size: size, order: list.New(), byKey: make(map[string]*list.Element, size)}
}

// get returns the cached result for expr or compiles it. Two goroutines
// that miss at once both compile; the first to store wins, so every caller
// sees the same *Program.
func (c *cache) get(expr string, compile func(string) (*Program, error)) (*Program, error) {
	if e, ok := c.lookup(expr); ok {
		return e.prg, e.err
	}
	prg, err := compile(expr)
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byKey[expr]; ok {
		e := el.Value.(*cacheEntry)
		return e.prg, e.err
	}
	c.byKey[expr] = c.order.PushFront(&cacheEntry{expr: expr, prg: prg, err: err})
	for c.order.Len() > c.size {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.byKey, oldest.Value.(*cacheEntry).expr)
	}
	return prg, err
}

func (c *cache) lookup(expr string) (*cacheEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byKey[expr]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*cacheEntry), true
}

// len returns the number of cached expressions.
func (c *cache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
