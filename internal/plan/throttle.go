package plan

import (
	"context"
	"strconv"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/render"
)

// ThrottleCounter is one counter a planned message counts against: a
// rule of its notification, its scope and recipient (Key), and the window
// the planning instant falls in. The planner only names the counters;
// whoever writes the message counts them atomically (see Throttle).
type ThrottleCounter struct {
	Rule model.ThrottleRule
	// Index is the rule's position in the notification's Throttle.
	Index int
	// Scope is what the rule counts: the category, the flow and
	// notification ("flow/notification") or the rendered key.
	Scope      string
	Key        string
	Start, End time.Time
}

// throttleCounters names the counters a message of n to r counts
// against. A key template that fails to render counts under its source,
// so that a broken template throttles rather than floods.
func (p *planner) throttleCounters(ctx context.Context, n *model.Notification, r Recipient) []ThrottleCounter {
	if len(n.Throttle) == 0 {
		return nil
	}
	who := "e:" + model.AddressKey(r.Address.Email)
	if r.Contact != nil {
		who = "c:" + r.Contact.ID
	}
	out := make([]ThrottleCounter, 0, len(n.Throttle))
	for i, rule := range n.Throttle {
		var scope string
		switch rule.ScopeOrDefault() {
		case model.ThrottleNotification:
			flow := "manual"
			if p.in.Flow != nil {
				flow = p.in.Flow.Key
			}
			scope = flow + "/" + n.Key
		case model.ThrottleKey:
			scope = p.throttleKey(ctx, rule.Key, r)
		default:
			scope = n.Category
		}
		start, end := rule.WindowAt(p.in.Now)
		out = append(out, ThrottleCounter{Rule: rule, Index: i, Scope: scope, Start: start, End: end,
			Key: string(rule.ScopeOrDefault()) + ":" + scope + "|" + rule.Duration().String() + "|" + who})
	}
	return out
}

// throttleKey renders a key template with the event's data and the
// recipient, like a sender with placeholders.
func (p *planner) throttleKey(ctx context.Context, src string, r Recipient) string {
	if !render.HasPlaceholders(src) {
		return src
	}
	ct, ok := p.keyTemplates[src]
	if !ok {
		var err error
		if ct, err = render.CompileHeader("throttle key", src); err != nil {
			ct = nil
		}
		if p.keyTemplates == nil {
			p.keyTemplates = map[string]*render.Compiled{}
		}
		p.keyTemplates[src] = ct // compiled once per event, for all its recipients
	}
	if ct == nil {
		return src
	}
	recipient := model.AddressData(r.Address)
	if r.Contact != nil {
		recipient = r.Contact.Data()
	}
	v, err := ct.RenderHeader(ctx, model.WithRecipient(p.out.Data, recipient),
		render.Options{Location: p.in.Workspace.Location(), Now: p.in.Now})
	if err != nil || len(v) > model.MaxThrottleKey {
		return src
	}
	return v
}

// ThrottleCounts are the current counts of counters, by Key and Start.
type ThrottleCounts func(c ThrottleCounter) int

// Throttle decides a planned message against the counts of its counters
// and returns the counter that is full, or false when the message may
// go. It is the one throttle decision of the engine: ingest calls it
// with counts locked in the writing transaction, and counts the messages
// it lets go (Throttled changes the message when one is full).
func Throttle(m *Message, counts ThrottleCounts) (ThrottleCounter, int, bool) {
	for _, c := range m.Throttles {
		if n := counts(c); n >= c.Rule.Max {
			return c, n, true
		}
	}
	return ThrottleCounter{}, 0, false
}

// Throttled suppresses m, whose counter c was full at count, and records
// the rule (its number, from 1) and the count in its trace step s. A notification with a digest
// would roll the message into it here instead.
func Throttled(m *Message, s *model.Step, c ThrottleCounter, count int) {
	m.Status, m.Reason = model.MsgSuppressed, model.ReasonThrottled
	m.HeldUntil = time.Time{}
	params := map[string]string{"reason": string(model.ReasonThrottled), "category": m.Notification.Category,
		"via": m.To.Via, "field": "to", "channel": m.Channel, "rule": strconv.Itoa(c.Index + 1),
		"scope": string(c.Rule.ScopeOrDefault()), "scope_value": c.Scope, "count": strconv.Itoa(count),
		"max": strconv.Itoa(c.Rule.Max), "window": model.FormatWindow(c.Rule.Duration()),
		"window_end": c.End.Format(time.RFC3339)}
	if m.Channel != model.ChannelInApp {
		params["channel"] = ""
	}
	*s = model.Step{Code: model.StepRecipientSuppressed, Notification: s.Notification, Recipient: s.Recipient,
		Message: s.Message, Params: params}
}
