package main

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// request does request number seq; an error counts as failed.
type request func(ctx context.Context, seq int) error

// loadStats is the outcome of a load run.
type loadStats struct {
	Sent    int
	OK      int
	Errors  map[string]int    // by errorClass
	Example map[string]string // one error text per class
	// Latencies of successful requests: from the start of the request
	// (closed loop) or from its scheduled time (open loop).
	Latencies []time.Duration
	Elapsed   time.Duration
	// MaxLag is how far behind its schedule the open loop dispatched a
	// request at worst: large values mean the harness itself could not
	// keep the rate.
	MaxLag time.Duration
}

// collector gathers outcomes from many goroutines.
type collector struct {
	mu  sync.Mutex
	out loadStats
}

func newCollector(expect int) *collector {
	return &collector{out: loadStats{Errors: map[string]int{}, Example: map[string]string{},
		Latencies: make([]time.Duration, 0, expect)}}
}

func (c *collector) done(lat time.Duration, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.out.Sent++
	if err == nil {
		c.out.OK++
		c.out.Latencies = append(c.out.Latencies, lat)
		return
	}
	class := errorClass(err)
	c.out.Errors[class]++
	if _, ok := c.out.Example[class]; !ok {
		c.out.Example[class] = excerpt(err.Error(), 300)
	}
}

// closedLoop runs clients goroutines, each sending its next request as
// soon as the previous one is answered, until d has passed.
func closedLoop(ctx context.Context, clients int, d time.Duration, do request) *loadStats {
	c := newCollector(4096)
	var seq atomic.Int64
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil && time.Now().Before(deadline) {
				n := int(seq.Add(1) - 1)
				t0 := time.Now()
				err := do(ctx, n)
				c.done(time.Since(t0), err)
			}
		}()
	}
	wg.Wait()
	c.out.Elapsed = time.Since(start)
	return &c.out
}

// openLoop sends rate requests per second for d on a fixed schedule,
// whether or not earlier ones were answered, so a slow server shows as
// latency (measured from each request's scheduled time) and not as a lower
// rate.
func openLoop(ctx context.Context, rate int, d time.Duration, do request) *loadStats {
	n := requestsFor(rate, d)
	c := newCollector(n)
	interval := time.Second / time.Duration(rate)
	start := time.Now().Add(10 * time.Millisecond)
	timer := time.NewTimer(0)
	defer timer.Stop()
	<-timer.C
	var wg sync.WaitGroup
	for i := 0; i < n && ctx.Err() == nil; i++ {
		at := start.Add(time.Duration(i) * interval)
		if wait := time.Until(at); wait > 0 {
			timer.Reset(wait)
			select {
			case <-timer.C:
			case <-ctx.Done():
			}
		} else if lag := -wait; lag > c.out.MaxLag {
			c.out.MaxLag = lag // read after wg.Wait; written only here
		}
		wg.Add(1)
		go func(seq int, at time.Time) {
			defer wg.Done()
			err := do(ctx, seq)
			c.done(time.Since(at), err)
		}(i, at)
	}
	wg.Wait()
	c.out.Elapsed = time.Since(start)
	return &c.out
}
