package ingest

import (
	"context"
	"sync"
	"time"

	"github.com/herold-dev/herold/internal/metrics"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// maxGroup is the most events one group commit takes.
const maxGroup = 256

// committer accepts the events of concurrent requests together: while one
// transaction commits, the requests that arrive meanwhile queue up and go
// into the next one, stored with a few multi-row statements. A
// transaction's fixed cost is then paid once per group instead of once per
// event, and each request still gets its own result. (On SQLite the
// store's writer also commits concurrent transactions together; the
// committer saves the statements besides.)
type committer struct {
	g    *Ingester
	reqs chan *request
	quit chan struct{}
	done chan struct{}
	once sync.Once
	// loads reads the snapshots of concurrent requests together.
	loads *loadGroup
}

// request is one event waiting for its group.
type request struct {
	ws *model.Workspace
	in *Input
	// p is the event decided, rendered and encoded by the request's
	// goroutine, so that this work runs in parallel outside the serial
	// commit.
	p    *prepared
	resp chan response
	// asked and turn are when the group's transaction was asked for and
	// when it began (the request's stages; see metrics.IngestStage).
	asked, turn time.Time
}

type response struct {
	res *Result
	err error
}

// Start starts group commits for Accept.
func (g *Ingester) Start() {
	c := &committer{g: g, reqs: make(chan *request, maxGroup), quit: make(chan struct{}), done: make(chan struct{}),
		loads: &loadGroup{g: g}}
	g.committer = c
	go c.loop()
}

// Stop finishes the queued events and stops group commits; later calls to
// Accept commit on their own.
func (g *Ingester) Stop() {
	if c := g.committer; c != nil {
		c.once.Do(func() { close(c.quit) })
		<-c.done
	}
}

func (c *committer) submit(ctx context.Context, ws *model.Workspace, in *Input) (*Result, error) {
	m := c.g.cfg.Metrics.IngestStage
	now := c.g.now()
	it := item{in: in, ev: newEvent(in, now)}
	var snap *snapshot
	start := time.Now()
	if in.Exclusion == nil {
		var err error
		if snap, err = c.loads.load(ctx, ws, it); err != nil {
			return nil, err
		}
	}
	planned := time.Now()
	m.WithLabelValues(metrics.StageLoad).Observe(planned.Sub(start).Seconds())
	r := &request{ws: ws, in: in, p: c.g.prepare(ctx, ws, it, snap, now, false), resp: make(chan response, 1)}
	if err := ctx.Err(); err != nil {
		// Planned with conditions cut short: not to be stored.
		return nil, err
	}
	queued := time.Now()
	m.WithLabelValues(metrics.StagePlan).Observe(queued.Sub(planned).Seconds())
	select {
	case c.reqs <- r:
	case <-c.quit:
		return c.g.acceptAlone(ctx, ws, in)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case resp := <-r.resp:
		if resp.err == nil {
			m.WithLabelValues(metrics.StageQueue).Observe(r.asked.Sub(queued).Seconds())
			m.WithLabelValues(metrics.StageTurn).Observe(r.turn.Sub(r.asked).Seconds())
			m.WithLabelValues(metrics.StageWrite).Observe(time.Since(r.turn).Seconds())
		}
		return resp.res, resp.err
	case <-ctx.Done():
		// The event may still be accepted; an idempotency key makes a
		// retry safe.
		return nil, ctx.Err()
	}
}

func (c *committer) loop() {
	defer close(c.done)
	for {
		select {
		case r := <-c.reqs:
			c.commit(c.gather(r))
		case <-c.quit:
			for {
				select {
				case r := <-c.reqs:
					c.commit(c.gather(r))
				default:
					return
				}
			}
		}
	}
}

// gather takes first and whatever else is already waiting.
func (c *committer) gather(first *request) []*request {
	batch := []*request{first}
	for len(batch) < maxGroup {
		select {
		case r := <-c.reqs:
			batch = append(batch, r)
		default:
			return batch
		}
	}
	return batch
}

// commit accepts a group in one transaction; if that fails, each event is
// tried on its own, so one event's problem (an idempotency race on
// PostgreSQL, say) is not another's.
func (c *committer) commit(batch []*request) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var results []*Result
	h := newHandoff(c.g.cfg.Delivery)
	start := time.Now()
	var turn time.Time
	err := c.g.cfg.Store.WithTx(ctx, func(tx store.Tx) error {
		turn = time.Now()
		h.reset() // a transaction run again starts afresh
		var err error
		results, err = c.g.writeGroup(ctx, tx, batch, h)
		return err
	})
	c.g.cfg.Metrics.ObserveWriteBatch(metrics.BatchEvents, len(batch), time.Since(start))
	if h.done(err) {
		c.g.cfg.Notify()
	}
	if err == nil {
		for i, r := range batch {
			r.asked, r.turn = start, turn
			c.g.recordIngest(results[i])
			r.resp <- response{res: results[i]}
		}
		return
	}
	if len(batch) == 1 {
		batch[0].resp <- response{err: err}
		return
	}
	for _, r := range batch {
		res, err := c.g.acceptAlone(ctx, r.ws, r.in)
		r.resp <- response{res: res, err: err}
	}
}
