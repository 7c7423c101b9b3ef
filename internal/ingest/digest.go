package ingest

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/plan"
	"github.com/herold-dev/herold/internal/render"
	"github.com/herold-dev/herold/internal/store"
)

// DigestItem is one message collected into a digest instead of being
// queued: what AddToDigest stores. A throttle's roll-up or a contact's
// "daily digest" preference builds one with its own Spec.
type DigestItem struct {
	Flow         string
	Notification string
	Spec         *model.Digest
	// To is the recipient; Contact nil for a literal address.
	To plan.Recipient
	// Key is the rendered key ("" for one digest per recipient).
	Key     string
	EventID string
	// Data is the data model the digest's message renders with, if this
	// item opens the digest; Item is what the template sees of this
	// item in digest.items.
	Data map[string]any
	Item map[string]any
	// Location is the recipient's time zone, for calendar windows.
	Location *time.Location
	// Closes, when set, is when the digest closes, instead of Spec's
	// window (a throttle roll-up closes with the rule's window).
	Closes time.Time
}

// AddToDigest adds one item to the open digest of its notification,
// recipient and key (opening one when there is none) in q's transaction.
func AddToDigest(ctx context.Context, q store.Queries, workspaceID int64, it *DigestItem, now time.Time) (*store.DigestItemAddResult, error) {
	data, err := json.Marshal(it.Data)
	if err != nil {
		return nil, fmt.Errorf("encode digest data: %w", err)
	}
	item, err := json.Marshal(it.Item)
	if err != nil {
		return nil, fmt.Errorf("encode digest item: %w", err)
	}
	p := &store.DigestItemAddParams{
		ID: NewID(), WorkspaceID: workspaceID, Flow: it.Flow, Notification: it.Notification,
		Recipient: plan.Label(it.To), To: it.To.Address, Key: it.Key, EventID: it.EventID, Data: data, Item: item,
		Now: now,
	}
	p.ClosesAt, p.Deadline = it.Closing(now)
	if it.Spec != nil && it.Closes.IsZero() {
		p.Sliding, p.MaxItems = it.Spec.Sliding(), it.Spec.MaxItems
	}
	return q.DigestItemAdd(ctx, p)
}

// Closing is when a digest this item opens at at closes, and its
// latest close: Closes when set, else by Spec's window.
func (it *DigestItem) Closing(at time.Time) (closes, deadline time.Time) {
	if !it.Closes.IsZero() || it.Spec == nil {
		return it.Closes, it.Closes
	}
	deadline = it.Spec.Deadline(at, it.Location)
	return it.Spec.ClosesAt(at, deadline), deadline
}

// collect adds the digest items of prepared events to their digests and,
// when one of them became due at once, runs DigestsDue.
func (g *Ingester) collect(ctx context.Context, tx store.Tx, workspaceID int64, ps []*prepared) error {
	due := false
	for _, p := range ps {
		at := p.res.Event.ReceivedAt
		for _, it := range p.res.Digests {
			res, err := AddToDigest(ctx, tx, workspaceID, it, at)
			if err != nil {
				return fmt.Errorf("collect into digest: %w", err)
			}
			due = due || !res.ClosesAt.After(at)
		}
	}
	if due && g.cfg.DigestsDue != nil {
		if err := g.cfg.DigestsDue(ctx, tx); err != nil {
			return fmt.Errorf("queue the closing of a full digest: %w", err)
		}
	}
	return nil
}

// digestItem turns a planned message that collects into a digest into
// its item: the key rendered with the message's data model.
func (g *Ingester) digestItem(ctx context.Context, ws *model.Workspace, ev *model.Event, sn *snapshot, data map[string]any, pm plan.Message, now time.Time) (*DigestItem, error) {
	if pm.Summary != "" {
		return g.summaryItem(ctx, ws, ev, sn, data, pm, now)
	}
	d := pm.Digest
	loc := ws.Location()
	recipient := model.AddressData(pm.To.Address)
	if c := pm.To.Contact; c != nil {
		recipient = c.Data()
		if c.Timezone != "" {
			loc = model.LoadLocation(c.Timezone)
		}
	}
	data = model.WithRecipient(data, recipient)
	key := ""
	if d.Key != "" {
		ct, err := g.compiled("digestkey/"+d.Key, func() (*render.Compiled, error) { return render.CompileHeader("Digest key", d.Key) })
		if err == nil {
			key, err = ct.RenderHeader(ctx, data, render.Options{Locale: ws.DefaultLocale, Location: loc, Now: now, Limits: g.cfg.RenderLimits})
		}
		if err != nil {
			return nil, fmt.Errorf("digest key %q: %w", d.Key, err)
		}
	}
	it := &DigestItem{Notification: pm.Notification.Key, Spec: d, To: pm.To, Key: key, EventID: ev.ID,
		Data: data, Location: loc,
		Item: map[string]any{model.RootEvent: data[model.RootEvent], model.RootData: data[model.RootData], model.RootObject: data[model.RootObject]}}
	if sn.flow != nil {
		it.Flow = sn.flow.Key
	}
	return it, nil
}
