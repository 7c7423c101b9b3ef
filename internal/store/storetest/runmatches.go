package storetest

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// A run's page lists its matches one by one: whom each is about, why it
// was excluded or what became of its messages, paged by event id and
// filtered by outcome, in its own workspace only.
func init() {
	pipelineCases = append(pipelineCases, storeCase{"RunMatchList", testRunMatchList})
}

func testRunMatchList(t *testing.T, b *bundle) {
	run := queuedRun(t, b, b.ws, "run-1", base)
	otherRun := queuedRun(t, b, b.other, "run-2", base)
	anna := sampleContact("c-anna")
	events := make([]*model.Event, 5)
	for i := range events {
		events[i] = sampleEvent(fmt.Sprintf("e-%d", i), base)
		events[i].IdempotencyKey = fmt.Sprintf("schedule:birthdays:%d", i)
		events[i].Contact, events[i].Object = "", nil
	}
	events[0].Contact = "c-anna"
	events[1].Contact = "c-gone" // deleted since: the id stays
	events[2].Object = &model.ObjectRef{Collection: "qualifications", ID: "q-7"}
	sup := sampleMessage("m-2b", "e-2", model.MsgSuppressed, base)
	sup.Reason = string(model.ReasonOptedOut)
	require.NoError(t, b.s.WithTx(b.ctx, func(tx store.Tx) error {
		if err := tx.ContactUpsertMany(b.ctx, b.ws.ID, []*model.Contact{anna}); err != nil {
			return err
		}
		if err := tx.EventInsertMany(b.ctx, b.ws.ID, events); err != nil {
			return err
		}
		if err := tx.MessageInsertMany(b.ctx, b.ws.ID, []*model.Message{
			sampleMessage("m-0", "e-0", model.MsgSent, base), sampleMessage("m-2a", "e-2", model.MsgSent, base), sup,
			sampleMessage("m-3", "e-3", model.MsgAwaitingConfirmation, base),
		}); err != nil {
			return err
		}
		if err := tx.ScheduleRunEventsAdd(b.ctx, b.ws.ID, run.ID, []store.RunEvent{
			{EventID: "e-0"}, {EventID: "e-1"}, {EventID: "e-2"}, {EventID: "e-3"}, {EventID: "e-4", Excluded: "no_consent"}}); err != nil {
			return err
		}
		// The other workspace's run names an event id of its own.
		other := sampleEvent("e-9", base)
		other.IdempotencyKey = "schedule:birthdays:9"
		if err := tx.EventInsertMany(b.ctx, b.other.ID, []*model.Event{other}); err != nil {
			return err
		}
		return tx.ScheduleRunEventsAdd(b.ctx, b.other.ID, otherRun.ID, []store.RunEvent{{EventID: "e-9"}})
	}))

	list := func(p store.RunMatchListParams) []*store.RunMatch {
		t.Helper()
		if p.WorkspaceID == 0 {
			p.WorkspaceID = b.ws.ID
		}
		if p.RunID == "" {
			p.RunID = run.ID
		}
		if p.Limit == 0 {
			p.Limit = 10
		}
		ms, err := b.s.ScheduleRunMatchList(b.ctx, &p)
		require.NoError(t, err)
		return ms
	}
	ids := func(ms []*store.RunMatch) []string {
		return store.RunMatchEventIDs(ms)
	}

	all := list(store.RunMatchListParams{})
	require.Equal(t, []string{"e-0", "e-1", "e-2", "e-3", "e-4"}, ids(all))
	require.Equal(t, &store.RunMatch{EventID: "e-0", ContactID: "c-anna", Name: "Person c-anna", Email: "c-anna@example.org",
		Messages: []store.RunMatchMessage{{ID: "m-0", Status: model.MsgSent, Channel: "email", ToEmail: "anna@example.org", ToName: "Anna"}}}, all[0])
	require.Equal(t, &store.RunMatch{EventID: "e-1", ContactID: "c-gone", Messages: []store.RunMatchMessage{}}, all[1],
		"a contact deleted since keeps its id; no message at all")
	require.Equal(t, "qualifications", all[2].ObjectCollection)
	require.Equal(t, "q-7", all[2].ObjectID)
	require.Equal(t, []store.RunMatchMessage{
		{ID: "m-2a", Status: model.MsgSent, Channel: "email", ToEmail: "anna@example.org", ToName: "Anna"},
		{ID: "m-2b", Status: model.MsgSuppressed, Reason: "opted_out", Channel: "email", ToEmail: "anna@example.org", ToName: "Anna"}},
		all[2].Messages)
	require.Equal(t, "no_consent", all[4].Excluded)

	// Keyset pages: two, then from where the page ended.
	require.Equal(t, []string{"e-0", "e-1"}, ids(list(store.RunMatchListParams{Limit: 2})))
	require.Equal(t, []string{"e-2", "e-3"}, ids(list(store.RunMatchListParams{After: "e-1", Limit: 2})))
	require.Empty(t, list(store.RunMatchListParams{After: "e-4"}))

	// By outcome.
	require.Equal(t, []string{"e-4"}, ids(list(store.RunMatchListParams{Excluded: true})))
	require.Equal(t, []string{"e-0", "e-2"}, ids(list(store.RunMatchListParams{Statuses: []model.MessageStatus{model.MsgSent}})))
	require.Equal(t, []string{"e-2"}, ids(list(store.RunMatchListParams{Statuses: []model.MessageStatus{model.MsgSuppressed}})))
	require.Equal(t, []string{"e-2", "e-3"}, ids(list(store.RunMatchListParams{
		Statuses: []model.MessageStatus{model.MsgSuppressed, model.MsgAwaitingConfirmation}})))
	require.Equal(t, []string{"e-3"}, ids(list(store.RunMatchListParams{After: "e-2",
		Statuses: []model.MessageStatus{model.MsgSuppressed, model.MsgAwaitingConfirmation}})))
	require.Empty(t, list(store.RunMatchListParams{Statuses: []model.MessageStatus{model.MsgFailed}}))

	// Workspaces see only their own runs.
	require.Empty(t, list(store.RunMatchListParams{WorkspaceID: b.other.ID}))
	require.Empty(t, list(store.RunMatchListParams{RunID: otherRun.ID}))
	require.Equal(t, []string{"e-9"}, ids(list(store.RunMatchListParams{WorkspaceID: b.other.ID, RunID: otherRun.ID})))
}
