package plan

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/condition"
	"github.com/herold-dev/herold/internal/model"
)

// TestPlanSuppressionList: an active entry of the suppression list
// suppresses its address with the entry's reason, for transactional mail
// too, as To and as CC, and names the entry in the trace; an entry that
// expired a moment ago, or one for another address, does not.
func TestPlanSuppressionList(t *testing.T) {
	t.Parallel()
	env, err := condition.New()
	require.NoError(t, err)
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	justExpired := now
	stillOn := now.Add(time.Millisecond)
	tests := []struct {
		name   string
		entry  *model.Suppression
		want   model.SuppressReason
		params map[string]string
	}{
		{"hard bounce", &model.Suppression{Email: "anna@example.org", Kind: model.SuppressionHardBounce, Evidence: "550 5.1.1 user unknown", CreatedAt: at},
			model.ReasonBounced, map[string]string{"kind": "hard_bounce", "since": "2026-12-01T10:00:00Z", "evidence": "550 5.1.1 user unknown"}},
		{"soft bounces", &model.Suppression{Email: "anna@example.org", Kind: model.SuppressionSoftBounces, CreatedAt: at},
			model.ReasonBounced, map[string]string{"kind": "soft_bounces"}},
		{"complaint", &model.Suppression{Email: "ANNA@example.org", Kind: model.SuppressionComplaint, CreatedAt: at},
			model.ReasonComplained, map[string]string{"kind": "complaint"}},
		{"manual, expiring a millisecond from now", &model.Suppression{Email: "anna@example.org", Kind: model.SuppressionManual, CreatedAt: at, ExpiresAt: &stillOn},
			model.ReasonBlocked, map[string]string{"kind": "manual"}},
		{"expired at this very moment", &model.Suppression{Email: "anna@example.org", Kind: model.SuppressionManual, CreatedAt: at, ExpiresAt: &justExpired},
			"", nil},
		{"another address", &model.Suppression{Email: "anna@example.com", Kind: model.SuppressionManual, CreatedAt: at},
			"", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := baseInput()
			in.Event.Actors = map[string][]string{"promoter": {"anna"}}
			in.Flow.Notifications = []model.Notification{notif("n", "job.requested", func(n *model.Notification) {
				n.Category = model.CategoryTransactional
				n.CC = []model.Recipient{"email:anna@example.org"}
				n.Recipients = []model.Recipient{"role:promoter", "email:ben@example.org"}
			})}
			in.Suppressions = map[string]*model.Suppression{model.SuppressionKey(tt.entry.Email): tt.entry}
			out := Plan(context.Background(), in, celEval{env})
			require.Len(t, out.Messages, 2)
			anna := out.Messages[0]
			require.Equal(t, "anna@example.org", anna.To.Address.Email)
			require.Equal(t, tt.want, anna.Reason)
			var steps []model.Step
			for _, s := range out.Trace {
				if s.Code == model.StepRecipientSuppressed {
					steps = append(steps, s)
				}
			}
			if tt.want == "" {
				require.Equal(t, model.MsgQueued, anna.Status)
				require.Empty(t, steps)
				return
			}
			require.Equal(t, model.MsgSuppressed, anna.Status)
			require.Len(t, steps, 2, "suppressed as CC (of ben's message) and as To (to anna)")
			require.Equal(t, []string{"cc", "to"}, []string{steps[0].Params["field"], steps[1].Params["field"]})
			for _, s := range steps {
				require.Equal(t, string(tt.want), s.Params["reason"])
				for k, v := range tt.params {
					require.Equal(t, v, s.Params[k], k)
				}
			}
			ben := out.Messages[1]
			require.Equal(t, model.MsgQueued, ben.Status)
			require.Empty(t, ben.CC, "the listed CC is dropped from ben's message")
		})
	}
}

// TestSuppressionEmails: contacts' addresses and the flow's literal
// addresses, each once, in lower case.
func TestSuppressionEmails(t *testing.T) {
	t.Parallel()
	cs := map[string]*model.Contact{"a": contact("a", "Anna@Example.org"), "c": contact("c", "")}
	flow := &model.Flow{Notifications: []model.Notification{
		notif("n", "x", func(n *model.Notification) {
			n.Recipients = []model.Recipient{"email:Dispo <dispo@agentur.example>", "email:anna@example.org"}
			n.BCC = []model.Recipient{"email:archiv@example.org"}
		}),
	}}
	require.ElementsMatch(t, []string{"anna@example.org", "dispo@agentur.example", "archiv@example.org"}, SuppressionEmails(cs, flow))
}

// TestPlanNonBareContactAddress: a contact whose address was stored as
// "<Anna@Example.org>" (before bare addresses were required) is checked
// against the suppression list and the duplicate check by its bare
// address: listed, it is suppressed; reached also as a literal address,
// it is mailed once.
func TestPlanNonBareContactAddress(t *testing.T) {
	t.Parallel()
	env, err := condition.New()
	require.NoError(t, err)
	in := baseInput()
	in.Contacts["anna"].Email = "<Anna@Example.org>"
	in.Event.Actors = map[string][]string{"promoter": {"anna"}}
	in.Flow.Notifications = []model.Notification{notif("n", "job.requested", func(n *model.Notification) {
		n.Recipients = []model.Recipient{"role:promoter", "email:anna@example.org", "email:ben@example.org"}
	})}
	out := Plan(context.Background(), in, celEval{env})
	require.Len(t, out.Messages, 2, "anna once, ben once")
	require.Equal(t, model.MsgQueued, out.Messages[0].Status)
	require.True(t, hasStep(out.Trace, model.StepRecipientDuplicate))

	entry := &model.Suppression{Email: "anna@example.org", Kind: model.SuppressionComplaint, CreatedAt: now}
	in.Suppressions = map[string]*model.Suppression{model.SuppressionKey(entry.Email): entry}
	require.Equal(t, []string{"anna@example.org", "ben@example.org"},
		SuppressionEmails(map[string]*model.Contact{"anna": in.Contacts["anna"]}, in.Flow))
	out = Plan(context.Background(), in, celEval{env})
	require.Len(t, out.Messages, 2)
	require.Equal(t, "anna", out.Messages[0].To.Address.ContactID)
	require.Equal(t, model.ReasonComplained, out.Messages[0].Reason)
}

func hasStep(trace []model.Step, code model.StepCode) bool {
	for _, s := range trace {
		if s.Code == code {
			return true
		}
	}
	return false
}
