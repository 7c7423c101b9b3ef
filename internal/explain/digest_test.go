package explain

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/i18n"
	"github.com/herold-dev/herold/internal/model"
)

// An event collected into a digest or a frequency summary says so in its
// summary — when the open one is sent, or which message the closed one
// became — next to the count of its own messages, never "no message was
// sent".
func TestDigestSummary(t *testing.T) {
	t.Parallel()
	cat, err := i18n.New()
	require.NoError(t, err)
	closes, closed := at.Add(time.Hour), at.Add(time.Hour+time.Minute)
	own := message(model.MsgSent)
	digestMsg := message(model.MsgFailed)
	digestMsg.ID = "msg-digest"
	ev := &model.Event{ID: "evt-1", Trace: []model.Step{
		{Code: model.StepDigestCollected, Notification: "n", Recipient: "anna", Params: map[string]string{"window": "fixed"}},
		{Code: model.StepSummaryCollected, Notification: "news", Recipient: "anna",
			Params: map[string]string{"summary": "daily", "summary_key": "news", "category": "news"}},
	}}
	open := &model.DigestState{ID: "d-1", Flow: "f", Notification: "n", Recipient: "anna", Key: "T-1",
		Status: "open", Total: 1, ClosesAt: closes}
	sent := &model.DigestState{ID: "d-2", Flow: model.SummaryFlow, Notification: "daily", Recipient: "anna", Key: "news",
		Status: model.DigestClosed, Total: 3, ClosesAt: closes, ClosedAt: &closed, MessageID: digestMsg.ID}
	for _, tc := range []struct {
		name    string
		digests []*model.DigestState
		msgs    []*model.Message
		lang    string
		want    string
	}{
		{"open", []*model.DigestState{open}, nil, "en",
			"This event was collected into the digest for anna / T-1, which will be sent on 2026-03-02 at 10:00 (1 item so far)."},
		{"open, German", []*model.DigestState{open}, nil, "de",
			"Dieses Ereignis wurde in die Sammelnachricht für anna / T-1 aufgenommen, die am 02.03.2026 um 10:00 versendet wird (bisher 1 Eintrag)."},
		{"closed, its message known", []*model.DigestState{sent}, []*model.Message{digestMsg}, "de",
			"Dieses Ereignis wurde in die Tageszusammenfassung für anna / news aufgenommen, die am 02.03.2026 um 10:01 abgeschlossen und zur Nachricht msg-digest wurde (Status: fehlgeschlagen)."},
		{"closed, its message another event's", []*model.DigestState{sent}, nil, "en",
			"This event was collected into the daily summary for anna / news, which closed on 2026-03-02 at 10:01 and became message msg-digest."},
		{"with a message of its own", []*model.DigestState{open, sent}, []*model.Message{own, digestMsg}, "en",
			"Messages for this event: 1 sent. " +
				"This event was collected into the digest for anna / T-1, which will be sent on 2026-03-02 at 10:00 (1 item so far). " +
				"This event was collected into the daily summary for anna / news, which closed on 2026-03-02 at 10:01 and became message msg-digest (status: failed)."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ex := New(cat).Build(ev, tc.msgs, tc.lang, time.UTC)
			New(cat).AddDigests(ex, tc.digests, tc.msgs, time.UTC)
			require.Equal(t, tc.want, ex.Summary)
		})
	}
}
