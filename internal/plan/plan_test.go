package plan

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/condition"
	"github.com/herold-dev/herold/internal/model"
)

type celEval struct{ env *condition.Env }

func (e celEval) Eval(ctx context.Context, expr string, data map[string]any, loc *time.Location) (condition.Result, error) {
	p, err := e.env.Cached(expr)
	if err != nil {
		return condition.Result{}, err
	}
	return p.Eval(ctx, data, loc)
}

var now = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func contact(id, email string, mods ...func(*model.Contact)) *model.Contact {
	c := &model.Contact{ID: id, Email: email, Name: "Name " + id}
	for _, m := range mods {
		m(c)
	}
	c.Normalize()
	return c
}

func baseInput() Input {
	ws := &model.Workspace{ID: 1, Key: "w", DefaultLocale: "de", Timezone: "Europe/Berlin"}
	cs := map[string]*model.Contact{}
	for _, c := range []*model.Contact{
		contact("anna", "anna@example.org"),
		contact("ben", "ben@example.org"),
		contact("clara", ""),
		contact("dora", "dora(at)example"),
		contact("agency", "dispo@agentur.example"),
		contact("emil", "emil@example.org", func(c *model.Contact) { c.Consents = []string{"birthday"}; c.OptOuts = []string{"newsletter"} }),
		contact("fritz", "fritz@example.org", func(c *model.Contact) { c.Consents = []string{"birthday"}; c.OptOuts = []string{"birthday"} }),
	} {
		cs[c.ID] = c
	}
	project := &model.Project{Key: "messe", Name: "Messe", Flow: "standard",
		Members: map[string][]string{"promoter": {"anna", "ben"}, "agency": {"agency"}}}
	project.Normalize()
	return Input{
		Workspace: ws,
		Event: &model.Event{ID: "e1", Type: "job.requested", Project: "messe",
			Actors: map[string][]string{}, Data: map[string]any{"job": "Aufbau"}},
		Project: project, Contacts: cs, Now: now,
		Flow: &model.Flow{Key: "standard", Version: 4},
	}
}

func notif(key, eventType string, mods ...func(*model.Notification)) model.Notification {
	n := model.Notification{Key: key, EventType: eventType, Template: "t", Recipients: []model.Recipient{"role:promoter"}}
	for _, m := range mods {
		m(&n)
	}
	n.Normalize()
	return n
}

type wantMsg struct {
	to     string
	status model.MessageStatus
	reason model.SuppressReason
	cc     []string
	bcc    []string
}

func codes(steps []model.Step) []model.StepCode {
	out := make([]model.StepCode, len(steps))
	for i, s := range steps {
		out[i] = s.Code
	}
	return out
}

func emails(as []Recipient) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Address.Email)
	}
	return out
}

func TestPlan(t *testing.T) {
	t.Parallel()
	env, err := condition.New()
	require.NoError(t, err)
	eval := celEval{env}
	tests := []struct {
		name      string
		in        func(*Input)
		wantCodes []model.StepCode
		wantMsgs  []wantMsg
	}{
		{
			name:      "unknown project",
			in:        func(in *Input) { in.Project, in.Flow = nil, nil },
			wantCodes: []model.StepCode{model.StepEventReceived, model.StepProjectUnknown},
		},
		{
			name:      "project without flow",
			in:        func(in *Input) { in.Project.Flow, in.Flow = "", nil },
			wantCodes: []model.StepCode{model.StepEventReceived, model.StepProjectNoFlow},
		},
		{
			name: "no notification for the event type",
			in: func(in *Input) {
				in.Flow.Notifications = []model.Notification{notif("booked", "booking.confirmed")}
			},
			wantCodes: []model.StepCode{model.StepEventReceived, model.StepFlowUsed, model.StepNotificationOther, model.StepFlowNoNotification},
		},
		{
			name: "inactive notification",
			in: func(in *Input) {
				in.Flow.Notifications = []model.Notification{notif("n", "job.requested", func(n *model.Notification) { n.Status = model.StatusInactive })}
			},
			wantCodes: []model.StepCode{model.StepEventReceived, model.StepFlowUsed, model.StepNotificationInactive},
		},
		{
			name: "condition false",
			in: func(in *Input) {
				in.Flow.Notifications = []model.Notification{notif("n", "job.requested", func(n *model.Notification) { n.Condition = "data.job == 'Abbau'" })}
			},
			wantCodes: []model.StepCode{model.StepEventReceived, model.StepFlowUsed, model.StepConditionFalse},
		},
		{
			name: "condition on a missing field is an error, recorded",
			in: func(in *Input) {
				in.Flow.Notifications = []model.Notification{notif("n", "job.requested", func(n *model.Notification) { n.Condition = "data.city == 'Köln'" })}
			},
			wantCodes: []model.StepCode{model.StepEventReceived, model.StepFlowUsed, model.StepConditionError},
		},
		{
			name: "actors take precedence over project members",
			in: func(in *Input) {
				in.Event.Actors = map[string][]string{"promoter": {"ben"}}
				in.Flow.Notifications = []model.Notification{notif("n", "job.requested")}
			},
			wantCodes: []model.StepCode{model.StepEventReceived, model.StepFlowUsed, model.StepNotificationMatched, model.StepMessageQueued},
			wantMsgs:  []wantMsg{{to: "ben@example.org", status: model.MsgQueued}},
		},
		{
			name: "project members without actors, with BCC to the agency",
			in: func(in *Input) {
				in.Flow.Notifications = []model.Notification{notif("n", "job.requested", func(n *model.Notification) { n.BCC = []model.Recipient{"role:agency"} })}
			},
			wantCodes: []model.StepCode{model.StepEventReceived, model.StepFlowUsed, model.StepNotificationMatched, model.StepMessageQueued, model.StepMessageQueued},
			wantMsgs: []wantMsg{
				{to: "anna@example.org", status: model.MsgQueued, bcc: []string{"dispo@agentur.example"}},
				{to: "ben@example.org", status: model.MsgQueued, bcc: []string{"dispo@agentur.example"}},
			},
		},
		{
			name: "one person in two roles gets one message",
			in: func(in *Input) {
				in.Event.Actors = map[string][]string{"promoter": {"anna"}, "lead": {"anna"}}
				in.Flow.Notifications = []model.Notification{notif("n", "job.requested", func(n *model.Notification) {
					n.Recipients = []model.Recipient{"role:promoter", "role:lead", "email:ANNA@example.org"}
				})}
			},
			wantCodes: []model.StepCode{model.StepEventReceived, model.StepFlowUsed, model.StepNotificationMatched,
				model.StepRecipientDuplicate, model.StepRecipientDuplicate, model.StepMessageQueued},
			wantMsgs: []wantMsg{{to: "anna@example.org", status: model.MsgQueued}},
		},
		{
			name: "cc and bcc de-duplicated against to and each other",
			in: func(in *Input) {
				in.Event.Actors = map[string][]string{"promoter": {"anna"}}
				in.Flow.Notifications = []model.Notification{notif("n", "job.requested", func(n *model.Notification) {
					n.CC = []model.Recipient{"role:promoter", "contact:ben"}
					n.BCC = []model.Recipient{"contact:ben", "role:agency"}
				})}
			},
			wantCodes: []model.StepCode{model.StepEventReceived, model.StepFlowUsed, model.StepNotificationMatched, model.StepMessageQueued},
			wantMsgs:  []wantMsg{{to: "anna@example.org", status: model.MsgQueued, cc: []string{"ben@example.org"}, bcc: []string{"dispo@agentur.example"}}},
		},
		{
			name: "suppression reasons: no address, invalid address",
			in: func(in *Input) {
				in.Event.Actors = map[string][]string{"promoter": {"clara", "dora", "anna"}}
				in.Flow.Notifications = []model.Notification{notif("n", "job.requested")}
			},
			wantCodes: []model.StepCode{model.StepEventReceived, model.StepFlowUsed, model.StepNotificationMatched,
				model.StepRecipientSuppressed, model.StepRecipientSuppressed, model.StepMessageQueued},
			wantMsgs: []wantMsg{
				{to: "", status: model.MsgSuppressed, reason: model.ReasonNoEmail},
				{to: "dora(at)example", status: model.MsgSuppressed, reason: model.ReasonInvalidEmail},
				{to: "anna@example.org", status: model.MsgQueued},
			},
		},
		{
			name: "consent category: consent missing, opted out, given",
			in: func(in *Input) {
				in.Event.Actors = map[string][]string{"member": {"anna", "fritz", "emil"}}
				in.Flow.Notifications = []model.Notification{notif("n", "job.requested", func(n *model.Notification) {
					n.Category, n.Recipients = "birthday", []model.Recipient{"role:member", "email:office@verein.example"}
				})}
			},
			wantCodes: []model.StepCode{model.StepEventReceived, model.StepFlowUsed, model.StepNotificationMatched,
				model.StepRecipientSuppressed, model.StepRecipientSuppressed, model.StepMessageQueued, model.StepMessageQueued},
			wantMsgs: []wantMsg{
				{to: "anna@example.org", status: model.MsgSuppressed, reason: model.ReasonNoConsent},
				{to: "fritz@example.org", status: model.MsgSuppressed, reason: model.ReasonOptedOut},
				{to: "emil@example.org", status: model.MsgQueued},
				{to: "office@verein.example", status: model.MsgQueued},
			},
		},
		{
			name: "transactional mail ignores consent and opt-outs",
			in: func(in *Input) {
				in.Event.Actors = map[string][]string{"member": {"fritz"}}
				in.Flow.Notifications = []model.Notification{notif("n", "job.requested", func(n *model.Notification) {
					n.Recipients = []model.Recipient{"role:member"}
				})}
			},
			wantCodes: []model.StepCode{model.StepEventReceived, model.StepFlowUsed, model.StepNotificationMatched, model.StepMessageQueued},
			wantMsgs:  []wantMsg{{to: "fritz@example.org", status: model.MsgQueued}},
		},
		{
			name: "confirm holds the message",
			in: func(in *Input) {
				in.Event.Actors = map[string][]string{"promoter": {"anna"}}
				in.Flow.Notifications = []model.Notification{notif("n", "job.requested", func(n *model.Notification) { n.Status = model.StatusConfirm })}
			},
			wantCodes: []model.StepCode{model.StepEventReceived, model.StepFlowUsed, model.StepNotificationMatched, model.StepMessageAwaiting},
			wantMsgs:  []wantMsg{{to: "anna@example.org", status: model.MsgAwaitingConfirmation}},
		},
		{
			name: "empty role, unknown contact, no object for subscribers",
			in: func(in *Input) {
				in.Flow.Notifications = []model.Notification{notif("n", "job.requested", func(n *model.Notification) {
					n.Recipients = []model.Recipient{"role:driver", "contact:ghost", "subscribers"}
				})}
			},
			wantCodes: []model.StepCode{model.StepEventReceived, model.StepFlowUsed, model.StepNotificationMatched,
				model.StepRoleEmpty, model.StepContactUnknown, model.StepNoObject, model.StepNoRecipients},
		},
		{
			name: "object links and subscribers",
			in: func(in *Input) {
				in.Event.Object = &model.ObjectRef{Collection: "tasks", ID: "t1"}
				in.Object = &model.Object{Collection: "tasks", ID: "t1", Contacts: map[string][]string{"assignee": {"ben"}}, Subscribers: []string{"anna", "ben"}}
				in.Flow.Notifications = []model.Notification{notif("n", "job.requested", func(n *model.Notification) {
					n.Recipients = []model.Recipient{"role:assignee", "subscribers"}
					n.Condition = "object.id == 't1'"
				})}
			},
			wantCodes: []model.StepCode{model.StepEventReceived, model.StepFlowUsed, model.StepNotificationMatched,
				model.StepRecipientDuplicate, model.StepMessageQueued, model.StepMessageQueued},
			wantMsgs: []wantMsg{{to: "ben@example.org", status: model.MsgQueued}, {to: "anna@example.org", status: model.MsgQueued}},
		},
		{
			name: "unknown object is recorded",
			in: func(in *Input) {
				in.Event.Object = &model.ObjectRef{Collection: "tasks", ID: "gone"}
				in.Flow.Notifications = []model.Notification{notif("n", "job.requested", func(n *model.Notification) { n.Recipients = []model.Recipient{"role:agency"} })}
			},
			wantCodes: []model.StepCode{model.StepEventReceived, model.StepFlowUsed, model.StepObjectUnknown, model.StepNotificationMatched, model.StepMessageQueued},
			wantMsgs:  []wantMsg{{to: "dispo@agentur.example", status: model.MsgQueued}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := baseInput()
			tt.in(&in)
			requirePlan(t, Plan(context.Background(), in, eval), tt.wantCodes, tt.wantMsgs)
		})
	}
}

// requirePlan checks a plan's trace codes and messages.
func requirePlan(t *testing.T, out Output, wantCodes []model.StepCode, wantMsgs []wantMsg) {
	t.Helper()
	require.Equal(t, wantCodes, codes(out.Trace), "trace: %+v", out.Trace)
	require.Len(t, out.Messages, len(wantMsgs))
	for i, w := range wantMsgs {
		m := out.Messages[i]
		require.Equal(t, w.to, m.To.Address.Email, "message %d", i)
		require.Equal(t, w.status, m.Status, "message %d", i)
		require.Equal(t, w.reason, m.Reason, "message %d", i)
		require.Equal(t, w.cc, emails(m.CC), "message %d cc", i)
		require.Equal(t, w.bcc, emails(m.BCC), "message %d bcc", i)
		require.Equal(t, m.Status == model.MsgSuppressed, out.Trace[m.Step].Code == model.StepRecipientSuppressed,
			"message %d points at its step", i)
	}
}

func TestPlanConditionValuesRecorded(t *testing.T) {
	t.Parallel()
	env, err := condition.New()
	require.NoError(t, err)
	in := baseInput()
	in.Event.Object = &model.ObjectRef{Collection: "bookings", ID: "b1"}
	in.Object = &model.Object{Collection: "bookings", ID: "b1", Attributes: map[string]any{"status": "cancelled"}}
	in.Flow.Notifications = []model.Notification{notif("n", "job.requested", func(n *model.Notification) { n.Condition = "object.status != 'cancelled'" })}
	out := Plan(context.Background(), in, celEval{env})
	last := out.Trace[len(out.Trace)-1]
	require.Equal(t, model.StepConditionFalse, last.Code)
	require.Equal(t, "cancelled", last.Values["object.status"])
	require.Equal(t, "object.status != 'cancelled'", last.Params["condition"])
}

func TestPlanIsDeterministic(t *testing.T) {
	t.Parallel()
	env, err := condition.New()
	require.NoError(t, err)
	in := baseInput()
	in.Event.Actors = map[string][]string{"promoter": {"anna", "ben"}, "lead": {"ben"}, "x": {"clara"}}
	in.Flow.Notifications = []model.Notification{notif("n", "job.requested", func(n *model.Notification) {
		n.Recipients = []model.Recipient{"role:lead", "role:promoter", "role:x"}
		n.BCC = []model.Recipient{"role:agency"}
	})}
	first := Plan(context.Background(), in, celEval{env})
	for i := 0; i < 20; i++ {
		again := Plan(context.Background(), in, celEval{env})
		require.Equal(t, first.Trace, again.Trace)
	}
	require.Equal(t, []string{"ben", "anna", "clara", "agency"}, ContactIDs(in.Event, in.Project, in.Object, in.Flow),
		"actors by sorted role, then project members by sorted role, each once")
}

// TestPlanConditionBudget: the conditions of one event share a budget of
// cost units. Once those evaluated cost it, the remaining conditions are
// not evaluated and their notifications do not apply, with the budget as
// the recorded error; a notification without a condition still applies.
// Where the budget ends depends on the conditions and data alone, so the
// same event gives the same trace every time.
func TestPlanConditionBudget(t *testing.T) {
	t.Parallel()
	env, err := condition.New()
	require.NoError(t, err)
	in := baseInput()
	in.Event.Actors = map[string][]string{"promoter": {"anna"}}
	big := make([]any, 1000)
	for i := range big {
		big[i] = i
	}
	in.Event.Data = map[string]any{"big": big}
	for i := range 5 {
		in.Flow.Notifications = append(in.Flow.Notifications, notif(fmt.Sprintf("n%d", i), "job.requested", func(n *model.Notification) {
			n.Condition = "data.big.exists(x, x == 999)" // a pass over 1,000 entries
		}))
	}
	in.Flow.Notifications = append(in.Flow.Notifications, notif("plain", "job.requested"))

	matched := func(out Output) (keys []string, errs map[string]string) {
		errs = map[string]string{}
		for _, s := range out.Trace {
			switch s.Code {
			case model.StepNotificationMatched:
				keys = append(keys, s.Notification)
			case model.StepConditionError:
				errs[s.Notification] = s.Params["error"]
			}
		}
		return keys, errs
	}
	keys, errs := matched(Plan(context.Background(), in, celEval{env}))
	require.Equal(t, []string{"n0", "n1", "n2", "n3", "n4", "plain"}, keys, "the default budget is ample")
	require.Empty(t, errs)

	p, err := env.Compile("data.big.exists(x, x == 999)")
	require.NoError(t, err)
	one, err := p.Eval(context.Background(), map[string]any{"data": in.Event.Data}, nil)
	require.NoError(t, err)
	in.ConditionBudget = 2*one.Cost + 1 // the third condition starts within it, the fourth does not
	out := Plan(context.Background(), in, celEval{env})
	keys, errs = matched(out)
	require.Equal(t, []string{"n0", "n1", "n2", "plain"}, keys)
	over := condition.OverBudget(in.ConditionBudget).Error()
	require.Equal(t, map[string]string{"n3": over, "n4": over}, errs)
	f, ok := condition.ReadFailure(over)
	require.True(t, ok)
	require.Equal(t, "over_budget", f.Kind)
	require.Equal(t, out.Trace, Plan(context.Background(), in, celEval{env}).Trace, "the same every time")
}
