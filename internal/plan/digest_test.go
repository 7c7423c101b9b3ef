package plan

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
)

// TestDigestCollectsQueuedMailsOnly: a notification with a digest plans
// its queued e-mails as collected (step digest.collected with the key
// template and window, the message carrying the spec); a suppressed
// recipient stays suppressed and is not collected.
func TestDigestCollectsQueuedMailsOnly(t *testing.T) {
	in := baseInput()
	spec := &model.Digest{Key: "{{ .object.id }}", Window: model.DigestWindow{Type: model.DigestFixed, Duration: "1h"}, MaxItems: 5}
	in.Flow.Notifications = []model.Notification{notif("n", "job.requested", func(n *model.Notification) {
		n.Recipients = []model.Recipient{"contact:anna", "contact:clara"}
		n.Digest = spec
	})}
	out := Plan(context.Background(), in, celEval{})
	var collected, suppressed int
	for _, m := range out.Messages {
		switch m.Status {
		case model.MsgQueued:
			collected++
			require.Equal(t, "anna", m.To.Contact.ID)
			require.Same(t, spec, m.Digest)
			s := out.Trace[m.Step]
			require.Equal(t, model.StepDigestCollected, s.Code)
			require.Equal(t, map[string]string{"key": "{{ .object.id }}", "window": "fixed", "max_items": "5"},
				map[string]string{"key": s.Params["key"], "window": s.Params["window"], "max_items": s.Params["max_items"]})
		case model.MsgSuppressed:
			suppressed++
			require.Nil(t, m.Digest)
		}
	}
	require.Equal(t, 1, collected)
	require.Equal(t, 1, suppressed)
}
