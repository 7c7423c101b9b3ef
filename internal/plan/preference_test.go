package plan

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/condition"
	"github.com/herold-dev/herold/internal/model"
)

// TestPreferencePerChannel: a contact's preference opts out of one
// channel of a category and not the other; an explicit opt-in is consent
// for its channel; the trace names who opted out and when, so explain can
// cite the ledger; transactional mail ignores preferences.
func TestPreferencePerChannel(t *testing.T) {
	env, err := condition.New()
	require.NoError(t, err)
	at := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
	type got struct {
		channel string
		status  model.MessageStatus
		reason  model.SuppressReason
		source  string
	}
	tests := []struct {
		name     string
		category string
		prefs    []model.Preference
		want     []got
	}{
		{name: "e-mail out, in-app in", category: "birthday",
			prefs: []model.Preference{{Category: "birthday", Setting: "email", Value: "out", Source: model.PrefByPage, At: at}},
			want: []got{{"email", model.MsgSuppressed, model.ReasonOptedOut, "page"},
				{"inapp", model.MsgQueued, "", ""}}},
		{name: "in-app out, e-mail in", category: "birthday",
			prefs: []model.Preference{{Category: "birthday", Setting: "inapp", Value: "out", Source: model.PrefByAPI, At: at}},
			want: []got{{"email", model.MsgQueued, "", ""},
				{"inapp", model.MsgSuppressed, model.ReasonOptedOut, "api"}}},
		{name: "opt-in is consent for its channel only", category: "newsletter",
			prefs: []model.Preference{{Category: "newsletter", Setting: "email", Value: "in", Source: model.PrefByPage, At: at}},
			want: []got{{"email", model.MsgQueued, "", ""},
				{"inapp", model.MsgSuppressed, model.ReasonNoConsent, ""}}},
		{name: "another category's preference does not count", category: "birthday",
			prefs: []model.Preference{{Category: "newsletter", Setting: "email", Value: "out", Source: model.PrefByPage, At: at}},
			want:  []got{{"email", model.MsgQueued, "", ""}, {"inapp", model.MsgQueued, "", ""}}},
		{name: "transactional ignores preferences", category: "transactional",
			prefs: []model.Preference{{Category: "transactional", Setting: "email", Value: "out", Source: model.PrefByPage, At: at}},
			want:  []got{{"email", model.MsgQueued, "", ""}, {"inapp", model.MsgQueued, "", ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := baseInput()
			c := *in.Contacts["emil"]
			c.OptOuts, c.Preferences = nil, tt.prefs
			in.Contacts["emil"] = &c
			n := notif("n", "job.requested", func(n *model.Notification) {
				n.Channels, n.Recipients, n.Category = []string{"email", "inapp"}, []model.Recipient{"contact:emil"}, tt.category
			})
			in.Flow.Notifications = []model.Notification{n}
			out := Plan(context.Background(), in, celEval{env})
			var msgs []got
			for _, m := range out.Messages {
				p := out.Trace[m.Step].Params
				msgs = append(msgs, got{m.Channel, m.Status, m.Reason, p["pref_source"]})
				if p["pref_source"] != "" {
					require.Equal(t, "2026-12-01T09:30:00Z", p["pref_at"])
					require.Equal(t, m.Channel, p["pref_channel"])
				}
			}
			require.Equal(t, tt.want, msgs)
		})
	}
}
