package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

func init() {
	pipelineCases = append(pipelineCases, storeCase{"InsertRowsEncodedBefore", testInsertRows})
}

// testInsertRows: events and messages whose columns were encoded before
// the transaction (store.EncodeEvents, store.EncodeMessages) read back
// exactly as the ones the per-model inserts store: JSON columns, timelines,
// copies, an in-app item, and a claimed message's lease, in their own
// workspace only.
func testInsertRows(t *testing.T, b *bundle) {
	viaModel, viaRows := sampleEvent("evt-1", base), sampleEvent("evt-2", base)
	viaRows.IdempotencyKey = "booking-2"
	inApp := sampleMessage("msg-3", "evt-2", model.MsgQueued, base)
	inApp.Channel, inApp.HTML, inApp.Text = model.ChannelInApp, "", ""
	inApp.InApp = &model.InAppContent{Title: "Neue Schicht", Body: "Messe Köln", Link: "/schichten/1",
		Actions: []model.InAppAction{{Label: "Öffnen", URL: "https://example.org/s/1"}}}
	plain := []*model.Message{sampleMessage("msg-1", "evt-1", model.MsgSuppressed, base)}
	rows := []*model.Message{sampleMessage("msg-2", "evt-2", model.MsgSuppressed, base), inApp}
	claimedModel := []*model.Message{sampleMessage("msg-4", "evt-1", model.MsgQueued, base)}
	claimedRows := []*model.Message{sampleMessage("msg-5", "evt-2", model.MsgQueued, base)}
	until := base.Add(time.Minute)
	require.NoError(t, b.s.WithTx(b.ctx, func(tx store.Tx) error {
		require.NoError(t, tx.EventInsertMany(b.ctx, b.ws.ID, []*model.Event{viaModel}))
		require.NoError(t, tx.EventInsertRows(b.ctx, b.ws.ID, store.EncodeEvents([]*model.Event{viaRows})))
		require.NoError(t, tx.MessageInsertMany(b.ctx, b.ws.ID, plain))
		require.NoError(t, tx.MessageInsertRows(b.ctx, b.ws.ID, "", time.Time{}, store.EncodeMessages(rows)))
		require.NoError(t, tx.MessageInsertClaimed(b.ctx, b.ws.ID, "proc-1", until, claimedModel))
		return tx.MessageInsertRows(b.ctx, b.ws.ID, "proc-1", until, store.EncodeMessages(claimedRows))
	}))

	got, err := b.s.EventGet(b.ctx, b.ws.ID, "evt-2")
	require.NoError(t, err)
	require.Equal(t, viaRows, got)
	got, err = b.s.EventGetByIdempotencyKey(b.ctx, b.ws.ID, "booking-2")
	require.NoError(t, err)
	require.Equal(t, "evt-2", got.ID)
	_, err = b.s.EventGet(b.ctx, b.other.ID, "evt-2")
	require.ErrorIs(t, err, store.ErrNotFound)

	// The same message stored either way reads back the same.
	same := func(want *model.Message, viaModelID string) {
		t.Helper()
		gotRow, err := b.s.MessageGet(b.ctx, b.ws.ID, want.ID)
		require.NoError(t, err)
		gotModel, err := b.s.MessageGet(b.ctx, b.ws.ID, viaModelID)
		require.NoError(t, err)
		gotModel.ID, gotModel.EventID, gotModel.MessageID = gotRow.ID, gotRow.EventID, gotRow.MessageID
		require.Equal(t, gotModel, gotRow)
	}
	same(rows[0], "msg-1")
	same(claimedRows[0], "msg-4")
	got3, err := b.s.MessageGet(b.ctx, b.ws.ID, "msg-3")
	require.NoError(t, err)
	require.Equal(t, inApp.InApp, got3.InApp)
	require.Equal(t, inApp.Timeline, got3.Timeline)
	require.Equal(t, model.MsgQueued, got3.Status)
	_, err = b.s.MessageGet(b.ctx, b.other.ID, "msg-2")
	require.ErrorIs(t, err, store.ErrNotFound)

	// msg-5 was inserted claimed: a claim does not take it again, and its
	// lease is proc-1's.
	claimed, err := b.s.MessageClaim(b.ctx, &store.MessageClaimParams{Owner: "proc-2", Now: base, LeaseUntil: until, Limit: 10})
	require.NoError(t, err)
	ids := make([]string, len(claimed))
	for i, c := range claimed {
		ids[i] = c.ID
	}
	require.Equal(t, []string{"msg-3"}, ids)
	n, err := b.s.MessageLeaseRenew(b.ctx, "proc-1", []string{"msg-4", "msg-5"}, until.Add(time.Minute))
	require.NoError(t, err)
	require.Equal(t, 2, n)

	// The copies are indexed for a person's history.
	hist, err := b.s.MessageList(b.ctx, &store.MessageListParams{WorkspaceID: b.ws.ID, Email: "cc@example.org", Limit: 10})
	require.NoError(t, err)
	require.Len(t, hist, 5)
}
