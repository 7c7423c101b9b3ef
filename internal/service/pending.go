package service

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// pending gathers what the events of one transaction need at its end: the
// daily counts of their messages, written once per transaction rather than
// once per event.
type pending struct {
	order []int64
	ws    map[int64]*model.Workspace
	msgs  map[int64][]*model.Message
}

// add records the messages of a new event (a duplicate adds nothing).
func (p *pending) add(ws *model.Workspace, res *IngestResult) {
	if res == nil || res.Duplicate || len(res.Messages) == 0 {
		return
	}
	if p.ws == nil {
		p.ws, p.msgs = map[int64]*model.Workspace{}, map[int64][]*model.Message{}
	}
	if _, ok := p.ws[ws.ID]; !ok {
		p.order = append(p.order, ws.ID)
		p.ws[ws.ID] = ws
	}
	p.msgs[ws.ID] = append(p.msgs[ws.ID], res.Messages...)
}

// flush writes the counts in tx. The queued messages are their own queue
// entries: once tx commits, delivery claims them (recordIngest tells it).
func (s *Service) flush(ctx context.Context, tx store.Tx, p *pending) error {
	now := s.now()
	for _, id := range p.order {
		if err := tx.StatsAdd(ctx, s.statsFor(p.ws[id], p.msgs[id], now)); err != nil {
			return fmt.Errorf("count messages: %w", err)
		}
	}
	return nil
}

// statsFor counts new messages per status for the dashboard.
func (s *Service) statsFor(ws *model.Workspace, msgs []*model.Message, now time.Time) []store.StatsDelta {
	day := now.In(ws.Location()).Format("2006-01-02")
	counts := map[[2]string]int{}
	for _, m := range msgs {
		switch m.Status {
		case model.MsgSuppressed, model.MsgAwaitingConfirmation, model.MsgFailed:
			counts[[2]string{string(m.Status), statsReason(m)}]++
		}
	}
	out := make([]store.StatsDelta, 0, len(counts))
	for k, n := range counts {
		out = append(out, store.StatsDelta{WorkspaceID: ws.ID, Day: day, Status: model.MessageStatus(k[0]), Reason: k[1], N: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Status != out[j].Status {
			return out[i].Status < out[j].Status
		}
		return out[i].Reason < out[j].Reason
	})
	return out
}
