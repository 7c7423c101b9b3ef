package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

func init() {
	pipelineCases = append(pipelineCases, storeCase{"RecordOutcomesEncodedBefore", testRecordEncoded})
}

// testRecordEncoded: outcomes whose timeline entries were encoded before
// the transaction (store.EncodeOutcomes, as the dispatcher does) record
// the same timeline as outcomes MessageRecord encodes itself, and
// MessageRecord binds the encoded entries as given.
func testRecordEncoded(t *testing.T, b *bundle) {
	var ms []*model.Message
	for _, id := range []string{"msg-1", "msg-2", "msg-3"} {
		ms = append(ms, sampleMessage(id, "evt-1", model.MsgQueued, base))
	}
	require.NoError(t, b.s.EventInsert(b.ctx, b.ws.ID, sampleEvent("evt-1", base)))
	require.NoError(t, b.s.MessageInsertMany(b.ctx, b.ws.ID, ms))
	claimed, err := b.s.MessageClaim(b.ctx, &store.MessageClaimParams{Owner: "p1", Now: base,
		LeaseUntil: base.Add(time.Minute), Limit: 10})
	require.NoError(t, err)
	require.Len(t, claimed, 3)

	// Sub-millisecond times: the timeline stores milliseconds either way.
	started, ended := base.Add(1500*time.Microsecond), base.Add(2*time.Second+700*time.Microsecond)
	next := ended.Add(5*time.Minute + 300*time.Microsecond)
	outcome := func(id string) *store.MessageOutcome {
		return &store.MessageOutcome{WorkspaceID: b.ws.ID, ID: id, Owner: "p1", To: model.MsgRetrying, Attempts: 1,
			Reason: "smtp_4xx", LastReply: "451 4.3.0 try again", DueAt: &next, At: ended,
			Entries: []model.MessageEvent{{At: started, Status: model.MsgSending, Attempt: 1},
				{At: ended, Status: model.MsgRetrying, Attempt: 1, Detail: "451 4.3.0 „später“ <bitte>", NextAttemptAt: &next}}}
	}
	plain, encoded, bare := outcome("msg-1"), outcome("msg-2"), outcome("msg-3")
	store.EncodeOutcomes([]*store.MessageOutcome{encoded, bare})
	require.Equal(t, plain.TimelineJSON(), encoded.Timeline)
	bare.Entries = nil // the encoded entries are what is recorded
	applied, err := b.s.MessageRecord(b.ctx, []*store.MessageOutcome{plain, encoded, bare})
	require.NoError(t, err)
	require.Equal(t, []bool{true, true, true}, applied)

	want, err := b.s.MessageGet(b.ctx, b.ws.ID, "msg-1")
	require.NoError(t, err)
	require.Len(t, want.Timeline, len(ms[0].Timeline)+2)
	require.Equal(t, model.MsgRetrying, want.Timeline[len(want.Timeline)-1].Status)
	for _, id := range []string{"msg-2", "msg-3"} {
		got, err := b.s.MessageGet(b.ctx, b.ws.ID, id)
		require.NoError(t, err)
		require.Equal(t, want.Timeline, got.Timeline, id)
		require.Equal(t, want.Status, got.Status, id)
	}
}
