package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

func init() {
	pipelineCases = append(pipelineCases, storeCase{"MessageCountByEvents", testMessageCountByEvents},
		storeCase{"EventsSilent", testEventsSilent})
}

// testMessageCountByEvents: one query counts the messages of a page of
// events by status, reason and capture, only in the asking workspace;
// events without messages have no rows, and too many ids are refused.
func testMessageCountByEvents(t *testing.T, b *bundle) {
	for _, id := range []string{"evt-a", "evt-b", "evt-none"} {
		require.NoError(t, b.s.EventInsert(b.ctx, b.ws.ID, sampleEvent(id, base)))
	}
	require.NoError(t, b.s.EventInsert(b.ctx, b.other.ID, sampleEvent("evt-other", base)))
	captured := base
	var ms []*model.Message
	for i := 1; i <= 2; i++ {
		m := sampleMessage(fmt.Sprintf("a-%d", i), "evt-a", model.MsgSent, base)
		m.CapturedAt = &captured
		ms = append(ms, m)
	}
	ms = append(ms, sampleMessage("a-3", "evt-a", model.MsgSent, base))
	suppressed := sampleMessage("a-4", "evt-a", model.MsgSuppressed, base)
	suppressed.Reason = string(model.ReasonNoConsent)
	ms = append(ms, suppressed, sampleMessage("b-1", "evt-b", model.MsgAwaitingConfirmation, base))
	require.NoError(t, b.s.MessageInsertMany(b.ctx, b.ws.ID, ms))
	require.NoError(t, b.s.MessageInsertMany(b.ctx, b.other.ID,
		[]*model.Message{sampleMessage("o-1", "evt-other", model.MsgSent, base)}))

	got, err := b.s.MessageCountByEvents(b.ctx, &store.MessageCountByEventsParams{WorkspaceID: b.ws.ID,
		EventIDs: []string{"evt-a", "evt-b", "evt-none", "evt-other"}})
	require.NoError(t, err)
	require.ElementsMatch(t, []store.EventMessageCount{
		{EventID: "evt-a", Status: model.MsgSent, Captured: true, N: 2},
		{EventID: "evt-a", Status: model.MsgSent, N: 1},
		{EventID: "evt-a", Status: model.MsgSuppressed, Reason: "no_consent", N: 1},
		{EventID: "evt-b", Status: model.MsgAwaitingConfirmation, N: 1},
	}, got, "evt-other belongs to another workspace")

	got, err = b.s.MessageCountByEvents(b.ctx, &store.MessageCountByEventsParams{WorkspaceID: b.ws.ID})
	require.NoError(t, err)
	require.Empty(t, got)

	_, err = b.s.MessageCountByEvents(b.ctx, &store.MessageCountByEventsParams{WorkspaceID: b.ws.ID,
		EventIDs: make([]string, store.MaxCountEvents+1)})
	require.Error(t, err)
}

// testEventsSilent: the events that produced no message are listed and
// counted apart (only since the given time, only in the workspace), and
// the count stops at its limit.
func testEventsSilent(t *testing.T, b *bundle) {
	for i, id := range []string{"evt-old", "evt-1", "evt-2", "evt-3", "evt-4"} {
		require.NoError(t, b.s.EventInsert(b.ctx, b.ws.ID, sampleEvent(id, base.Add(time.Duration(i)*time.Hour))))
	}
	require.NoError(t, b.s.EventInsert(b.ctx, b.other.ID, sampleEvent("evt-other", base.Add(3*time.Hour))))
	require.NoError(t, b.s.MessageInsertMany(b.ctx, b.ws.ID, []*model.Message{
		sampleMessage("m-2", "evt-2", model.MsgSuppressed, base), // a suppressed message is a message
		sampleMessage("m-4", "evt-4", model.MsgSent, base),
	}))
	since := base.Add(time.Hour)
	list, err := b.s.EventList(b.ctx, &store.EventListParams{WorkspaceID: b.ws.ID, Since: &since, Silent: true, Limit: 10})
	require.NoError(t, err)
	require.Equal(t, []string{"evt-3", "evt-1"}, idsOf(list, func(e *model.Event) string { return e.ID }))
	list, err = b.s.EventList(b.ctx, &store.EventListParams{WorkspaceID: b.ws.ID, Limit: 10})
	require.NoError(t, err)
	require.Len(t, list, 5, "without Silent every event")

	n, err := b.s.EventCountSilent(b.ctx, &store.EventCountSilentParams{WorkspaceID: b.ws.ID, Since: since, Limit: 100})
	require.NoError(t, err)
	require.Equal(t, 2, n)
	n, err = b.s.EventCountSilent(b.ctx, &store.EventCountSilentParams{WorkspaceID: b.ws.ID, Since: base, Limit: 100})
	require.NoError(t, err)
	require.Equal(t, 3, n, "evt-old counts from base on")
	n, err = b.s.EventCountSilent(b.ctx, &store.EventCountSilentParams{WorkspaceID: b.ws.ID, Since: base, Limit: 2})
	require.NoError(t, err)
	require.Equal(t, 2, n, "the count stops at the limit")
	n, err = b.s.EventCountSilent(b.ctx, &store.EventCountSilentParams{WorkspaceID: b.other.ID, Since: base, Limit: 100})
	require.NoError(t, err)
	require.Equal(t, 1, n)
}
