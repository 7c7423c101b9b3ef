package ingest

import (
	"context"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/plan"
	"github.com/herold-dev/herold/internal/store"
)

// throttle decides the throttled messages of a workspace's prepared
// events in the transaction that writes them: it locks their counters,
// lets plan.Throttle decide each queued message in order with the counts
// so far (those of this group included), suppresses the excess with
// plan.Throttled and adds the rest to the counters. Two events at once
// never both take the last slot: the second transaction waits for the
// first's counters. A transaction run again sees counts at least as high
// (they only grow), so a message this throttled stays rightly throttled.
func (g *Ingester) throttle(ctx context.Context, tx store.Tx, ws int64, ps []*prepared) error {
	var windows []store.ThrottleWindow
	for _, p := range ps {
		for i := range p.planned {
			for _, c := range p.planned[i].Throttles {
				windows = append(windows, window(c))
			}
		}
	}
	if len(windows) == 0 {
		return nil
	}
	counts, err := tx.ThrottleCountsLock(ctx, &store.ThrottleCountsLockParams{WorkspaceID: ws, Windows: windows})
	if err != nil {
		return err
	}
	adds := map[store.ThrottleWindow]int{}
	current := func(c plan.ThrottleCounter) int { w := window(c); return counts[w] + adds[w] }
	changed := map[*prepared]bool{} // their trace and messages changed: encoded again
	for _, p := range ps {
		for i := range p.planned {
			pm, m := &p.planned[i], p.res.Messages[i]
			if len(pm.Throttles) == 0 || m.Status != model.MsgQueued {
				continue
			}
			if c, n, full := plan.Throttle(pm, current); full {
				if c.Rule.RollUp && m.Channel == model.ChannelEmail {
					rollUp(p.ws, p, pm, m, c, n)
				} else {
					throttled(p.res.Event, pm, m, c, n)
				}
				changed[p] = true
				continue
			}
			for _, c := range pm.Throttles {
				adds[window(c)]++
			}
		}
	}
	for p := range changed {
		p.encode()
	}
	return tx.ThrottleCountsAdd(ctx, &store.ThrottleCountsAddParams{WorkspaceID: ws, Adds: adds})
}

// throttled suppresses the stored message m of ev, planned as pm, whose
// counter c was full at n: its status, its timeline and its trace step.
func throttled(ev *model.Event, pm *plan.Message, m *model.Message, c plan.ThrottleCounter, n int) {
	for i := range ev.Trace {
		if s := &ev.Trace[i]; s.Message == m.ID {
			plan.Throttled(pm, s, c, n)
			break
		}
	}
	suppress(m, model.ReasonThrottled)
}

// suppress makes the stored message m suppressed with reason, in its
// status and the last entry of its timeline.
func suppress(m *model.Message, reason model.SuppressReason) {
	m.Status, m.Reason = model.MsgSuppressed, string(reason)
	m.QueuedAt, m.NextAttemptAt = nil, nil
	if k := len(m.Timeline) - 1; k >= 0 {
		m.Timeline[k] = model.MessageEvent{At: m.Timeline[k].At, Status: m.Status, Detail: m.Reason}
	}
}

// window is the store's name of a counter.
func window(c plan.ThrottleCounter) store.ThrottleWindow {
	return store.ThrottleWindow{Key: c.Key, Start: c.Start, End: c.End}
}
