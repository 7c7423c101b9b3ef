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
	pipelineCases = append(pipelineCases,
		struct {
			name string
			fn   func(t *testing.T, b *bundle)
		}{"Events", testEvents},
		struct {
			name string
			fn   func(t *testing.T, b *bundle)
		}{"Messages", testMessages},
		struct {
			name string
			fn   func(t *testing.T, b *bundle)
		}{"CaptureAndStats", testCaptureAndStats},
		struct {
			name string
			fn   func(t *testing.T, b *bundle)
		}{"Purge", testPurge},
	)
}

func sampleEvent(id string, received time.Time) *model.Event {
	return &model.Event{
		ID: id, Type: "booking.confirmed", Project: "messe",
		Object:  &model.ObjectRef{Collection: "bookings", ID: "b-1"},
		Actors:  map[string][]string{"promoter": {"c-1", "c-2"}},
		Contact: "c-9", Data: map[string]any{"job": "Messe Köln", "hours": jsonNumber("8")},
		OccurredAt: received.Add(-time.Minute), ReceivedAt: received, Source: model.SourceAPI,
		Trace: []model.Step{{Code: model.StepFlowUsed, Params: map[string]string{"flow": "standard"}},
			{Code: model.StepConditionFalse, Notification: "n", Values: map[string]any{"object.status": "open"}}},
	}
}

func testEvents(t *testing.T, b *bundle) {
	e := sampleEvent("evt-1", base)
	e.IdempotencyKey = "booking-1-confirmed"
	require.NoError(t, b.s.EventInsert(b.ctx, b.ws.ID, e))
	got, err := b.s.EventGet(b.ctx, b.ws.ID, "evt-1")
	require.NoError(t, err)
	require.Equal(t, e, got)
	_, err = b.s.EventGet(b.ctx, b.other.ID, "evt-1")
	require.ErrorIs(t, err, store.ErrNotFound)

	got, err = b.s.EventGetByIdempotencyKey(b.ctx, b.ws.ID, "booking-1-confirmed")
	require.NoError(t, err)
	require.Equal(t, "evt-1", got.ID)
	_, err = b.s.EventGetByIdempotencyKey(b.ctx, b.other.ID, "booking-1-confirmed")
	require.ErrorIs(t, err, store.ErrNotFound)

	used, err := b.s.EventIdempotencyKeys(b.ctx, b.ws.ID, []string{"booking-1-confirmed", "other-key"})
	require.NoError(t, err)
	require.Equal(t, map[string]bool{"booking-1-confirmed": true}, used)
	used, err = b.s.EventIdempotencyKeys(b.ctx, b.other.ID, []string{"booking-1-confirmed"})
	require.NoError(t, err)
	require.Empty(t, used)

	dup := sampleEvent("evt-2", base)
	dup.IdempotencyKey = "booking-1-confirmed"
	require.ErrorIs(t, b.s.EventInsert(b.ctx, b.ws.ID, dup), store.ErrConflict)
	// The same key in another workspace is another event.
	require.NoError(t, b.s.EventInsert(b.ctx, b.other.ID, dup))
	// Events without a key never conflict.
	require.NoError(t, b.s.EventInsert(b.ctx, b.ws.ID, sampleEvent("evt-3", base.Add(time.Minute))))
	require.NoError(t, b.s.EventInsert(b.ctx, b.ws.ID, sampleEvent("evt-4", base.Add(2*time.Minute))))
	e5 := sampleEvent("evt-5", base.Add(3*time.Minute))
	e5.Project, e5.Type, e5.Actors, e5.Contact = "other", "job.requested", map[string][]string{"agency": {"c-7"}}, ""
	require.NoError(t, b.s.EventInsert(b.ctx, b.ws.ID, e5))

	list, err := b.s.EventList(b.ctx, &store.EventListParams{WorkspaceID: b.ws.ID, Limit: 10})
	require.NoError(t, err)
	require.Equal(t, []string{"evt-5", "evt-4", "evt-3", "evt-1"}, eventIDs(list), "newest first")
	list, err = b.s.EventList(b.ctx, &store.EventListParams{WorkspaceID: b.ws.ID, Before: "evt-4", Limit: 1})
	require.NoError(t, err)
	require.Equal(t, []string{"evt-3"}, eventIDs(list))
	list, err = b.s.EventList(b.ctx, &store.EventListParams{WorkspaceID: b.ws.ID, Project: "other", Limit: 10})
	require.NoError(t, err)
	require.Equal(t, []string{"evt-5"}, eventIDs(list))
	list, err = b.s.EventList(b.ctx, &store.EventListParams{WorkspaceID: b.ws.ID, Type: "booking.confirmed", Limit: 10})
	require.NoError(t, err)
	require.Len(t, list, 3)
	list, err = b.s.EventList(b.ctx, &store.EventListParams{WorkspaceID: b.ws.ID, Contact: "c-7", Limit: 10})
	require.NoError(t, err)
	require.Equal(t, []string{"evt-5"}, eventIDs(list), "contact matches actors")
	list, err = b.s.EventList(b.ctx, &store.EventListParams{WorkspaceID: b.ws.ID, Contact: "c-9", Limit: 10})
	require.NoError(t, err)
	require.Len(t, list, 3, "contact matches the subject")
	since, until := base.Add(time.Minute), base.Add(3*time.Minute)
	list, err = b.s.EventList(b.ctx, &store.EventListParams{WorkspaceID: b.ws.ID, Since: &since, Until: &until, Limit: 10})
	require.NoError(t, err)
	require.Equal(t, []string{"evt-4", "evt-3"}, eventIDs(list))
	list, err = b.s.EventList(b.ctx, &store.EventListParams{WorkspaceID: b.other.ID, Limit: 10})
	require.NoError(t, err)
	require.Equal(t, []string{"evt-2"}, eventIDs(list))
}

func eventIDs(es []*model.Event) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

func sampleMessage(id, eventID string, status model.MessageStatus, at time.Time) *model.Message {
	return &model.Message{
		ID: id, EventID: eventID, EventType: "booking.confirmed", Project: "messe", Flow: "standard", FlowVersion: 3,
		Notification: "booking-confirmed", Template: "booking", Channel: model.ChannelEmail, Category: "transactional",
		Locale: "de", To: model.Address{ContactID: "c-1", Email: "anna@example.org", Name: "Anna"},
		CC: []model.Address{{Email: "cc@example.org"}}, BCC: []model.Address{{ContactID: "c-7", Email: "agentur@example.org"}},
		From: "Agentur <info@agentur.example>", ReplyTo: "dispo@agentur.example",
		Subject: "Buchung bestätigt", HTML: "<p>Hallo</p>", Text: "Hallo", MessageID: id + "@herold.test",
		Status: status, CreatedAt: at, UpdatedAt: at,
		Timeline: []model.MessageEvent{{At: at, Status: model.MsgPlanned}, {At: at, Status: status}},
	}
}

func testMessages(t *testing.T, b *bundle) {
	require.NoError(t, b.s.EventInsert(b.ctx, b.ws.ID, sampleEvent("evt-1", base)))
	expires := base.Add(7 * 24 * time.Hour)
	awaiting := sampleMessage("msg-1", "evt-1", model.MsgAwaitingConfirmation, base)
	awaiting.ExpiresAt = &expires
	queued := sampleMessage("msg-2", "evt-1", model.MsgQueued, base.Add(time.Second))
	suppressed := sampleMessage("msg-3", "evt-1", model.MsgSuppressed, base.Add(2*time.Second))
	suppressed.Reason, suppressed.To.Email, suppressed.To.ContactID = string(model.ReasonNoConsent), "bob@example.org", "c-2"
	require.NoError(t, b.s.WithTx(b.ctx, func(tx store.Tx) error {
		return tx.MessageInsertMany(b.ctx, b.ws.ID, []*model.Message{awaiting, queued, suppressed})
	}))

	got, err := b.s.MessageGet(b.ctx, b.ws.ID, "msg-1")
	require.NoError(t, err)
	require.Equal(t, awaiting, got)
	_, err = b.s.MessageGet(b.ctx, b.other.ID, "msg-1")
	require.ErrorIs(t, err, store.ErrNotFound)

	many, err := b.s.MessageGetMany(b.ctx, b.ws.ID, []string{"msg-2", "msg-1", "msg-404"})
	require.NoError(t, err)
	require.Len(t, many, 2)
	require.Equal(t, "<p>Hallo</p>", many[0].HTML, "GetMany carries the rendered copy")
	many, err = b.s.MessageGetMany(b.ctx, b.other.ID, []string{"msg-1"})
	require.NoError(t, err)
	require.Empty(t, many)

	// Listing: newest first, filters, other workspaces see nothing.
	list, err := b.s.MessageList(b.ctx, &store.MessageListParams{WorkspaceID: b.ws.ID, Limit: 10})
	require.NoError(t, err)
	require.Equal(t, []string{"msg-3", "msg-2", "msg-1"}, messageIDs(list))
	require.Empty(t, list[0].HTML, "lists leave the rendered copy out")
	list, err = b.s.MessageList(b.ctx, &store.MessageListParams{WorkspaceID: b.ws.ID, Statuses: []model.MessageStatus{model.MsgQueued, model.MsgSuppressed}, Limit: 10})
	require.NoError(t, err)
	require.Equal(t, []string{"msg-3", "msg-2"}, messageIDs(list))
	// Undelivered statuses only (the confirmation and delivery queues).
	list, err = b.s.MessageList(b.ctx, &store.MessageListParams{WorkspaceID: b.ws.ID, Statuses: []model.MessageStatus{model.MsgQueued, model.MsgAwaitingConfirmation}, Limit: 10})
	require.NoError(t, err)
	require.Equal(t, []string{"msg-2", "msg-1"}, messageIDs(list))
	list, err = b.s.MessageList(b.ctx, &store.MessageListParams{WorkspaceID: b.ws.ID, Statuses: []model.MessageStatus{model.MsgAwaitingConfirmation}, Before: "msg-2", Limit: 10})
	require.NoError(t, err)
	require.Equal(t, []string{"msg-1"}, messageIDs(list))
	list, err = b.s.MessageList(b.ctx, &store.MessageListParams{WorkspaceID: b.other.ID, Statuses: []model.MessageStatus{model.MsgQueued}, Limit: 10})
	require.NoError(t, err)
	require.Empty(t, list)
	list, err = b.s.MessageList(b.ctx, &store.MessageListParams{WorkspaceID: b.ws.ID, Contact: "c-2", Limit: 10})
	require.NoError(t, err)
	require.Equal(t, []string{"msg-3"}, messageIDs(list))
	list, err = b.s.MessageList(b.ctx, &store.MessageListParams{WorkspaceID: b.ws.ID, Email: "ANNA@example.org", Limit: 10})
	require.NoError(t, err)
	require.Equal(t, []string{"msg-2", "msg-1"}, messageIDs(list), "address match ignores case")
	list, err = b.s.MessageList(b.ctx, &store.MessageListParams{WorkspaceID: b.ws.ID, EventID: "evt-1", Before: "msg-2", Limit: 10})
	require.NoError(t, err)
	require.Equal(t, []string{"msg-1"}, messageIDs(list))
	// One event's or one contact's messages (each store may read them
	// through their own index): the other filters and the workspace still
	// apply.
	list, err = b.s.MessageList(b.ctx, &store.MessageListParams{WorkspaceID: b.ws.ID, EventID: "evt-1", Limit: 10})
	require.NoError(t, err)
	require.Equal(t, []string{"msg-3", "msg-2", "msg-1"}, messageIDs(list))
	list, err = b.s.MessageList(b.ctx, &store.MessageListParams{WorkspaceID: b.ws.ID, EventID: "evt-1", Statuses: []model.MessageStatus{model.MsgQueued}, Limit: 10})
	require.NoError(t, err)
	require.Equal(t, []string{"msg-2"}, messageIDs(list))
	list, err = b.s.MessageList(b.ctx, &store.MessageListParams{WorkspaceID: b.ws.ID, EventID: "evt-1", Limit: 1})
	require.NoError(t, err)
	require.Equal(t, []string{"msg-3"}, messageIDs(list), "newest first, limited")
	list, err = b.s.MessageList(b.ctx, &store.MessageListParams{WorkspaceID: b.other.ID, EventID: "evt-1", Limit: 10})
	require.NoError(t, err)
	require.Empty(t, list)
	list, err = b.s.MessageList(b.ctx, &store.MessageListParams{WorkspaceID: b.ws.ID, Contact: "c-2", Statuses: []model.MessageStatus{model.MsgSent}, Limit: 10})
	require.NoError(t, err)
	require.Empty(t, list)
	list, err = b.s.MessageList(b.ctx, &store.MessageListParams{WorkspaceID: b.other.ID, Contact: "c-2", Limit: 10})
	require.NoError(t, err)
	require.Empty(t, list)
	since := base.Add(time.Second)
	list, err = b.s.MessageList(b.ctx, &store.MessageListParams{WorkspaceID: b.ws.ID, Since: &since, Limit: 10})
	require.NoError(t, err)
	require.Equal(t, []string{"msg-3", "msg-2"}, messageIDs(list))
	list, err = b.s.MessageList(b.ctx, &store.MessageListParams{WorkspaceID: b.other.ID, Limit: 10})
	require.NoError(t, err)
	require.Empty(t, list)

	// Transitions only from the expected status, and never across
	// workspaces.
	at := base.Add(time.Hour)
	approve := &store.MessageTransitionParams{WorkspaceID: b.other.ID, ID: "msg-1",
		From: []model.MessageStatus{model.MsgAwaitingConfirmation}, To: model.MsgQueued, At: at,
		Entry: model.MessageEvent{At: at, Status: model.MsgApproved, Actor: "admin@agentur"}}
	ok, err := b.s.MessageTransition(b.ctx, approve)
	require.NoError(t, err)
	require.False(t, ok, "another workspace must not transition the message")
	approve.WorkspaceID = b.ws.ID
	ok, err = b.s.MessageTransition(b.ctx, approve)
	require.NoError(t, err)
	require.True(t, ok)
	ok, err = b.s.MessageTransition(b.ctx, approve)
	require.NoError(t, err)
	require.False(t, ok, "the second approval must lose")

	sentAt := at.Add(time.Minute)
	ok, err = b.s.MessageTransition(b.ctx, &store.MessageTransitionParams{WorkspaceID: b.ws.ID, ID: "msg-1",
		From: []model.MessageStatus{model.MsgQueued, model.MsgSending}, To: model.MsgSent, Attempts: 1,
		LastReply: "250 2.0.0 Ok: queued as ABC", SentAt: &sentAt, At: sentAt,
		Entry: model.MessageEvent{At: sentAt, Status: model.MsgSent, Attempt: 1, Detail: "250 2.0.0 Ok: queued as ABC"}})
	require.NoError(t, err)
	require.True(t, ok)
	got, err = b.s.MessageGet(b.ctx, b.ws.ID, "msg-1")
	require.NoError(t, err)
	require.Equal(t, model.MsgSent, got.Status)
	require.Equal(t, 1, got.Attempts)
	require.True(t, got.SentAt.Equal(sentAt))
	require.Equal(t, "250 2.0.0 Ok: queued as ABC", got.LastReply)
	require.Equal(t, []model.MessageStatus{model.MsgPlanned, model.MsgAwaitingConfirmation, model.MsgApproved, model.MsgSent},
		timelineStatuses(got.Timeline))
	require.Equal(t, "admin@agentur", got.Timeline[2].Actor)

	// Marking several messages as sending counts the attempt for those that
	// can be sent and leaves the others.
	m4, m5 := sampleMessage("msg-4", "evt-1", model.MsgQueued, base), sampleMessage("msg-5", "evt-1", model.MsgRetrying, base)
	m5.Attempts = 2
	require.NoError(t, b.s.MessageInsertMany(b.ctx, b.ws.ID, []*model.Message{m4, m5}))
	at2 := base.Add(2 * time.Hour)
	moved, err := b.s.MessageMarkSending(b.ctx, &store.MarkSendingParams{WorkspaceID: b.ws.ID,
		IDs: []string{"msg-4", "msg-5", "msg-1", "msg-3", "msg-404"}, At: at2})
	require.NoError(t, err)
	require.Equal(t, map[string]int{"msg-4": 1, "msg-5": 3}, moved, "sent and suppressed messages are not sent again")
	moved, err = b.s.MessageMarkSending(b.ctx, &store.MarkSendingParams{WorkspaceID: b.other.ID, IDs: []string{"msg-4"}, At: at2})
	require.NoError(t, err)
	require.Empty(t, moved, "not across workspaces")
	got, err = b.s.MessageGet(b.ctx, b.ws.ID, "msg-5")
	require.NoError(t, err)
	require.Equal(t, model.MsgSending, got.Status)
	require.Equal(t, 3, got.Attempts)
	require.Equal(t, model.MessageEvent{At: at2, Status: model.MsgSending, Attempt: 3}, got.Timeline[len(got.Timeline)-1])

	// Recording several outcomes at once, each only from "sending".
	sent4 := at2.Add(time.Second)
	next := at2.Add(time.Minute)
	applied, err := b.s.MessageRecordMany(b.ctx, []*store.MessageTransitionParams{
		{WorkspaceID: b.ws.ID, ID: "msg-4", From: []model.MessageStatus{model.MsgSending}, To: model.MsgSent, Attempts: 1,
			LastReply: "250 ok 4", SentAt: &sent4, At: sent4, Entry: model.MessageEvent{At: sent4, Status: model.MsgSent, Attempt: 1, Detail: "250 ok 4"}},
		{WorkspaceID: b.ws.ID, ID: "msg-5", From: []model.MessageStatus{model.MsgSending}, To: model.MsgRetrying, Attempts: 3,
			Reason: "451 later", LastReply: "451 later", NextAttemptAt: &next, At: sent4,
			Entry: model.MessageEvent{At: sent4, Status: model.MsgRetrying, Attempt: 3, Detail: "451 later", NextAttemptAt: &next}},
		{WorkspaceID: b.ws.ID, ID: "msg-3", From: []model.MessageStatus{model.MsgSending}, To: model.MsgSent, At: sent4,
			Entry: model.MessageEvent{At: sent4, Status: model.MsgSent}},
	})
	require.NoError(t, err)
	require.Equal(t, []bool{true, true, false}, applied)
	got, err = b.s.MessageGet(b.ctx, b.ws.ID, "msg-4")
	require.NoError(t, err)
	require.Equal(t, model.MsgSent, got.Status)
	require.Equal(t, "250 ok 4", got.LastReply)
	require.True(t, got.SentAt.Equal(sent4))
	require.Equal(t, model.MsgSent, got.Timeline[len(got.Timeline)-1].Status)
	got, err = b.s.MessageGet(b.ctx, b.ws.ID, "msg-5")
	require.NoError(t, err)
	require.Equal(t, model.MsgRetrying, got.Status)
	require.True(t, got.NextAttemptAt.Equal(next))
	require.Equal(t, "451 later", got.Reason)
	got, err = b.s.MessageGet(b.ctx, b.ws.ID, "msg-3")
	require.NoError(t, err)
	require.Equal(t, model.MsgSuppressed, got.Status, "a transition from the wrong status does not apply")
	require.Len(t, got.Timeline, 2, "and writes no entry")

	// Expiring confirmations are found across workspaces, by deadline.
	exp2 := base.Add(time.Hour)
	other := sampleMessage("msg-9", "evt-x", model.MsgAwaitingConfirmation, base)
	other.ExpiresAt = &exp2
	require.NoError(t, b.s.EventInsert(b.ctx, b.other.ID, sampleEvent("evt-x", base)))
	require.NoError(t, b.s.MessageInsertMany(b.ctx, b.other.ID, []*model.Message{other}))
	refs, err := b.s.MessageExpiring(b.ctx, base.Add(2*time.Hour), 10)
	require.NoError(t, err)
	require.Equal(t, []store.MessageRef{{WorkspaceID: b.other.ID, ID: "msg-9"}}, refs)

	st, err := b.s.MessageQueueStats(b.ctx)
	require.NoError(t, err)
	require.Equal(t, 2, st.Depth, "msg-2 is queued and msg-5 waits for a retry")
	require.True(t, st.Oldest.Equal(base), "msg-5 is the oldest: %v", st.Oldest)
}

func messageIDs(ms []*model.Message) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}

func timelineStatuses(tl []model.MessageEvent) []model.MessageStatus {
	out := make([]model.MessageStatus, len(tl))
	for i, e := range tl {
		out[i] = e.Status
	}
	return out
}

func testCaptureAndStats(t *testing.T, b *bundle) {
	require.NoError(t, b.s.EventInsert(b.ctx, b.ws.ID, sampleEvent("evt-1", base)))
	for i := 1; i <= 3; i++ {
		m := sampleMessage(fmt.Sprintf("msg-%d", i), "evt-1", model.MsgSent, base)
		require.NoError(t, b.s.MessageInsertMany(b.ctx, b.ws.ID, []*model.Message{m}))
		require.NoError(t, b.s.CaptureInsert(b.ctx, b.ws.ID, m.ID, []byte(fmt.Sprintf("raw %d", i)), base.Add(time.Duration(i)*time.Second)))
	}
	raw, err := b.s.CaptureGet(b.ctx, b.ws.ID, "msg-2")
	require.NoError(t, err)
	require.Equal(t, "raw 2", string(raw))
	_, err = b.s.CaptureGet(b.ctx, b.other.ID, "msg-2")
	require.ErrorIs(t, err, store.ErrNotFound)
	list, err := b.s.CaptureList(b.ctx, &store.CaptureListParams{WorkspaceID: b.ws.ID, Limit: 2})
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.Equal(t, "msg-3", list[0].MessageID)
	require.Equal(t, "Buchung bestätigt", list[0].Subject)
	require.Equal(t, 5, list[0].Size)
	list, err = b.s.CaptureList(b.ctx, &store.CaptureListParams{WorkspaceID: b.ws.ID, Before: "msg-2", Limit: 2})
	require.NoError(t, err)
	require.Len(t, list, 1)
	list, err = b.s.CaptureList(b.ctx, &store.CaptureListParams{WorkspaceID: b.other.ID, Limit: 2})
	require.NoError(t, err)
	require.Empty(t, list)

	require.NoError(t, b.s.StatsAdd(b.ctx, []store.StatsDelta{
		{WorkspaceID: b.ws.ID, Day: "2026-03-01", Status: model.MsgSent, N: 3},
		{WorkspaceID: b.ws.ID, Day: "2026-03-01", Status: model.MsgSent, N: 2},
		{WorkspaceID: b.ws.ID, Day: "2026-03-01", Status: model.MsgSuppressed, Reason: "no_consent", N: 1},
		{WorkspaceID: b.ws.ID, Day: "2026-03-02", Status: model.MsgFailed, N: 1},
		{WorkspaceID: b.other.ID, Day: "2026-03-01", Status: model.MsgSent, N: 100},
	}))
	rows, err := b.s.StatsList(b.ctx, b.ws.ID, "2026-03-01", "2026-03-01")
	require.NoError(t, err)
	require.Equal(t, []store.StatsRow{
		{Day: "2026-03-01", Status: model.MsgSent, Count: 5},
		{Day: "2026-03-01", Status: model.MsgSuppressed, Reason: "no_consent", Count: 1},
	}, rows)
}

func testPurge(t *testing.T, b *bundle) {
	old, recent := base, base.Add(40*24*time.Hour)
	for i, st := range []model.MessageStatus{model.MsgSent, model.MsgRetrying} {
		id := fmt.Sprintf("old-%d", i)
		require.NoError(t, b.s.EventInsert(b.ctx, b.ws.ID, sampleEvent(id, old)))
		require.NoError(t, b.s.MessageInsertMany(b.ctx, b.ws.ID, []*model.Message{sampleMessage("m-"+id, id, st, old)}))
	}
	require.NoError(t, b.s.CaptureInsert(b.ctx, b.ws.ID, "m-old-0", []byte("raw"), old))
	require.NoError(t, b.s.EventInsert(b.ctx, b.ws.ID, sampleEvent("new", recent)))
	require.NoError(t, b.s.EventInsert(b.ctx, b.other.ID, sampleEvent("other-old", old)))

	n, err := b.s.EventPurge(b.ctx, &store.PurgeParams{WorkspaceID: b.ws.ID, Before: base.Add(10 * 24 * time.Hour), Limit: 100})
	require.NoError(t, err)
	require.Equal(t, 1, n, "only the old event whose messages are all final is purged")
	_, err = b.s.EventGet(b.ctx, b.ws.ID, "old-0")
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = b.s.MessageGet(b.ctx, b.ws.ID, "m-old-0")
	require.ErrorIs(t, err, store.ErrNotFound, "messages go with their event")
	_, err = b.s.CaptureGet(b.ctx, b.ws.ID, "m-old-0")
	require.ErrorIs(t, err, store.ErrNotFound, "captured copies go too")
	_, err = b.s.MessageGet(b.ctx, b.ws.ID, "m-old-1")
	require.NoError(t, err, "a message still retrying keeps its event")
	_, err = b.s.EventGet(b.ctx, b.ws.ID, "new")
	require.NoError(t, err)
	_, err = b.s.EventGet(b.ctx, b.other.ID, "other-old")
	require.NoError(t, err, "purging one workspace leaves the others alone")
}
