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
		storeCase{"Events", testEvents},
		storeCase{"EventsMany", testEventsMany},
		storeCase{"Messages", testMessages},
		storeCase{"CaptureAndStats", testCaptureAndStats},
		storeCase{"Purge", testPurge},
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

// testEventsMany stores events many at a time (as schedule runs do): each
// reads back as inserted, with or without object, contact or key, and a
// batch holding a used idempotency key stores none of its events.
func testEventsMany(t *testing.T, b *bundle) {
	e1, e2, e3 := sampleEvent("evt-1", base), sampleEvent("evt-2", base.Add(time.Second)), sampleEvent("evt-3", base.Add(2*time.Second))
	e1.IdempotencyKey = "run-1/c-1"
	e2.Object, e2.Contact, e2.Actors, e2.Trace = nil, "", map[string][]string{}, []model.Step{}
	e3.IdempotencyKey, e3.Data = "run-1/c-3", map[string]any{"nested": map[string]any{"list": []any{"a", jsonNumber("1")}}, "ü": "ß"}
	require.NoError(t, b.s.EventInsertMany(b.ctx, b.ws.ID, []*model.Event{e1, e2, e3}))
	for _, want := range []*model.Event{e1, e2, e3} {
		got, err := b.s.EventGet(b.ctx, b.ws.ID, want.ID)
		require.NoError(t, err)
		require.Equal(t, want, got)
		_, err = b.s.EventGet(b.ctx, b.other.ID, want.ID)
		require.ErrorIs(t, err, store.ErrNotFound)
	}
	require.NoError(t, b.s.EventInsertMany(b.ctx, b.ws.ID, nil))

	e4, dup := sampleEvent("evt-4", base.Add(3*time.Second)), sampleEvent("evt-5", base.Add(4*time.Second))
	dup.IdempotencyKey = "run-1/c-3"
	require.ErrorIs(t, b.s.EventInsertMany(b.ctx, b.ws.ID, []*model.Event{e4, dup}), store.ErrConflict)
	_, err := b.s.EventGet(b.ctx, b.ws.ID, "evt-4")
	require.ErrorIs(t, err, store.ErrNotFound, "a conflicting batch stores nothing")
	// The same key in another workspace is another event.
	require.NoError(t, b.s.EventInsertMany(b.ctx, b.other.ID, []*model.Event{dup}))
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

	// A message moved back to queued (an approval) is due at once.
	claimed, err := b.s.MessageClaim(b.ctx, &store.MessageClaimParams{Owner: "p1", Now: at, LeaseUntil: at.Add(time.Minute), Limit: 10})
	require.NoError(t, err)
	require.Equal(t, []string{"msg-2"}, claimedIDs(claimed), "msg-1 was sent; msg-2 is due; nothing else is")

	// Expiring confirmations are found across workspaces, by deadline.
	exp2 := base.Add(time.Hour)
	other := sampleMessage("msg-9", "evt-x", model.MsgAwaitingConfirmation, base)
	other.ExpiresAt = &exp2
	require.NoError(t, b.s.EventInsert(b.ctx, b.other.ID, sampleEvent("evt-x", base)))
	require.NoError(t, b.s.MessageInsertMany(b.ctx, b.other.ID, []*model.Message{other}))
	refs, err := b.s.MessageExpiring(b.ctx, base.Add(2*time.Hour), 10)
	require.NoError(t, err)
	require.Len(t, refs, 1)
	require.Equal(t, b.other.ID, refs[0].WorkspaceID)
	require.Equal(t, "msg-9", refs[0].ID)
	require.True(t, refs[0].CreatedAt.Equal(base), "the day its confirmation is counted on: %v", refs[0].CreatedAt)

	st, err := b.s.MessageQueueStats(b.ctx)
	require.NoError(t, err)
	require.Equal(t, 1, st.Depth, "msg-2 is being sent")
	require.True(t, st.Oldest.Equal(base.Add(time.Second)), "msg-2 is the oldest: %v", st.Oldest)
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
	var ms []*model.Message
	for i := 1; i <= 4; i++ {
		ms = append(ms, sampleMessage(fmt.Sprintf("msg-%d", i), "evt-1", model.MsgQueued, base))
	}
	require.NoError(t, b.s.MessageInsertMany(b.ctx, b.ws.ID, ms))
	claimed, err := b.s.MessageClaim(b.ctx, &store.MessageClaimParams{Owner: "p1", Now: base, LeaseUntil: base.Add(time.Minute), Limit: 10})
	require.NoError(t, err)
	require.Len(t, claimed, 4)
	var outcomes []*store.MessageOutcome
	for i := 1; i <= 3; i++ {
		at := base.Add(time.Duration(i) * time.Second)
		outcomes = append(outcomes, &store.MessageOutcome{WorkspaceID: b.ws.ID, ID: fmt.Sprintf("msg-%d", i), Owner: "p1",
			To: model.MsgSent, Delivered: true, Attempts: 1, SentAt: &at, At: at, CapturedSize: 100 + i,
			Entries: []model.MessageEvent{{At: at, Status: model.MsgSent, Attempt: 1}}})
	}
	// msg-4 is sent over SMTP: not filed in the capture mailbox.
	outcomes = append(outcomes, &store.MessageOutcome{WorkspaceID: b.ws.ID, ID: "msg-4", Owner: "p1", To: model.MsgSent,
		Delivered: true, Attempts: 1, SentAt: &base, At: base, Entries: []model.MessageEvent{{At: base, Status: model.MsgSent, Attempt: 1}}})
	applied, err := b.s.MessageRecord(b.ctx, outcomes)
	require.NoError(t, err)
	require.Equal(t, []bool{true, true, true, true}, applied)
	list, err := b.s.CaptureList(b.ctx, &store.CaptureListParams{WorkspaceID: b.ws.ID, Limit: 2})
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.Equal(t, "msg-3", list[0].MessageID)
	require.Equal(t, "evt-1", list[0].EventID)
	require.Equal(t, "Buchung bestätigt", list[0].Subject)
	require.Equal(t, "anna@example.org", list[0].To)
	require.Equal(t, 103, list[0].Size)
	require.True(t, list[0].CapturedAt.Equal(base.Add(3*time.Second)))
	list, err = b.s.CaptureList(b.ctx, &store.CaptureListParams{WorkspaceID: b.ws.ID, Before: "msg-2", Limit: 2})
	require.NoError(t, err)
	require.Equal(t, "msg-1", list[0].MessageID)
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

	// A message leaving a status counted takes itself off: a counter goes
	// down to zero, not below, and one at zero is not listed; taking off
	// a counter that does not exist leaves none.
	require.NoError(t, b.s.StatsAdd(b.ctx, []store.StatsDelta{
		{WorkspaceID: b.ws.ID, Day: "2026-03-01", Status: model.MsgAwaitingConfirmation, N: 2},
		{WorkspaceID: b.ws.ID, Day: "2026-03-01", Status: model.MsgAwaitingConfirmation, N: -1},
		{WorkspaceID: b.ws.ID, Day: "2026-03-01", Status: model.MsgSent, N: -1},
		{WorkspaceID: b.ws.ID, Day: "2026-03-01", Status: model.MsgSuppressed, Reason: "no_consent", N: -3},
		{WorkspaceID: b.ws.ID, Day: "2026-03-01", Status: model.MsgExpired, N: -1},
	}))
	rows, err = b.s.StatsList(b.ctx, b.ws.ID, "2026-03-01", "2026-03-01")
	require.NoError(t, err)
	require.Equal(t, []store.StatsRow{
		{Day: "2026-03-01", Status: model.MsgAwaitingConfirmation, Count: 1},
		{Day: "2026-03-01", Status: model.MsgSent, Count: 4},
	}, rows)
	require.NoError(t, b.s.StatsAdd(b.ctx, []store.StatsDelta{
		{WorkspaceID: b.ws.ID, Day: "2026-03-01", Status: model.MsgSuppressed, Reason: "no_consent", N: 2},
	}))
	rows, err = b.s.StatsList(b.ctx, b.ws.ID, "2026-03-01", "2026-03-01")
	require.NoError(t, err)
	require.Contains(t, rows, store.StatsRow{Day: "2026-03-01", Status: model.MsgSuppressed, Reason: "no_consent", Count: 2},
		"a counter taken below zero counts from zero again")
}

func testPurge(t *testing.T, b *bundle) {
	old, recent := base, base.Add(40*24*time.Hour)
	for i, st := range []model.MessageStatus{model.MsgSent, model.MsgRetrying} {
		id := fmt.Sprintf("old-%d", i)
		require.NoError(t, b.s.EventInsert(b.ctx, b.ws.ID, sampleEvent(id, old)))
		require.NoError(t, b.s.MessageInsertMany(b.ctx, b.ws.ID, []*model.Message{sampleMessage("m-"+id, id, st, old)}))
	}
	require.NoError(t, b.s.EventInsert(b.ctx, b.ws.ID, sampleEvent("new", recent)))
	require.NoError(t, b.s.EventInsert(b.ctx, b.other.ID, sampleEvent("other-old", old)))

	n, err := b.s.EventPurge(b.ctx, &store.PurgeParams{WorkspaceID: b.ws.ID, Before: base.Add(10 * 24 * time.Hour), Limit: 100})
	require.NoError(t, err)
	require.Equal(t, 1, n, "only the old event whose messages are all final is purged")
	_, err = b.s.EventGet(b.ctx, b.ws.ID, "old-0")
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = b.s.MessageGet(b.ctx, b.ws.ID, "m-old-0")
	require.ErrorIs(t, err, store.ErrNotFound, "messages go with their event")
	_, err = b.s.MessageGet(b.ctx, b.ws.ID, "m-old-1")
	require.NoError(t, err, "a message still retrying keeps its event")
	_, err = b.s.EventGet(b.ctx, b.ws.ID, "new")
	require.NoError(t, err)
	_, err = b.s.EventGet(b.ctx, b.other.ID, "other-old")
	require.NoError(t, err, "purging one workspace leaves the others alone")
}
