package plan

import (
	"cmp"
	"context"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/herold-dev/herold/internal/condition"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/render"
)

// Evaluator evaluates a notification's condition against the data model.
// It must be free of side effects, and the result's Cost must depend on
// nothing but the expression and the data (see condition.Result), so that
// the condition budget ends at the same notification every time.
type Evaluator interface {
	Eval(ctx context.Context, expr string, data map[string]any, loc *time.Location) (condition.Result, error)
}

// DefaultConditionBudget is the cost units (condition.Result.Cost) the
// conditions of one event may use in all, when Input.ConditionBudget is
// not set: ten evaluations at the cost limit of one (condition's
// DefaultCostLimit), where an ordinary condition costs tens of units.
// With at most 200 notifications per flow it bounds the work one event
// can cause.
const DefaultConditionBudget = 1_000_000

// Input is everything a decision needs. The caller loads it; Plan does no
// I/O.
type Input struct {
	Workspace *model.Workspace
	Event     *model.Event
	// Project is nil when the event names an unknown project.
	Project *model.Project
	// Flow is the project's flow; nil when it has none or it is missing.
	Flow *model.Flow
	// Object is the event's object; nil when there is none or it is
	// unknown.
	Object *model.Object
	// Contacts holds every contact the event, project, object and the
	// flow's notifications name (see ContactIDs); absent ids are unknown.
	Contacts map[string]*model.Contact
	// Suppressions holds the workspace's suppression-list entries for the
	// addresses the decision may mail (see SuppressionEmails), keyed by
	// model.SuppressionKey; an absent address is not listed.
	Suppressions map[string]*model.Suppression
	Now          time.Time
	// WorkspaceData, when not nil, is Workspace.Data built once for the
	// events of a group (see model.DataInput).
	WorkspaceData map[string]any
	// Origin, when set, is the trace's first step: what made the event (a
	// schedule run, a broadcast). In a manual plan it takes the manual
	// step's place: the origin sent the notification, not a person.
	Origin *model.Step
	// ConditionBudget is the cost units the event's conditions may use in
	// all (0: DefaultConditionBudget). Once the conditions evaluated so
	// far cost that much, the others are not evaluated: their
	// notifications do not apply, with condition.OverBudget as the error.
	ConditionBudget uint64
}

// Recipient is one resolved mailbox.
type Recipient struct {
	Address model.Address
	// Contact is nil for literal addresses.
	Contact *model.Contact
	// Via says how the recipient was found, e.g. "role:promoter".
	Via string
}

// Message is one planned delivery.
type Message struct {
	Notification *model.Notification
	// Channel is model.ChannelEmail or model.ChannelInApp.
	Channel string
	To      Recipient
	CC, BCC []Recipient
	// Status is MsgQueued, MsgAwaitingConfirmation or MsgSuppressed.
	Status model.MessageStatus
	// Reason is set when Status is MsgSuppressed.
	Reason model.SuppressReason
	// Step is the index of this message's step in Output.Trace, so the
	// caller can fill in the message id once it has one.
	Step int
	// Throttles are the counters a queued message counts against (see
	// Throttle); none when its notification has no throttle rules.
	Throttles []ThrottleCounter
	// HeldUntil is when quiet hours let a queued e-mail go; zero: now.
	HeldUntil time.Time
	// Digest, when set, collects the message into a digest instead of
	// queueing it (see digest.go).
	Digest *model.Digest
	// Summary, when set, is the contact's frequency (daily, weekly) whose
	// summary Digest is (see summary.go).
	Summary string
}

// Webhook is one planned post of the webhook channel: once per event and
// notification, with all of the notification's To recipients.
type Webhook struct {
	Notification *model.Notification
	Recipients   []Recipient
}

// Output is the decision: the trace, the messages and the webhook posts.
type Output struct {
	Trace    []model.Step
	Messages []Message
	Webhooks []Webhook
	// Data is the data model the conditions saw; templates render with it
	// plus the recipient.
	Data map[string]any
}

// Plan decides what an event sends. It is a pure function of its input.
func Plan(ctx context.Context, in Input, eval Evaluator) Output {
	p := newPlanner(in, eval)
	if in.Origin != nil {
		p.step(*in.Origin)
	}
	p.run(ctx)
	return p.out
}

type planner struct {
	in   Input
	eval Evaluator
	out  Output
	// spent is what the conditions evaluated so far cost (see
	// Input.ConditionBudget).
	spent uint64
	// keyTemplates are the throttle key templates compiled so far (nil:
	// the source does not compile).
	keyTemplates map[string]*render.Compiled
}

// traceRoom is the room a trace starts with: its first steps (origin,
// event, flow) and three per notification of the flow (the notification
// and, mostly, one or two messages), at most 64. A trace that grew from
// nothing allocated each of its sizes up to its own.
func traceRoom(in Input) int {
	n := 3
	if in.Flow != nil {
		n += 3 * len(in.Flow.Notifications)
	}
	return min(n, 64)
}

func newPlanner(in Input, eval Evaluator) *planner {
	return &planner{in: in, eval: eval, out: Output{Trace: make([]model.Step, 0, traceRoom(in))}}
}

func (p *planner) step(s model.Step) int {
	p.out.Trace = append(p.out.Trace, s)
	return len(p.out.Trace) - 1
}

func (p *planner) run(ctx context.Context) {
	ev := p.in.Event
	p.step(model.Step{Code: model.StepEventReceived, Params: map[string]string{"type": ev.Type, "project": ev.Project}})
	if p.in.Project == nil {
		p.step(model.Step{Code: model.StepProjectUnknown, Params: map[string]string{"project": ev.Project}})
		return
	}
	if p.in.Project.Flow == "" {
		p.step(model.Step{Code: model.StepProjectNoFlow, Params: map[string]string{"project": p.in.Project.Key}})
		return
	}
	f := p.in.Flow
	if f == nil {
		p.step(model.Step{Code: model.StepFlowUnknown, Params: map[string]string{"project": p.in.Project.Key, "flow": p.in.Project.Flow}})
		return
	}
	p.step(model.Step{Code: model.StepFlowUsed, Params: map[string]string{"flow": f.Key, "version": strconv.Itoa(f.Version)}})
	if ev.Object != nil && p.in.Object == nil {
		p.step(model.Step{Code: model.StepObjectUnknown, Params: map[string]string{"collection": ev.Object.Collection, "id": ev.Object.ID}})
	}
	p.out.Data = p.data()
	matched := 0
	for i := range f.Notifications {
		n := &f.Notifications[i]
		if n.EventType != ev.Type {
			p.step(model.Step{Code: model.StepNotificationOther, Notification: n.Key, Params: map[string]string{"event_type": n.EventType}})
			continue
		}
		matched++
		p.notification(ctx, n)
	}
	if matched == 0 {
		types := make([]string, 0, len(f.Notifications))
		for _, n := range f.Notifications {
			if !slices.Contains(types, n.EventType) {
				types = append(types, n.EventType)
			}
		}
		p.step(model.Step{Code: model.StepFlowNoNotification, Params: map[string]string{
			"flow": f.Key, "event_type": ev.Type, "known": strings.Join(types, ", ")}})
	}
}

// data builds the data model conditions and templates see.
func (p *planner) data() map[string]any {
	ev := p.in.Event
	actors := make(map[string][]*model.Contact, len(ev.Actors))
	for role, ids := range ev.Actors {
		for _, id := range ids {
			if c := p.in.Contacts[id]; c != nil {
				actors[role] = append(actors[role], c)
			}
		}
	}
	var subject *model.Contact
	if ev.Contact != "" {
		subject = p.in.Contacts[ev.Contact]
	}
	return model.NewData(model.DataInput{Workspace: p.in.Workspace, WorkspaceData: p.in.WorkspaceData, Event: ev, Project: p.in.Project,
		Object: p.in.Object, Contact: subject, Actors: actors, Now: p.in.Now})
}

func (p *planner) notification(ctx context.Context, n *model.Notification) {
	if n.Status == model.StatusInactive {
		p.step(model.Step{Code: model.StepNotificationInactive, Notification: n.Key})
		return
	}
	if n.Condition != "" && !p.condition(ctx, n) {
		return
	}
	p.step(model.Step{Code: model.StepNotificationMatched, Notification: n.Key,
		Params: map[string]string{"template": n.Template, "status": string(n.Status), "category": n.Category}})

	to := p.resolveAll(n, "to", n.Recipients)
	if len(to) == 0 {
		p.step(model.Step{Code: model.StepNoRecipients, Notification: n.Key})
		return
	}
	if n.Sends(model.ChannelEmail) {
		cc := p.resolveAll(n, "cc", n.CC)
		bcc := p.resolveAll(n, "bcc", n.BCC)
		cc = p.deliverable(n, "cc", cc)
		bcc = p.deliverable(n, "bcc", bcc)
		for _, r := range to {
			p.message(ctx, n, r, cc, bcc)
		}
	}
	if n.Sends(model.ChannelInApp) {
		// CC and BCC are e-mail notions: the feed is the To contacts'.
		for _, r := range to {
			p.inApp(ctx, n, r)
		}
	}
	if n.Sends(model.ChannelWebhook) {
		// One post for all recipients: the receiving system decides what
		// to do for each, so consent and suppression are not applied.
		p.step(model.Step{Code: model.StepWebhookQueued, Notification: n.Key,
			Params: map[string]string{"endpoint": n.Webhook, "recipients": strconv.Itoa(len(to))}})
		p.out.Webhooks = append(p.out.Webhooks, Webhook{Notification: n, Recipients: to})
	}
}

// condition evaluates n's condition, recording why it failed, and charges
// its cost to the event's budget; once the budget is used up it evaluates
// nothing and records the budget as the error.
func (p *planner) condition(ctx context.Context, n *model.Notification) bool {
	budget := cmp.Or(p.in.ConditionBudget, DefaultConditionBudget)
	if p.spent >= budget {
		p.step(model.Step{Code: model.StepConditionError, Notification: n.Key,
			Params: map[string]string{"condition": n.Condition, "error": condition.OverBudget(budget).Error()}})
		return false
	}
	res, err := p.eval.Eval(ctx, n.Condition, p.out.Data, p.in.Workspace.Location())
	p.spent += res.Cost
	if err != nil {
		p.step(model.Step{Code: model.StepConditionError, Notification: n.Key, Values: res.Values,
			Params: map[string]string{"condition": n.Condition, "error": err.Error()}})
		return false
	}
	if !res.Match {
		p.step(model.Step{Code: model.StepConditionFalse, Notification: n.Key, Values: res.Values,
			Params: map[string]string{"condition": n.Condition}})
		return false
	}
	return true
}

// inApp plans one item in r's feed, or its suppression: a feed belongs
// to a contact, so a literal address has none; consent and opt-outs
// count as for e-mail.
func (p *planner) inApp(ctx context.Context, n *model.Notification, r Recipient) {
	m := Message{Notification: n, Channel: model.ChannelInApp, To: r}
	reason := model.ReasonNoContact
	if r.Contact != nil {
		reason = r.Contact.Suppression(n.Category, model.ChannelInApp)
	}
	if reason != "" {
		m.Status, m.Reason = model.MsgSuppressed, reason
		m.Step = p.step(model.Step{Code: model.StepRecipientSuppressed, Notification: n.Key, Recipient: label(r),
			Params: withParams(map[string]string{"reason": string(reason), "category": n.Category, "via": r.Via, "field": "to",
				"channel": model.ChannelInApp}, preferenceParams(r, n.Category, model.ChannelInApp, reason))})
		p.out.Messages = append(p.out.Messages, m)
		return
	}
	code := model.StepMessageQueued
	m.Status = model.MsgQueued
	if n.Status == model.StatusConfirm {
		code, m.Status = model.StepMessageAwaiting, model.MsgAwaitingConfirmation
	} else {
		m.Throttles = p.throttleCounters(ctx, n, r)
	}
	m.Step = p.step(model.Step{Code: code, Notification: n.Key, Recipient: label(r),
		Params: map[string]string{"via": r.Via, "channel": model.ChannelInApp}})
	p.out.Messages = append(p.out.Messages, m)
}

// message plans one delivery to r, or its suppression.
func (p *planner) message(ctx context.Context, n *model.Notification, r Recipient, cc, bcc []Recipient) {
	m := Message{Notification: n, Channel: model.ChannelEmail, To: r}
	if reason, extra := p.suppressed(n, r); reason != "" {
		m.Status, m.Reason = model.MsgSuppressed, reason
		m.Step = p.step(model.Step{Code: model.StepRecipientSuppressed, Notification: n.Key, Recipient: label(r),
			Params: withParams(map[string]string{"reason": string(reason), "category": n.Category, "via": r.Via, "field": "to"}, extra)})
		p.out.Messages = append(p.out.Messages, m)
		return
	}
	seen := map[string]bool{dedupKey(r): true}
	m.CC = without(cc, seen)
	m.BCC = without(bcc, seen)
	code := model.StepMessageQueued
	m.Status = model.MsgQueued
	if n.Status == model.StatusConfirm {
		code, m.Status = model.StepMessageAwaiting, model.MsgAwaitingConfirmation
	} else {
		m.Throttles = p.throttleCounters(ctx, n, r)
	}
	params := map[string]string{"via": r.Via, "cc": labels(m.CC), "bcc": labels(m.BCC)}
	if collect(&m, params) {
		// An item is not a message: its digest sends one, which is
		// what a throttle would do, so digests are not throttled.
		code = model.StepDigestCollected
		m.Throttles = nil
	} else if summarize(&m, params, p.in.Workspace, p.in.Now) {
		// A summary is one message per day or week: not throttled,
		// and not held (it is sent in the morning).
		code = model.StepSummaryCollected
		m.Throttles = nil
	} else {
		p.hold(n, r, &m, params)
	}
	m.Step = p.step(model.Step{Code: code, Notification: n.Key, Recipient: label(r), Params: params})
	p.out.Messages = append(p.out.Messages, m)
}

// without drops recipients already in seen and adds the rest to it.
func without(list []Recipient, seen map[string]bool) []Recipient {
	var out []Recipient
	for _, r := range list {
		k := dedupKey(r)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, r)
	}
	return out
}

// deliverable filters CC/BCC recipients that are suppressed, recording why.
func (p *planner) deliverable(n *model.Notification, field string, list []Recipient) []Recipient {
	var out []Recipient
	for _, r := range list {
		if reason, extra := p.suppressed(n, r); reason != "" {
			p.step(model.Step{Code: model.StepRecipientSuppressed, Notification: n.Key, Recipient: label(r),
				Params: withParams(map[string]string{"reason": string(reason), "category": n.Category, "via": r.Via, "field": field}, extra)})
			continue
		}
		out = append(out, r)
	}
	return out
}

// suppressed returns why r must not get n, or "", with the trace
// parameters that name a suppression-list entry: an unusable address
// first, then the workspace's suppression list, then consent and opt-outs.
func (p *planner) suppressed(n *model.Notification, r Recipient) (model.SuppressReason, map[string]string) {
	reason := Suppressed(n.Category, model.ChannelEmail, r)
	if reason == model.ReasonNoEmail || reason == model.ReasonInvalidEmail {
		return reason, nil
	}
	if listed, params := p.listed(r); listed != "" {
		return listed, params
	}
	return reason, preferenceParams(r, n.Category, model.ChannelEmail, reason)
}

// Suppressed returns why r must not get mail of category on channel, or
// "": the one rule of addresses, consent and opt-outs, for notifications
// and for the audience counts of broadcasts alike (the suppression list is
// the planner's, see suppressed).
func Suppressed(category, channel string, r Recipient) model.SuppressReason {
	if r.Address.Email == "" {
		return model.ReasonNoEmail
	}
	if !model.ValidEmail(r.Address.Email) {
		return model.ReasonInvalidEmail
	}
	if r.Contact == nil {
		return ""
	}
	return r.Contact.Suppression(category, channel)
}

func label(r Recipient) string {
	if r.Contact != nil {
		return r.Contact.ID
	}
	return r.Address.Email
}

func labels(rs []Recipient) string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = label(r)
	}
	return strings.Join(out, ", ")
}

// dedupKey identifies a person: by address when there is one (a contact and
// a literal address for the same mailbox are one person, however either
// writes it; see model.AddressKey), else by contact.
func dedupKey(r Recipient) string {
	if r.Address.Email != "" {
		return "email:" + model.AddressKey(r.Address.Email)
	}
	return "contact:" + r.Address.ContactID
}

// sortedRoles is used where map order would leak into the trace.
func sortedRoles(m map[string][]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// PlanManual decides a hand-sent notification: no flow is consulted; the
// given notification (template, recipients, category) is resolved against the
// event, its project and object like any other.
func PlanManual(ctx context.Context, in Input, n *model.Notification, eval Evaluator) Output {
	p := newPlanner(in, eval)
	if in.Origin != nil {
		p.step(*in.Origin)
	} else {
		p.step(model.Step{Code: model.StepManual, Notification: n.Key, Params: map[string]string{"template": n.Template}})
	}
	p.out.Data = p.data()
	p.notification(ctx, n)
	return p.out
}
