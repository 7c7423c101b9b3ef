package plan

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/condition"
	"github.com/herold-dev/herold/internal/model"
)

// TestInApp: a notification on both channels plans one e-mail and one
// in-app message per recipient; in-app needs a contact (not an address)
// but no e-mail address, honours consent like e-mail, and never copies
// CC/BCC.
func TestInApp(t *testing.T) {
	env, err := condition.New()
	require.NoError(t, err)
	type got struct {
		channel, to string
		status      model.MessageStatus
		reason      model.SuppressReason
		cc          int
	}
	tests := []struct {
		name     string
		channels []string
		channel  string
		rcpts    []model.Recipient
		category string
		want     []got
	}{
		{name: "in-app only, contact without e-mail address", channels: []string{"inapp"},
			rcpts: []model.Recipient{"contact:clara"},
			want:  []got{{"inapp", "clara", model.MsgQueued, "", 0}}},
		{name: "both channels", channels: []string{"email", "inapp"},
			rcpts: []model.Recipient{"contact:anna"},
			want:  []got{{"email", "anna", model.MsgQueued, "", 1}, {"inapp", "anna", model.MsgQueued, "", 0}}},
		{name: "legacy channel field", channel: "inapp", rcpts: []model.Recipient{"contact:anna"},
			want: []got{{"inapp", "anna", model.MsgQueued, "", 0}}},
		{name: "literal address has no feed", channels: []string{"inapp"},
			rcpts: []model.Recipient{"email:x@example.org"},
			want:  []got{{"inapp", "x@example.org", model.MsgSuppressed, model.ReasonNoContact, 0}}},
		{name: "consent counts in-app", channels: []string{"inapp"}, category: "birthday",
			rcpts: []model.Recipient{"contact:anna", "contact:emil", "contact:fritz"},
			want: []got{{"inapp", "anna", model.MsgSuppressed, model.ReasonNoConsent, 0},
				{"inapp", "emil", model.MsgQueued, "", 0},
				{"inapp", "fritz", model.MsgSuppressed, model.ReasonOptedOut, 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := baseInput()
			n := notif("n", "job.requested", func(n *model.Notification) {
				n.Channels, n.Channel, n.Recipients, n.Category = tt.channels, tt.channel, tt.rcpts, tt.category
				n.CC = []model.Recipient{"contact:agency"}
			})
			in.Flow.Notifications = []model.Notification{n}
			out := Plan(context.Background(), in, celEval{env})
			var msgs []got
			for _, m := range out.Messages {
				msgs = append(msgs, got{m.Channel, label(m.To), m.Status, m.Reason, len(m.CC)})
				if m.Channel == model.ChannelInApp {
					require.Equal(t, model.ChannelInApp, out.Trace[m.Step].Params["channel"], "explain tells the channel")
				}
			}
			require.Equal(t, tt.want, msgs)
		})
	}
}
