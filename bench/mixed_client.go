package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// The operations of the mixed workload, as the report names them.
const (
	opPut   = "PUT /v1/contacts/{id}"
	opBulk  = "POST /v1/contacts/bulk"
	opEvent = "POST /v1/events"
	opBatch = "POST /v1/events/batch"
	opRun   = "POST /v1/schedules/{key}/run"
)

// mixedOps lists the operations in the report's order.
var mixedOps = []string{opPut, opBulk, opEvent, opBatch, opRun}

// mixedPool is how many contacts each client owns and writes (ids
// mx-CC-KKKK): one writer per id, so the last acknowledged version of each
// is what the server must hold at the end.
const mixedPool = 1000

// Request sizes: contacts per bulk request and events per batch, each
// drawn between the two.
const (
	bulkMin, bulkMax   = 50, 200
	batchMin, batchMax = 10, 50
)

// opTally collects one operation's outcomes.
type opTally struct {
	c    *collector
	n503 atomic.Int64
}

// mixedRun is what the mixed workload's clients share.
type mixedRun struct {
	cfg *config
	p   *poster
	ops map[string]*opTally

	mu     sync.Mutex
	events []string // ids of accepted events

	// Set by drive.
	clients []*mixedClient
	runs    []scheduleRunCheck
	elapsed time.Duration
}

func newMixedRun(cfg *config, p *poster) *mixedRun {
	m := &mixedRun{cfg: cfg, p: p, ops: map[string]*opTally{}}
	for _, op := range mixedOps {
		m.ops[op] = &opTally{c: newCollector(1 << 14)}
	}
	return m
}

// record counts one request of op that started at t0, with the 503s it
// was retried after.
func (m *mixedRun) record(op string, t0 time.Time, n503 int, err error) {
	t := m.ops[op]
	t.n503.Add(int64(n503))
	t.c.done(time.Since(t0), err)
}

func (m *mixedRun) accepted(id string) {
	m.mu.Lock()
	m.events = append(m.events, id)
	m.mu.Unlock()
}

// rejectedError is a 2xx answer that refused some items of a request.
type rejectedError struct{ msg string }

func (e *rejectedError) Error() string      { return e.msg }
func (e *rejectedError) errorClass() string { return "items rejected" }

// retry503 calls do until it answers anything but 503, waiting each 503's
// Retry-After (1 s without one), for at most loadMaxRetry. It returns the
// 503s it waited after.
func retry503(ctx context.Context, do func() error) (int, error) {
	first := time.Now()
	for n := 0; ; n++ {
		err := do()
		var se *statusError
		if !errors.As(err, &se) || se.code != 503 || time.Since(first) > loadMaxRetry {
			return n, err
		}
		select {
		case <-ctx.Done():
			return n + 1, ctx.Err()
		case <-time.After(cmp.Or(se.retryAfter, time.Second)):
		}
	}
}

// mixedClient is one client of the mixed workload: it owns mixedPool
// contacts and versions each write of them.
type mixedClient struct {
	m   *mixedRun
	id  int
	rng *rand.Rand
	// attempted and acked are, per owned contact, the version last sent
	// and the last one the server acknowledged.
	attempted, acked []int
	seq              int
}

func newMixedClient(m *mixedRun, id int) *mixedClient {
	return &mixedClient{m: m, id: id, rng: rand.New(rand.NewPCG(m.cfg.mixedSeed, uint64(id))),
		attempted: make([]int, mixedPool), acked: make([]int, mixedPool)}
}

// run sends requests until the deadline: 30 % single contacts, 10 % bulk
// contacts, 40 % single events, 20 % event batches.
func (c *mixedClient) run(ctx context.Context, deadline time.Time) {
	for ctx.Err() == nil && time.Now().Before(deadline) {
		switch r := c.rng.IntN(100); {
		case r < 30:
			c.putContact(ctx)
		case r < 40:
			c.bulkContacts(ctx)
		case r < 80:
			c.postEvent(ctx)
		default:
			c.postBatch(ctx)
		}
	}
}

// contactID names owned contact k.
func (c *mixedClient) contactID(k int) string { return fmt.Sprintf("mx-%02d-%04d", c.id, k) }

// nextVersion returns owned contact k's body with the next version.
func (c *mixedClient) nextVersion(k int) map[string]any {
	c.attempted[k]++
	id := c.contactID(k)
	return map[string]any{"id": id, "email": id + "@example.org", "name": fmt.Sprintf("Mixed %d/%d", c.id, k), "locale": "de",
		"attributes": map[string]any{"v": c.attempted[k]}}
}

func (c *mixedClient) putContact(ctx context.Context) {
	k := c.rng.IntN(mixedPool)
	body := c.nextVersion(k)
	t0 := time.Now()
	n503, err := retry503(ctx, func() error { return c.m.p.send(ctx, "PUT", "/v1/contacts/"+c.contactID(k), body, nil) })
	if err == nil {
		c.acked[k] = c.attempted[k]
	}
	c.m.record(opPut, t0, n503, err)
}

func (c *mixedClient) bulkContacts(ctx context.Context) {
	size := bulkMin + c.rng.IntN(bulkMax-bulkMin+1)
	start := c.rng.IntN(mixedPool - size + 1)
	batch := make([]map[string]any, size)
	for i := range batch {
		batch[i] = c.nextVersion(start + i)
	}
	var out struct {
		Upserted int `json:"upserted"`
		Errors   []struct {
			Index int `json:"index"`
		} `json:"errors"`
	}
	t0 := time.Now()
	n503, err := retry503(ctx, func() error {
		return c.m.p.post(ctx, "/v1/contacts/bulk", map[string]any{"contacts": batch}, &out)
	})
	if err == nil {
		bad := map[int]bool{}
		for _, e := range out.Errors {
			bad[e.Index] = true
		}
		for i := range batch {
			if !bad[i] {
				c.acked[start+i] = c.attempted[start+i]
			}
		}
		if len(bad) > 0 || out.Upserted != size {
			err = &rejectedError{fmt.Sprintf("bulk: %d of %d contacts saved, %d rejected", out.Upserted, size, len(bad))}
		}
	}
	c.m.record(opBulk, t0, n503, err)
}

// event is the client's next event, with an idempotency key so that a
// retry after a 503 cannot create a second one.
func (c *mixedClient) event() loadEvent {
	c.seq++
	return loadEvent{benchEvent: newEvent(c.id*1_000_000+c.seq, w4Roles, c.m.cfg.audience()),
		IdempotencyKey: fmt.Sprintf("mixed-%d-%d", c.id, c.seq)}
}

func (c *mixedClient) postEvent(ctx context.Context) {
	ev := c.event()
	var a eventAnswer
	t0 := time.Now()
	n503, err := retry503(ctx, func() error { return c.m.p.post(ctx, "/v1/events", ev, &a) })
	if err == nil {
		c.m.accepted(a.ID)
	}
	c.m.record(opEvent, t0, n503, err)
}

func (c *mixedClient) postBatch(ctx context.Context) {
	events := make([]loadEvent, batchMin+c.rng.IntN(batchMax-batchMin+1))
	for i := range events {
		events[i] = c.event()
	}
	var out struct {
		Results []batchResult `json:"results"`
	}
	t0 := time.Now()
	n503, err := retry503(ctx, func() error { return c.m.p.post(ctx, "/v1/events/batch", map[string]any{"events": events}, &out) })
	if err == nil {
		rejected := 0
		for _, r := range out.Results {
			if len(r.Errors) > 0 || r.ID == "" {
				rejected++
				continue
			}
			c.m.accepted(r.ID)
		}
		if rejected > 0 || len(out.Results) != len(events) {
			err = &rejectedError{fmt.Sprintf("batch: %d of %d events answered, %d rejected", len(out.Results), len(events), rejected)}
		}
	}
	c.m.record(opBatch, t0, n503, err)
}
