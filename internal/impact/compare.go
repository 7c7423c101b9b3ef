package impact

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/plan"
)

// Message is a message as the comparison sees it: where it comes from
// (project, flow, notification), to whom, with which template and as
// what it was planned.
type Message struct {
	Project      string `json:"project"`
	Flow         string `json:"flow,omitempty"`
	EventType    string `json:"event_type"`
	Notification string `json:"notification"`
	Template     string `json:"template"`
	// Channel is email or inapp; an e-mail and an in-app message to one
	// person are two messages.
	Channel string `json:"channel"`
	// Recipient is the contact id, or the address of a literal recipient.
	Recipient string `json:"recipient"`
	Email     string `json:"email,omitempty"`
	// CC and BCC name the copies' recipients like Recipient.
	CC  []string `json:"cc,omitempty"`
	BCC []string `json:"bcc,omitempty"`
	// Status is what the planner decided: queued, awaiting_confirmation
	// or suppressed. Later fates (sent, approved, declined, ...) are not
	// compared. A recorded message whose template failed to render is
	// failed; as a replay renders nothing, failed equals queued and
	// awaiting_confirmation in comparisons.
	Status model.MessageStatus `json:"status"`
	// Reason is the suppression reason.
	Reason string `json:"reason,omitempty"`
}

// key is the group a message counts in.
func (m *Message) key() groupKey {
	return groupKey{project: m.Project, flow: m.Flow, eventType: m.EventType, notification: m.Notification}
}

// fromRecorded is a stored message as planned: its later fate is mapped
// back to the planner's decision.
func fromRecorded(m *model.Message) Message {
	out := Message{Project: m.Project, Flow: m.Flow, EventType: m.EventType, Notification: m.Notification,
		Template: m.Template, Channel: cmp.Or(m.Channel, model.ChannelEmail), Recipient: who(m.To), Email: m.To.Email, CC: whoAll(m.CC), BCC: whoAll(m.BCC)}
	switch {
	case m.Status == model.MsgSuppressed:
		out.Status, out.Reason = model.MsgSuppressed, m.Reason
	case m.ExpiresAt != nil || slices.Contains([]model.MessageStatus{model.MsgAwaitingConfirmation, model.MsgApproved,
		model.MsgDeclined, model.MsgExpired}, m.Status):
		// Only a message held for confirmation gets a deadline.
		out.Status = model.MsgAwaitingConfirmation
	case m.Status == model.MsgFailed && m.Attempts == 0:
		out.Status = model.MsgFailed // never tried: rendering failed
	default:
		out.Status = model.MsgQueued
	}
	return out
}

// planned lists the messages a replay planned for ev, in the groups of
// the configuration cfg it was decided with.
func planned(ctx context.Context, ev *model.Event, cfg configView, out *plan.Output) []Message {
	flow := ""
	if p, err := cfg.Project(ctx, ev.Project); err == nil && p != nil {
		flow = p.Flow
	}
	msgs := make([]Message, 0, len(out.Messages))
	for _, pm := range out.Messages {
		msgs = append(msgs, Message{Project: ev.Project, Flow: flow, EventType: ev.Type, Notification: pm.Notification.Key,
			Template: pm.Notification.Template, Channel: cmp.Or(pm.Channel, model.ChannelEmail), Recipient: who(pm.To.Address), Email: pm.To.Address.Email,
			CC: whoRecipients(pm.CC), BCC: whoRecipients(pm.BCC), Status: pm.Status, Reason: string(pm.Reason)})
	}
	return msgs
}

// who names a recipient: its contact, else its address.
func who(a model.Address) string {
	if a.ContactID != "" {
		return a.ContactID
	}
	return strings.ToLower(a.Email)
}

func whoAll(as []model.Address) []string {
	var out []string
	for _, a := range as {
		out = append(out, who(a))
	}
	return out
}

func whoRecipients(rs []plan.Recipient) []string {
	var out []string
	for _, r := range rs {
		out = append(out, who(r.Address))
	}
	return out
}

// Change kinds.
const (
	ChangeAdded   = "added"
	ChangeRemoved = "removed"
	ChangeChanged = "changed"
)

// Changed fields of a changed message.
const (
	FieldRecipient = "recipient"
	FieldCopies    = "copies"
	FieldStatus    = "status"
	FieldTemplate  = "template"
	FieldChannel   = "channel"
)

// change is one message that differs between two plans of one event.
type change struct {
	kind          string
	before, after *Message
	fields        []string
}

// diff compares two plans of one event, per group: messages to the same
// recipient are compared field by field; of the rest, as many as both
// sides have are paired in order as a changed recipient, and what remains
// is removed or added.
func diff(a, b []Message) []change {
	var out []change
	var order []groupKey
	groups := map[groupKey][2][]*Message{}
	for side, list := range [2][]Message{a, b} {
		for i := range list {
			k := list[i].key()
			g, ok := groups[k]
			if !ok {
				order = append(order, k)
			}
			g[side] = append(g[side], &list[i])
			groups[k] = g
		}
	}
	for _, k := range order {
		olds, news := groups[k][0], groups[k][1]
		var restOld []*Message
		used := make([]bool, len(news))
		for _, o := range olds {
			j := -1
			for jj, n := range news {
				if !used[jj] && n.Recipient == o.Recipient && n.Channel == o.Channel {
					j = jj
					break
				}
			}
			if j < 0 {
				restOld = append(restOld, o)
				continue
			}
			used[j] = true
			if f := fields(o, news[j]); len(f) > 0 {
				out = append(out, change{kind: ChangeChanged, before: o, after: news[j], fields: f})
			}
		}
		var restNew []*Message
		for j, n := range news {
			if !used[j] {
				restNew = append(restNew, n)
			}
		}
		for i := range max(len(restOld), len(restNew)) {
			switch {
			case i >= len(restNew):
				out = append(out, change{kind: ChangeRemoved, before: restOld[i]})
			case i >= len(restOld):
				out = append(out, change{kind: ChangeAdded, after: restNew[i]})
			default:
				out = append(out, change{kind: ChangeChanged, before: restOld[i], after: restNew[i], fields: fields(restOld[i], restNew[i])})
			}
		}
	}
	return out
}

// fields lists what differs between two messages of one group.
func fields(a, b *Message) []string {
	var out []string
	if a.Recipient != b.Recipient {
		out = append(out, FieldRecipient)
	}
	if a.Channel != b.Channel {
		out = append(out, FieldChannel)
	}
	if !slices.Equal(a.CC, b.CC) || !slices.Equal(a.BCC, b.BCC) {
		out = append(out, FieldCopies)
	}
	if !sameStatus(a, b) {
		out = append(out, FieldStatus)
	}
	if a.Template != b.Template {
		out = append(out, FieldTemplate)
	}
	return out
}

// sameStatus compares the planner's decisions: a message that failed to
// render was planned to be sent (queued or held for confirmation), which
// is all a replay, rendering nothing, can say.
func sameStatus(a, b *Message) bool {
	if a.Status == model.MsgFailed || b.Status == model.MsgFailed {
		sendable := func(m *Message) bool {
			return m.Status == model.MsgFailed || m.Status == model.MsgQueued || m.Status == model.MsgAwaitingConfirmation
		}
		return sendable(a) && sendable(b)
	}
	return a.Status == b.Status && a.Reason == b.Reason
}

// groupKey identifies a group: one notification of one flow, as used by
// one project.
type groupKey struct{ project, flow, eventType, notification string }

// aggregator sums the comparison of every event into groups, keeping a
// few examples each; its size is bounded by the configurations, not by
// the events.
type aggregator struct {
	examples int
	groups   map[groupKey]*Group
}

func newAggregator(examples int) *aggregator {
	return &aggregator{examples: examples, groups: map[groupKey]*Group{}}
}

func (a *aggregator) group(k groupKey) *Group {
	g := a.groups[k]
	if g == nil {
		g = &Group{Project: k.project, Flow: k.flow, EventType: k.eventType, Notification: k.notification}
		a.groups[k] = g
	}
	return g
}

// event adds one event: recorded are its recorded messages, current and
// proposed the messages the two configurations plan for it now.
func (a *aggregator) event(ev *model.Event, recorded, current, proposed []Message) {
	for i := range recorded {
		a.group(recorded[i].key()).Before++
	}
	for i := range proposed {
		a.group(proposed[i].key()).After++
	}
	for _, c := range diff(current, proposed) {
		g := a.group(c.group())
		switch c.kind {
		case ChangeAdded:
			g.Added++
		case ChangeRemoved:
			g.Removed++
		default:
			g.Changed++
		}
		if len(g.Examples) < a.examples {
			g.Examples = append(g.Examples, c.example(ev))
		}
	}
	for _, c := range diff(recorded, current) {
		g := a.group(c.group())
		g.Drift++
		if len(g.DriftExamples) < a.examples {
			g.DriftExamples = append(g.DriftExamples, c.example(ev))
		}
	}
}

// group is the group a change counts in: the message's as it was, or as
// it is for an added one.
func (c change) group() groupKey {
	if c.before != nil {
		return c.before.key()
	}
	return c.after.key()
}

func (c change) example(ev *model.Event) Example {
	return Example{Event: ev.ID, ReceivedAt: ev.ReceivedAt, Change: c.kind, Fields: c.fields, Before: c.before, After: c.after}
}

// Example is one message that differs, with its event.
type Example struct {
	Event      string    `json:"event"`
	ReceivedAt time.Time `json:"received_at"`
	// Change is added, removed or changed.
	Change string `json:"change"`
	// Fields are what changed: recipient, copies, status, template.
	Fields []string `json:"fields,omitempty"`
	Before *Message `json:"before,omitempty"`
	After  *Message `json:"after,omitempty"`
}
