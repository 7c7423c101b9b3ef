package plan

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
)

// TestSummaryFromTheContactsFrequency: the planner collects a queued
// e-mail into the daily or weekly summary from the frequency the contact
// (its input) chose for the category, closing at the workspace's summary
// time (08:00 unless set) in the contact's zone; not a transactional mail, not a literal address, not a message
// awaiting confirmation, and a notification with its own digest keeps it.
func TestSummaryFromTheContactsFrequency(t *testing.T) {
	daily := func(freq string) func(*model.Contact) {
		return func(c *model.Contact) {
			c.Consents = []string{"news", "transactional"}
			c.Timezone = "America/New_York"
			c.Preferences = []model.Preference{{Category: "news", Setting: model.SettingFrequency, Value: freq},
				{Category: model.CategoryTransactional, Setting: model.SettingFrequency, Value: freq}}
		}
	}
	own := &model.Digest{Window: model.DigestWindow{Type: model.DigestFixed, Duration: "1h"}}
	for _, tt := range []struct {
		name      string
		freq      string
		mod       func(*model.Notification)
		allowed   []string // the workspace's frequencies for news; nil: daily and weekly
		summary   string
		code      model.StepCode
		closesAt  string
		ownDigest bool
		schedule  model.SummarySchedule // the workspace's; zero: 08:00, Mondays
	}{
		{name: "daily", freq: "daily", summary: "daily", code: model.StepSummaryCollected, closesAt: "2026-03-02T13:00:00Z"},
		{name: "weekly", freq: "weekly", summary: "weekly", code: model.StepSummaryCollected, closesAt: "2026-03-02T13:00:00Z"}, // a Monday, 04:00 in New York,
		{name: "daily at the workspace's 17:30", freq: "daily", summary: "daily", code: model.StepSummaryCollected,
			closesAt: "2026-03-02T22:30:00Z", schedule: model.SummarySchedule{At: "17:30"}}, // 17:30 EST
		{name: "weekly on the workspace's Friday", freq: "weekly", summary: "weekly", code: model.StepSummaryCollected,
			closesAt: "2026-03-06T22:30:00Z", schedule: model.SummarySchedule{At: "17:30", Weekday: "friday"}},
		{name: "instantly", freq: "instantly", code: model.StepMessageQueued},
		{name: "transactional", freq: "daily", code: model.StepMessageQueued,
			mod: func(n *model.Notification) { n.Category = model.CategoryTransactional }},
		{name: "awaiting confirmation", freq: "daily", code: model.StepMessageAwaiting,
			mod: func(n *model.Notification) { n.Status = model.StatusConfirm }},
		{name: "own digest", freq: "daily", code: model.StepDigestCollected, ownDigest: true,
			mod: func(n *model.Notification) { n.Digest = own }},
		{name: "daily no longer allowed", freq: "daily", allowed: []string{"weekly"}, code: model.StepMessageQueued},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := baseInput()
			allowed := tt.allowed
			if allowed == nil {
				allowed = []string{"daily", "weekly"}
			}
			in.Workspace.SummarySchedule = tt.schedule
			in.Workspace.Vocabulary.CategoryDetails = map[string]model.CategoryDetail{"news": {Frequencies: allowed}}
			in.Contacts["nina"] = contact("nina", "nina@example.org", daily(tt.freq))
			in.Flow.Notifications = []model.Notification{notif("n", "job.requested", func(n *model.Notification) {
				n.Recipients = []model.Recipient{"contact:nina", "email:lit@example.org"}
				n.Category = "news"
				n.Status = model.StatusActive
				if tt.mod != nil {
					tt.mod(n)
				}
			})}
			out := Plan(context.Background(), in, celEval{})
			require.Len(t, out.Messages, 2)
			m := out.Messages[0]
			s := out.Trace[m.Step]
			require.Equal(t, tt.code, s.Code)
			require.Equal(t, tt.summary, m.Summary)
			require.Equal(t, tt.closesAt, s.Params["closes_at"])
			if tt.summary != "" {
				require.Equal(t, "news", s.Params["summary_key"])
				require.Equal(t, model.FrequencyDigest(tt.freq, tt.schedule), m.Digest)
			}
			if tt.ownDigest {
				require.Same(t, own, m.Digest)
			}
			lit := out.Messages[1]
			require.Empty(t, lit.Summary, "a literal address has no preferences")
		})
	}
}
