package plan

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/condition"
	"github.com/herold-dev/herold/internal/model"
)

// TestWatchers: the recipient form "watchers" (and its older name
// "subscribers", the same code path) reaches the watchers of the event's
// object in To, CC and BCC, and an object without watchers is recorded
// with its collection and id.
func TestWatchers(t *testing.T) {
	t.Parallel()
	env, err := condition.New()
	require.NoError(t, err)
	eval := celEval{env: env}
	ticket := func(in *Input, watchers ...string) {
		in.Event.Object = &model.ObjectRef{Collection: "ticket", ID: "4711"}
		in.Object = &model.Object{Collection: "ticket", ID: "4711", Subscribers: watchers}
	}
	tests := []struct {
		name       string
		in         func(in *Input)
		wantCodes  []model.StepCode
		wantMsgs   []wantMsg
		wantParams map[string]string // of the StepNoWatchers step, when set
		// toWatchers: every message is to a watcher, found via ViaWatchers.
		toWatchers bool
	}{
		{
			name: "watchers are the recipients",
			in: func(in *Input) {
				ticket(in, "anna", "ben")
				in.Flow.Notifications = []model.Notification{notif("n", "job.requested", func(n *model.Notification) {
					n.Recipients = []model.Recipient{"watchers"}
				})}
			},
			wantCodes: []model.StepCode{model.StepEventReceived, model.StepFlowUsed, model.StepNotificationMatched,
				model.StepMessageQueued, model.StepMessageQueued},
			wantMsgs:   []wantMsg{{to: "anna@example.org", status: model.MsgQueued}, {to: "ben@example.org", status: model.MsgQueued}},
			toWatchers: true,
		},
		{
			name: "subscribers is the same form",
			in: func(in *Input) {
				ticket(in, "ben")
				in.Flow.Notifications = []model.Notification{notif("n", "job.requested", func(n *model.Notification) {
					n.Recipients = []model.Recipient{"subscribers"}
				})}
			},
			wantCodes:  []model.StepCode{model.StepEventReceived, model.StepFlowUsed, model.StepNotificationMatched, model.StepMessageQueued},
			wantMsgs:   []wantMsg{{to: "ben@example.org", status: model.MsgQueued}},
			toWatchers: true,
		},
		{
			name: "watchers in CC",
			in: func(in *Input) {
				ticket(in, "ben", "agency")
				in.Flow.Notifications = []model.Notification{notif("n", "job.requested", func(n *model.Notification) {
					n.Recipients = []model.Recipient{"contact:anna"}
					n.CC = []model.Recipient{"watchers"}
				})}
			},
			wantCodes: []model.StepCode{model.StepEventReceived, model.StepFlowUsed, model.StepNotificationMatched,
				model.StepMessageQueued},
			wantMsgs: []wantMsg{{to: "anna@example.org", status: model.MsgQueued,
				cc: []string{"ben@example.org", "dispo@agentur.example"}}},
		},
		{
			name: "watchers in BCC",
			in: func(in *Input) {
				ticket(in, "ben", "agency")
				in.Flow.Notifications = []model.Notification{notif("n", "job.requested", func(n *model.Notification) {
					n.Recipients = []model.Recipient{"contact:anna"}
					n.BCC = []model.Recipient{"subscribers"}
				})}
			},
			wantCodes: []model.StepCode{model.StepEventReceived, model.StepFlowUsed, model.StepNotificationMatched,
				model.StepMessageQueued},
			wantMsgs: []wantMsg{{to: "anna@example.org", status: model.MsgQueued,
				bcc: []string{"ben@example.org", "dispo@agentur.example"}}},
		},
		{
			name: "an object without watchers",
			in: func(in *Input) {
				ticket(in)
				in.Flow.Notifications = []model.Notification{notif("n", "job.requested", func(n *model.Notification) {
					n.Recipients = []model.Recipient{"watchers"}
				})}
			},
			wantCodes: []model.StepCode{model.StepEventReceived, model.StepFlowUsed, model.StepNotificationMatched,
				model.StepNoWatchers, model.StepNoRecipients},
			wantParams: map[string]string{"collection": "ticket", "id": "4711", "field": "to"},
		},
		{
			name: "an object Herold does not know has no watchers",
			in: func(in *Input) {
				in.Event.Object = &model.ObjectRef{Collection: "ticket", ID: "4711"}
				in.Flow.Notifications = []model.Notification{notif("n", "job.requested", func(n *model.Notification) {
					n.Recipients = []model.Recipient{"role:agency"}
					n.CC = []model.Recipient{"watchers"}
				})}
			},
			wantCodes: []model.StepCode{model.StepEventReceived, model.StepFlowUsed, model.StepObjectUnknown,
				model.StepNotificationMatched, model.StepNoWatchers, model.StepMessageQueued},
			wantMsgs:   []wantMsg{{to: "dispo@agentur.example", status: model.MsgQueued}},
			wantParams: map[string]string{"collection": "ticket", "id": "4711", "field": "cc"},
		},
		{
			name: "an event without an object",
			in: func(in *Input) {
				in.Flow.Notifications = []model.Notification{notif("n", "job.requested", func(n *model.Notification) {
					n.Recipients = []model.Recipient{"watchers"}
				})}
			},
			wantCodes: []model.StepCode{model.StepEventReceived, model.StepFlowUsed, model.StepNotificationMatched,
				model.StepNoObject, model.StepNoRecipients},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := baseInput()
			tt.in(&in)
			out := Plan(context.Background(), in, eval)
			requirePlan(t, out, tt.wantCodes, tt.wantMsgs)
			for i, m := range out.Messages {
				if tt.toWatchers {
					require.Equal(t, ViaWatchers, m.To.Via, "message %d is to a watcher", i)
					require.Equal(t, ViaWatchers, out.Trace[m.Step].Params["via"])
				}
			}
			if tt.wantParams != nil {
				for _, s := range out.Trace {
					if s.Code == model.StepNoWatchers {
						require.Equal(t, tt.wantParams, s.Params)
					}
				}
			}
		})
	}
}
