package plan

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/condition"
	"github.com/herold-dev/herold/internal/model"
)

// TestWebhookChannel: the webhook channel plans one post per event and
// notification with all its To recipients — also those e-mail suppresses
// (consent is the receiving system's concern) — and no message; its step
// names the endpoint and the number of recipients.
func TestWebhookChannel(t *testing.T) {
	env, err := condition.New()
	require.NoError(t, err)
	in := baseInput()
	n := notif("n", "job.requested", func(n *model.Notification) {
		n.Channels, n.Webhook, n.Category = []string{"email", "webhook"}, "whe_1", "birthday"
		n.Recipients = []model.Recipient{"contact:anna", "contact:emil"}
	})
	in.Flow.Notifications = []model.Notification{n}
	out := Plan(context.Background(), in, celEval{env})

	require.Len(t, out.Messages, 2, "e-mail as before")
	require.Len(t, out.Webhooks, 1)
	require.Equal(t, "whe_1", out.Webhooks[0].Notification.Webhook)
	var to []string
	for _, r := range out.Webhooks[0].Recipients {
		to = append(to, label(r))
	}
	require.Equal(t, []string{"anna", "emil"}, to)
	var steps []model.Step
	for _, s := range out.Trace {
		if s.Code == model.StepWebhookQueued {
			steps = append(steps, s)
		}
	}
	require.Equal(t, []model.Step{{Code: model.StepWebhookQueued, Notification: "n",
		Params: map[string]string{"endpoint": "whe_1", "recipients": "2"}}}, steps)

	n.Channels = []string{"email"}
	in.Flow.Notifications = []model.Notification{n}
	require.Empty(t, Plan(context.Background(), in, celEval{env}).Webhooks, "only on the webhook channel")
}
