package service

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// maxGroup is the most events one group commit takes.
const maxGroup = 256

// committer accepts the events of concurrent requests together: while one
// transaction commits, the requests that arrive meanwhile queue up and go
// into the next one. A transaction's fixed cost (locking, commit, the
// delivery job) is then paid once per group instead of once per event, and
// each request still gets its own result.
type committer struct {
	s    *Service
	reqs chan *ingestReq
	quit chan struct{}
	done chan struct{}
	once sync.Once
}

type ingestReq struct {
	ws *model.Workspace
	in *EventInput
	// p is the event decided and rendered by the request's goroutine, so
	// that this work runs in parallel outside the serial commit.
	p    *prepared
	resp chan ingestResp
}

type ingestResp struct {
	res *IngestResult
	err error
}

// Start starts group commits for Ingest (without it, each event commits
// on its own) and the runner of schedule runs.
func (s *Service) Start(context.Context) {
	c := &committer{s: s, reqs: make(chan *ingestReq, maxGroup), quit: make(chan struct{}), done: make(chan struct{})}
	s.committer = c
	go c.loop()
	s.runner.start()
}

// Stop interrupts the schedule runs in progress (they go on at the next
// start, from where they stopped), then finishes the queued events and
// stops group commits; later calls to Ingest commit on their own.
func (s *Service) Stop() {
	s.runner.stop()
	if c := s.committer; c != nil {
		c.once.Do(func() { close(c.quit) })
		<-c.done
	}
}

func (c *committer) submit(ctx context.Context, ws *model.Workspace, in *EventInput) (*IngestResult, error) {
	p, err := c.s.prepare(ctx, c.s.store, ws, in)
	if err != nil {
		return nil, err
	}
	r := &ingestReq{ws: ws, in: in, p: p, resp: make(chan ingestResp, 1)}
	select {
	case c.reqs <- r:
	case <-c.quit:
		return c.s.ingestAlone(ctx, ws, in)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case resp := <-r.resp:
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
func (c *committer) gather(first *ingestReq) []*ingestReq {
	batch := []*ingestReq{first}
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
func (c *committer) commit(batch []*ingestReq) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var results []*IngestResult
	err := c.s.store.WithTx(ctx, func(tx store.Tx) error {
		var err error
		results, err = c.s.writeGroup(ctx, tx, batch)
		return err
	})
	if err == nil {
		for i, r := range batch {
			c.s.recordIngest(results[i])
			r.resp <- ingestResp{res: results[i]}
		}
		return
	}
	if len(batch) == 1 {
		batch[0].resp <- ingestResp{err: err}
		return
	}
	for _, r := range batch {
		res, err := c.s.ingestAlone(ctx, r.ws, r.in)
		r.resp <- ingestResp{res: res, err: err}
	}
}

// writeGroup stores the prepared events of a group with a few multi-row
// statements, answers repeated idempotency keys with the first result, and
// queues their deliveries.
func (s *Service) writeGroup(ctx context.Context, tx store.Tx, batch []*ingestReq) ([]*IngestResult, error) {
	results := make([]*IngestResult, len(batch))
	used, err := s.usedKeys(ctx, tx, batch)
	if err != nil {
		return nil, err
	}
	seen := map[string]int{} // workspace/key → index of the first in this group
	byWS := map[int64][]*prepared{}
	var order []int64
	for i, r := range batch {
		if key := r.in.IdempotencyKey; key != "" {
			k := fmt.Sprintf("%d/%s", r.ws.ID, key)
			if first, dup := seen[k]; dup {
				results[i] = &IngestResult{Event: batch[first].p.res.Event, Duplicate: true, Messages: batch[first].p.res.Messages}
				continue
			}
			if used[k] {
				res, err := s.existing(ctx, tx, r.ws, key)
				if err != nil {
					return nil, err
				}
				results[i] = res
				continue
			}
			seen[k] = i
		}
		if _, ok := byWS[r.ws.ID]; !ok {
			order = append(order, r.ws.ID)
		}
		byWS[r.ws.ID] = append(byWS[r.ws.ID], r.p)
		results[i] = r.p.res
	}
	var p pending
	for _, id := range order {
		if err := s.writeMany(ctx, tx, byWS[id]); err != nil {
			return nil, err
		}
		for _, pr := range byWS[id] {
			p.add(pr.ws, pr.res)
		}
	}
	return results, s.flush(ctx, tx, &p)
}

// usedKeys finds, with one query per workspace, which idempotency keys of
// the group events already use ("workspace/key").
func (s *Service) usedKeys(ctx context.Context, q store.Queries, batch []*ingestReq) (map[string]bool, error) {
	keys := map[int64][]string{}
	for _, r := range batch {
		if k := r.in.IdempotencyKey; k != "" {
			keys[r.ws.ID] = append(keys[r.ws.ID], k)
		}
	}
	out := map[string]bool{}
	for ws, ks := range keys {
		used, err := q.EventIdempotencyKeys(ctx, ws, ks)
		if err != nil {
			return nil, fmt.Errorf("look up idempotency keys: %w", err)
		}
		for k := range used {
			out[fmt.Sprintf("%d/%s", ws, k)] = true
		}
	}
	return out, nil
}

// prepareGroup prepares events for writeGroup.
func (s *Service) prepareGroup(ctx context.Context, ws *model.Workspace, ins []*EventInput) ([]*ingestReq, error) {
	ps, err := s.prepareAll(ctx, s.store, ws, ins)
	if err != nil {
		return nil, err
	}
	reqs := make([]*ingestReq, len(ps))
	for i, p := range ps {
		reqs[i] = &ingestReq{ws: ws, in: ins[i], p: p}
	}
	return reqs, nil
}

// writeMany stores prepared events of one workspace.
func (s *Service) writeMany(ctx context.Context, tx store.Tx, ps []*prepared) error {
	ws := ps[0].ws
	var contacts []*model.Contact
	events := make([]*model.Event, len(ps))
	var msgs []*model.Message
	for i, p := range ps {
		contacts = append(contacts, p.contacts...)
		events[i] = p.res.Event
		msgs = append(msgs, p.res.Messages...)
	}
	if len(contacts) > 0 {
		if err := tx.ContactUpsertMany(ctx, ws.ID, contacts); err != nil {
			return fmt.Errorf("save inline contacts: %w", err)
		}
	}
	if err := tx.EventInsertMany(ctx, ws.ID, events); err != nil {
		return fmt.Errorf("save events: %w", err)
	}
	if err := tx.MessageInsertMany(ctx, ws.ID, msgs); err != nil {
		return fmt.Errorf("save messages: %w", err)
	}
	return nil
}
