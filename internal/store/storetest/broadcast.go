package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// A broadcast is stored with its spec, moves through its statuses only
// from the allowed ones, is claimed with a lease like a schedule run, and
// counts its messages by status and reason.
func init() {
	pipelineCases = append(pipelineCases, []storeCase{
		{"BroadcastCRUD", testBroadcastCRUD},
		{"BroadcastTransition", testBroadcastTransition},
		{"BroadcastClaimProgress", testBroadcastClaimProgress},
		{"BroadcastMessages", testBroadcastMessages},
	}...)
}

func sampleBroadcast(key string) *model.Broadcast {
	start := base.Add(time.Hour)
	return &model.Broadcast{Key: key, Name: "Newsletter März", Category: "newsletter",
		Content:  &model.TemplateContent{Subject: "{{ .data.title }}", HTML: "<h1>{{ .data.title }}</h1>", Text: "x"},
		Sender:   model.Sender{From: "Verein <info@verein.example>"},
		Data:     map[string]any{"title": "Ausgabe 3", "articles": []any{map[string]any{"title": "Sommerfest"}}},
		Audience: `contact.status == "aktiv"`, PerMinute: 120, StartAt: &start, Recurrence: "0 8 * * MON",
		Series: "nl", Edition: 3,
		Status: model.BroadcastDraft, Progress: model.BroadcastProgress{ErrorSamples: []string{}},
		CreatedAt: base, UpdatedAt: base}
}

func testBroadcastCRUD(t *testing.T, b *bundle) {
	nl := sampleBroadcast("nl-03")
	created, err := b.s.BroadcastUpsert(b.ctx, b.ws.ID, nl)
	require.NoError(t, err)
	require.True(t, created)
	got, err := b.s.BroadcastGet(b.ctx, b.ws.ID, "nl-03")
	require.NoError(t, err)
	require.Equal(t, nl, got)
	_, err = b.s.BroadcastGet(b.ctx, b.other.ID, "nl-03")
	require.ErrorIs(t, err, store.ErrNotFound, "another workspace sees nothing")

	nl.Name, nl.Template, nl.Content, nl.UpdatedAt = "Newsletter", "newsletter", nil, base.Add(time.Minute)
	created, err = b.s.BroadcastUpsert(b.ctx, b.ws.ID, nl)
	require.NoError(t, err)
	require.False(t, created)
	got, err = b.s.BroadcastGet(b.ctx, b.ws.ID, "nl-03")
	require.NoError(t, err)
	require.Equal(t, nl, got)

	require.NoError(t, upsertBroadcast(b, b.ws.ID, sampleBroadcast("nl-04")))
	require.NoError(t, upsertBroadcast(b, b.other.ID, sampleBroadcast("nl-01")))
	list, err := b.s.BroadcastList(b.ctx, &store.ListParams{WorkspaceID: b.ws.ID, Limit: 10})
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.Equal(t, "nl-03", list[0].Key)
	list, err = b.s.BroadcastList(b.ctx, &store.ListParams{WorkspaceID: b.ws.ID, After: "nl-03", Limit: 10})
	require.NoError(t, err)
	require.Len(t, list, 1)

	// Stored whole (an import): status, progress and times come back, and
	// a running one is due.
	started, finished := base.Add(time.Minute), base.Add(2*time.Minute)
	whole := sampleBroadcast("nl-02")
	whole.Status, whole.StartedAt, whole.FinishedAt = model.BroadcastDone, &started, &finished
	whole.Progress = model.BroadcastProgress{Cursor: "c-9", Scanned: 9, Matched: 7, Errors: 1, ErrorSamples: []string{"contact c-3: x"}}
	require.NoError(t, upsertBroadcast(b, b.other.ID, whole))
	got, err = b.s.BroadcastGet(b.ctx, b.other.ID, "nl-02")
	require.NoError(t, err)
	require.Equal(t, whole, got)
	running := sampleBroadcast("nl-05")
	running.Status, running.StartedAt, running.Progress.Cursor = model.BroadcastRunning, &started, "c-4"
	require.NoError(t, upsertBroadcast(b, b.other.ID, running))
	c := claimBroadcast(t, b, "p1", base)
	require.NotNil(t, c, "a running broadcast stored whole is due")
	require.Equal(t, "nl-05", c.Key)
	require.Equal(t, "c-4", c.Progress.Cursor)

	require.ErrorIs(t, b.s.BroadcastDelete(b.ctx, b.other.ID, "nl-03"), store.ErrNotFound)
	ok, err := b.s.BroadcastTransition(b.ctx, &store.BroadcastTransitionParams{WorkspaceID: b.ws.ID, Key: "nl-04",
		From: []model.BroadcastStatus{model.BroadcastDraft}, To: model.BroadcastScheduled, DueAt: &base, At: base})
	require.NoError(t, err)
	require.True(t, ok)
	require.ErrorIs(t, b.s.BroadcastDelete(b.ctx, b.ws.ID, "nl-04"), store.ErrNotFound, "only a draft is deleted")
	require.NoError(t, b.s.BroadcastDelete(b.ctx, b.ws.ID, "nl-03"))
	_, err = b.s.BroadcastGet(b.ctx, b.ws.ID, "nl-03")
	require.ErrorIs(t, err, store.ErrNotFound)
}

func upsertBroadcast(b *bundle, ws int64, nl *model.Broadcast) error {
	_, err := b.s.BroadcastUpsert(b.ctx, ws, nl)
	return err
}

func transition(t *testing.T, b *bundle, key string, to model.BroadcastStatus, due *time.Time, at time.Time, from ...model.BroadcastStatus) bool {
	t.Helper()
	ok, err := b.s.BroadcastTransition(b.ctx, &store.BroadcastTransitionParams{WorkspaceID: b.ws.ID, Key: key,
		From: from, To: to, DueAt: due, At: at})
	require.NoError(t, err)
	return ok
}

func testBroadcastTransition(t *testing.T, b *bundle) {
	require.NoError(t, upsertBroadcast(b, b.ws.ID, sampleBroadcast("nl")))
	require.False(t, transition(t, b, "nl", model.BroadcastPaused, nil, base, model.BroadcastRunning),
		"a draft is not running, so it cannot be paused")
	require.True(t, transition(t, b, "nl", model.BroadcastScheduled, &base, base, model.BroadcastDraft))
	end := base.Add(time.Hour)
	require.True(t, transition(t, b, "nl", model.BroadcastCancelled, nil, end, model.BroadcastScheduled, model.BroadcastPaused))
	got, err := b.s.BroadcastGet(b.ctx, b.ws.ID, "nl")
	require.NoError(t, err)
	require.Equal(t, model.BroadcastCancelled, got.Status)
	require.NotNil(t, got.FinishedAt)
	require.True(t, got.FinishedAt.Equal(end))
	require.Nil(t, claimBroadcast(t, b, "p1", end.Add(time.Hour)), "a cancelled broadcast is never claimed")
}

func claimBroadcast(t *testing.T, b *bundle, owner string, now time.Time) *store.ClaimedBroadcast {
	t.Helper()
	c, err := b.s.BroadcastClaim(b.ctx, &store.RunClaimParams{Owner: owner, Now: now, LeaseUntil: now.Add(time.Minute)})
	if err != nil {
		require.ErrorIs(t, err, store.ErrNotFound)
		return nil
	}
	return c
}

func testBroadcastClaimProgress(t *testing.T, b *bundle) {
	require.NoError(t, upsertBroadcast(b, b.other.ID, sampleBroadcast("nl")))
	due := base.Add(time.Hour)
	ok, err := b.s.BroadcastTransition(b.ctx, &store.BroadcastTransitionParams{WorkspaceID: b.other.ID, Key: "nl",
		From: []model.BroadcastStatus{model.BroadcastDraft}, To: model.BroadcastScheduled, DueAt: &due, At: base})
	require.NoError(t, err)
	require.True(t, ok)

	require.Nil(t, claimBroadcast(t, b, "p1", due.Add(-time.Millisecond)), "not before its start")
	c := claimBroadcast(t, b, "p1", due)
	require.NotNil(t, c, "due exactly at its start")
	require.Equal(t, b.other.ID, c.WorkspaceID)
	require.Equal(t, model.BroadcastRunning, c.Status)
	require.NotNil(t, c.StartedAt)
	require.True(t, c.StartedAt.Equal(due))
	require.Nil(t, claimBroadcast(t, b, "p2", due.Add(59*time.Second)), "held by p1's lease")

	prog := model.BroadcastProgress{Cursor: "c-500", Scanned: 500, Matched: 420, Errors: 1, ErrorSamples: []string{"contact c-7: bad"}}
	params := &store.BroadcastProgressParams{WorkspaceID: b.other.ID, Key: "nl", Owner: "p2", Progress: prog,
		DueAt: due.Add(2 * time.Minute), At: due.Add(time.Second)}
	require.ErrorIs(t, b.s.BroadcastProgress(b.ctx, params), store.ErrNotFound, "p2 holds no lease")
	params.Owner = "p1"
	require.NoError(t, b.s.BroadcastProgress(b.ctx, params))
	got, err := b.s.BroadcastGet(b.ctx, b.other.ID, "nl")
	require.NoError(t, err)
	require.Equal(t, prog, got.Progress)
	require.ErrorIs(t, b.s.BroadcastProgress(b.ctx, params), store.ErrNotFound, "the lease was given up")
	require.Nil(t, claimBroadcast(t, b, "p2", due.Add(time.Minute)), "paced: not due before its next batch")

	// A lease that runs out (the sender died) is claimed by another.
	c = claimBroadcast(t, b, "p2", due.Add(2*time.Minute))
	require.NotNil(t, c)
	require.Equal(t, "c-500", c.Progress.Cursor, "goes on from the stored cursor")
	require.True(t, c.StartedAt.Equal(due), "started_at stays the first start")
	c = claimBroadcast(t, b, "p3", due.Add(3*time.Minute+time.Second))
	require.NotNil(t, c, "p2's lease ran out")

	// Paused while p3 holds it: p3's progress no longer applies.
	ok, err = b.s.BroadcastTransition(b.ctx, &store.BroadcastTransitionParams{WorkspaceID: b.other.ID, Key: "nl",
		From: []model.BroadcastStatus{model.BroadcastRunning}, To: model.BroadcastPaused, At: due.Add(4 * time.Minute)})
	require.NoError(t, err)
	require.True(t, ok)
	params.Owner = "p3"
	require.ErrorIs(t, b.s.BroadcastProgress(b.ctx, params), store.ErrNotFound, "paused meanwhile")
	require.Nil(t, claimBroadcast(t, b, "p1", due.Add(time.Hour)), "a paused broadcast is not due")

	// Resumed, then finished.
	resume := due.Add(5 * time.Minute)
	ok, err = b.s.BroadcastTransition(b.ctx, &store.BroadcastTransitionParams{WorkspaceID: b.other.ID, Key: "nl",
		From: []model.BroadcastStatus{model.BroadcastPaused}, To: model.BroadcastRunning, DueAt: &resume, At: resume})
	require.NoError(t, err)
	require.True(t, ok)
	c = claimBroadcast(t, b, "p1", resume)
	require.NotNil(t, c)
	params.Owner, params.Done, params.At = "p1", true, resume.Add(time.Second)
	require.NoError(t, b.s.BroadcastProgress(b.ctx, params))
	got, err = b.s.BroadcastGet(b.ctx, b.other.ID, "nl")
	require.NoError(t, err)
	require.Equal(t, model.BroadcastDone, got.Status)
	require.True(t, got.FinishedAt.Equal(resume.Add(time.Second)))
	require.Nil(t, claimBroadcast(t, b, "p1", resume.Add(time.Hour)), "a finished broadcast is not due")
}

func testBroadcastMessages(t *testing.T, b *bundle) {
	require.NoError(t, b.s.EventInsert(b.ctx, b.ws.ID, sampleEvent("evt-1", base)))
	require.NoError(t, b.s.EventInsert(b.ctx, b.other.ID, sampleEvent("evt-2", base)))
	msg := func(id string, ws int64, notification string, status model.MessageStatus, reason string) *model.Message {
		m := sampleMessage(id, "evt-1", status, base)
		if ws == b.other.ID {
			m.EventID = "evt-2"
		}
		m.EventType, m.Notification, m.Reason = store.BroadcastEventType, notification, reason
		return m
	}
	nl := store.BroadcastNotification("nl")
	mine := []*model.Message{
		msg("m-1", b.ws.ID, nl, model.MsgQueued, ""),
		msg("m-2", b.ws.ID, nl, model.MsgQueued, ""),
		msg("m-3", b.ws.ID, nl, model.MsgSuppressed, string(model.ReasonNoConsent)),
		msg("m-4", b.ws.ID, nl, model.MsgSuppressed, string(model.ReasonOptedOut)),
		msg("m-5", b.ws.ID, nl, model.MsgSuppressed, string(model.ReasonNoConsent)),
		msg("m-6", b.ws.ID, store.BroadcastNotification("nl-2"), model.MsgQueued, ""),
	}
	require.NoError(t, b.s.WithTx(b.ctx, func(tx store.Tx) error {
		if err := tx.MessageInsertMany(b.ctx, b.ws.ID, mine); err != nil {
			return err
		}
		return tx.MessageInsertMany(b.ctx, b.other.ID, []*model.Message{msg("m-7", b.other.ID, nl, model.MsgQueued, "")})
	}))
	counts, err := b.s.BroadcastMessageCounts(b.ctx, b.ws.ID, "nl")
	require.NoError(t, err)
	require.Equal(t, []store.StatusCount{
		{Status: model.MsgQueued, N: 2},
		{Status: model.MsgSuppressed, Reason: string(model.ReasonNoConsent), N: 2},
		{Status: model.MsgSuppressed, Reason: string(model.ReasonOptedOut), N: 1},
	}, counts)
	ids, err := b.s.BroadcastQueuedMessages(b.ctx, b.ws.ID, "nl", 10)
	require.NoError(t, err)
	require.Equal(t, []string{"m-1", "m-2"}, ids)
	ids, err = b.s.BroadcastQueuedMessages(b.ctx, b.ws.ID, "nl", 1)
	require.NoError(t, err)
	require.Equal(t, []string{"m-1"}, ids, "bounded by the limit")
	ids, err = b.s.BroadcastQueuedMessages(b.ctx, b.other.ID, "nl", 10)
	require.NoError(t, err)
	require.Equal(t, []string{"m-7"}, ids, "each workspace its own")
}
