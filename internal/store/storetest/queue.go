package storetest

import (
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// The message is its own delivery queue: claims with leases, outcomes
// under the lease, renewal, and the restart of a single server.
func init() {
	pipelineCases = append(pipelineCases, []storeCase{
		{"QueueClaimDueOldestFirst", testQueueClaimDueOldestFirst},
		{"QueueClaimExpiredLease", testQueueClaimExpiredLease},
		{"QueueOwnLeaseNotClaimedAgain", testQueueOwnLeaseNotClaimedAgain},
		{"QueueNextDue", testQueueNextDue},
		{"QueueLeaseReleaseOwn", testQueueLeaseReleaseOwn},
		{"QueueRecordUnderLease", testQueueRecordUnderLease},
		{"QueueRecordDeliveredAfterLeaseMoved", testQueueRecordDeliveredAfterLeaseMoved},
		{"QueueRelease", testQueueRelease},
		{"QueueRetryIsDueLater", testQueueRetryIsDueLater},
		{"QueueLeaseRenew", testQueueLeaseRenew},
		{"QueueLeaseExpire", testQueueLeaseExpire},
		{"QueueConcurrentClaims", testQueueConcurrentClaims},
	}...)
}

// queueFixture stores an event and messages with the given statuses, one
// second apart from base (so msg-0 is due first).
func queueFixture(t *testing.T, b *bundle, ws *model.Workspace, statuses ...model.MessageStatus) []*model.Message {
	t.Helper()
	evt := "evt-" + ws.Key
	require.NoError(t, b.s.EventInsert(b.ctx, ws.ID, sampleEvent(evt, base)))
	ms := make([]*model.Message, len(statuses))
	for i, st := range statuses {
		ms[i] = sampleMessage(fmt.Sprintf("%s-msg-%d", ws.Key, i), evt, st, base.Add(time.Duration(i)*time.Second))
	}
	require.NoError(t, b.s.MessageInsertMany(b.ctx, ws.ID, ms))
	return ms
}

func claim(t *testing.T, b *bundle, owner string, now time.Time, limit int) []store.ClaimedMessage {
	t.Helper()
	c, err := b.s.MessageClaim(b.ctx, &store.MessageClaimParams{Owner: owner, Now: now, LeaseUntil: now.Add(time.Minute), Limit: limit})
	require.NoError(t, err)
	return c
}

func claimedIDs(cs []store.ClaimedMessage) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

func sent(b *bundle, c store.ClaimedMessage, owner string, at time.Time) *store.MessageOutcome {
	return &store.MessageOutcome{WorkspaceID: c.WorkspaceID, ID: c.ID, Owner: owner, To: model.MsgSent, Delivered: true,
		Attempts: c.Attempts, LastReply: "250 ok", SentAt: &at, At: at,
		Entries: []model.MessageEvent{{At: at, Status: model.MsgSending, Attempt: c.Attempts},
			{At: at, Status: model.MsgSent, Attempt: c.Attempts, Detail: "250 ok"}}}
}

func testQueueClaimDueOldestFirst(t *testing.T, b *bundle) {
	queueFixture(t, b, b.ws, model.MsgQueued, model.MsgAwaitingConfirmation, model.MsgQueued, model.MsgSuppressed,
		model.MsgQueued, model.MsgSent)
	queueFixture(t, b, b.other, model.MsgQueued)
	// At base+2.5s only the messages created by then are due.
	got := claim(t, b, "p1", base.Add(2500*time.Millisecond), 2)
	require.ElementsMatch(t, []string{"acme-msg-0", "other-msg-0"}, claimedIDs(got), "the oldest due first, any workspace")
	got = append(got, claim(t, b, "p1", base.Add(2500*time.Millisecond), 10)...)
	require.ElementsMatch(t, []string{"acme-msg-0", "other-msg-0", "acme-msg-2"}, claimedIDs(got), "then the next one due")
	for _, c := range got {
		require.Equal(t, model.MsgSending, c.Status)
		require.Equal(t, 1, c.Attempts, "the claim counts the attempt")
		require.Equal(t, "<p>Hallo</p>", c.HTML, "a claim carries the rendered copy")
		require.Equal(t, "Hallo", c.Text)
	}
	for _, c := range got {
		want := b.ws.ID
		if c.ID == "other-msg-0" {
			want = b.other.ID
		}
		require.Equal(t, want, c.WorkspaceID, c.ID)
	}
	// Claimed messages are not claimed again while the lease holds.
	require.Empty(t, claim(t, b, "p2", base.Add(2500*time.Millisecond), 10))
	got = claim(t, b, "p2", base.Add(10*time.Second), 1)
	require.Equal(t, []string{"acme-msg-4"}, claimedIDs(got), "the limit holds")
	require.Empty(t, claim(t, b, "p2", base.Add(10*time.Second), 10), "awaiting, suppressed and sent messages are never claimed")
	m, err := b.s.MessageGet(b.ctx, b.ws.ID, "acme-msg-0")
	require.NoError(t, err)
	require.Equal(t, model.MsgSending, m.Status)
	require.Equal(t, []model.MessageStatus{model.MsgPlanned, model.MsgQueued}, timelineStatuses(m.Timeline),
		"a claim writes no timeline entry: the outcome writes the attempt")
}

func testQueueClaimExpiredLease(t *testing.T, b *bundle) {
	queueFixture(t, b, b.ws, model.MsgQueued)
	first := claim(t, b, "dead", base, 10) // lease until base+1m
	require.Len(t, first, 1)
	require.Empty(t, claim(t, b, "p2", base.Add(59*time.Second), 10), "the lease holds until it runs out")
	again := claim(t, b, "p2", base.Add(time.Minute), 10)
	require.Equal(t, []string{"acme-msg-0"}, claimedIDs(again), "a lease that ran out is claimed again")
	require.Equal(t, 2, again[0].Attempts)
	m, err := b.s.MessageGet(b.ctx, b.ws.ID, "acme-msg-0")
	require.NoError(t, err)
	last := m.Timeline[len(m.Timeline)-1]
	require.Equal(t, model.MessageEvent{At: base.Add(time.Minute), Status: model.MsgSending, Attempt: 1, Detail: model.InterruptedDetail}, last,
		"the interrupted attempt is on the timeline")
	// The dead owner's late outcome for a failure does not apply; the new
	// owner's does.
	fail := &store.MessageOutcome{WorkspaceID: b.ws.ID, ID: "acme-msg-0", Owner: "dead", To: model.MsgFailed, Attempts: 1,
		At: base.Add(time.Minute), Reason: "late"}
	applied, err := b.s.MessageRecord(b.ctx, []*store.MessageOutcome{fail})
	require.NoError(t, err)
	require.Equal(t, []bool{false}, applied)
	applied, err = b.s.MessageRecord(b.ctx, []*store.MessageOutcome{sent(b, again[0], "p2", base.Add(time.Minute))})
	require.NoError(t, err)
	require.Equal(t, []bool{true}, applied)
}

// A process whose lease ran out is still sending the message (its renewal
// failed, say): it must not claim it a second time itself.
func testQueueOwnLeaseNotClaimedAgain(t *testing.T, b *bundle) {
	queueFixture(t, b, b.ws, model.MsgQueued)
	require.Len(t, claim(t, b, "p1", base, 10), 1)
	require.Empty(t, claim(t, b, "p1", base.Add(time.Hour), 10))
	require.Len(t, claim(t, b, "p2", base.Add(time.Hour), 10), 1, "another process takes it")
}

func testQueueNextDue(t *testing.T, b *bundle) {
	next, err := b.s.MessageNextDue(b.ctx, "p1")
	require.NoError(t, err)
	require.Nil(t, next, "an empty queue")
	queueFixture(t, b, b.ws, model.MsgAwaitingConfirmation, model.MsgQueued, model.MsgQueued)
	next, err = b.s.MessageNextDue(b.ctx, "p1")
	require.NoError(t, err)
	require.True(t, next.Equal(base.Add(time.Second)), "the oldest queued one: %v", next)
	require.Len(t, claim(t, b, "p1", base.Add(time.Second), 1), 1)
	next, err = b.s.MessageNextDue(b.ctx, "p1")
	require.NoError(t, err)
	require.True(t, next.Equal(base.Add(2*time.Second)), "not its own lease: %v", next)
	next, err = b.s.MessageNextDue(b.ctx, "p2")
	require.NoError(t, err)
	require.True(t, next.Equal(base.Add(2*time.Second)), "the next one, before p1's lease runs out: %v", next)
	require.Len(t, claim(t, b, "p1", base.Add(2*time.Second), 1), 1)
	next, err = b.s.MessageNextDue(b.ctx, "p2")
	require.NoError(t, err)
	require.True(t, next.Equal(base.Add(time.Second+time.Minute)), "another's lease, when it runs out: %v", next)
}

// A claim whose answer was lost leaves messages leased by a process that
// does not know it holds them; it gives them back, keeping those it holds.
func testQueueLeaseReleaseOwn(t *testing.T, b *bundle) {
	queueFixture(t, b, b.ws, model.MsgQueued, model.MsgQueued, model.MsgQueued)
	held := claim(t, b, "p1", base.Add(2*time.Second), 1)
	lost := claim(t, b, "p1", base.Add(2*time.Second), 2) // its answer never arrived
	require.Empty(t, claim(t, b, "p2", base.Add(30*time.Second), 10), "all three are leased by p1")
	n, err := b.s.MessageLeaseReleaseOwn(b.ctx, "p1", claimedIDs(held), base.Add(time.Hour))
	require.NoError(t, err)
	require.Equal(t, 2, n)
	again := claim(t, b, "p1", base.Add(time.Hour), 10)
	require.ElementsMatch(t, claimedIDs(lost), claimedIDs(again), "the lost ones are due again, for p1 too")
	require.Equal(t, 1, again[0].Attempts, "the lost attempt is not counted")
	n, err = b.s.MessageLeaseReleaseOwn(b.ctx, "p1", nil, base.Add(time.Hour))
	require.NoError(t, err)
	require.Equal(t, 3, n, "with nothing kept, all of p1's")
}

func testQueueRecordUnderLease(t *testing.T, b *bundle) {
	queueFixture(t, b, b.ws, model.MsgQueued, model.MsgQueued, model.MsgQueued)
	got := claim(t, b, "p1", base.Add(time.Minute), 10)
	require.Len(t, got, 3)
	at := base.Add(2 * time.Minute)
	outcomes := []*store.MessageOutcome{
		sent(b, got[0], "p1", at),
		{WorkspaceID: b.ws.ID, ID: got[1].ID, Owner: "p1", To: model.MsgFailed, Attempts: 1, Reason: "550 no such user",
			LastReply: "550 no such user", At: at, Entries: []model.MessageEvent{{At: at, Status: model.MsgFailed, Attempt: 1, Detail: "550 no such user"}}},
		// Another owner's outcome for p1's message does not apply.
		{WorkspaceID: b.ws.ID, ID: got[2].ID, Owner: "p9", To: model.MsgFailed, Attempts: 1, At: at},
		// Nor does one in the wrong workspace.
		{WorkspaceID: b.other.ID, ID: got[2].ID, Owner: "p1", To: model.MsgFailed, Attempts: 1, At: at},
	}
	applied, err := b.s.MessageRecord(b.ctx, outcomes)
	require.NoError(t, err)
	require.Equal(t, []bool{true, true, false, false}, applied)
	m, err := b.s.MessageGet(b.ctx, b.ws.ID, got[0].ID)
	require.NoError(t, err)
	require.Equal(t, model.MsgSent, m.Status)
	require.True(t, m.SentAt.Equal(at))
	require.Equal(t, "250 ok", m.LastReply)
	require.Equal(t, []model.MessageStatus{model.MsgPlanned, model.MsgQueued, model.MsgSending, model.MsgSent}, timelineStatuses(m.Timeline))
	m, err = b.s.MessageGet(b.ctx, b.ws.ID, got[1].ID)
	require.NoError(t, err)
	require.Equal(t, model.MsgFailed, m.Status)
	require.Equal(t, "550 no such user", m.Reason)
	// A final message is not changed again, not even by a delivery.
	applied, err = b.s.MessageRecord(b.ctx, []*store.MessageOutcome{sent(b, got[1], "p1", at)})
	require.NoError(t, err)
	require.Equal(t, []bool{false}, applied)
	require.Empty(t, claim(t, b, "p2", base.Add(90*time.Second), 10), "only the unrecorded one is left, under its lease")
	require.Equal(t, []string{got[2].ID}, claimedIDs(claim(t, b, "p2", base.Add(2*time.Hour), 10)))
}

// A message the mail server accepted is recorded as sent even when the
// sender's lease passed to another process meanwhile; that process's own
// outcome then no longer applies, so the message stays sent.
func testQueueRecordDeliveredAfterLeaseMoved(t *testing.T, b *bundle) {
	queueFixture(t, b, b.ws, model.MsgQueued)
	first := claim(t, b, "slow", base, 10)
	second := claim(t, b, "p2", base.Add(time.Minute), 10)
	require.Len(t, second, 1)
	at := base.Add(70 * time.Second)
	applied, err := b.s.MessageRecord(b.ctx, []*store.MessageOutcome{sent(b, first[0], "slow", at)})
	require.NoError(t, err)
	require.Equal(t, []bool{true}, applied)
	retry := at.Add(time.Minute)
	applied, err = b.s.MessageRecord(b.ctx, []*store.MessageOutcome{{WorkspaceID: b.ws.ID, ID: second[0].ID, Owner: "p2",
		To: model.MsgRetrying, Attempts: 2, DueAt: &retry, At: at}})
	require.NoError(t, err)
	require.Equal(t, []bool{false}, applied)
	m, err := b.s.MessageGet(b.ctx, b.ws.ID, first[0].ID)
	require.NoError(t, err)
	require.Equal(t, model.MsgSent, m.Status)
	require.Empty(t, claim(t, b, "p3", base.Add(time.Hour), 10))
}

// A claim given back unsent (a stopping server) is due again at once, with
// the attempt not counted and nothing on the timeline.
func testQueueRelease(t *testing.T, b *bundle) {
	queueFixture(t, b, b.ws, model.MsgQueued)
	got := claim(t, b, "p1", base, 10)
	now := base.Add(time.Second)
	applied, err := b.s.MessageRecord(b.ctx, []*store.MessageOutcome{{WorkspaceID: b.ws.ID, ID: got[0].ID, Owner: "p1",
		To: model.MsgQueued, Attempts: got[0].Attempts - 1, DueAt: &now, At: now}})
	require.NoError(t, err)
	require.Equal(t, []bool{true}, applied)
	m, err := b.s.MessageGet(b.ctx, b.ws.ID, got[0].ID)
	require.NoError(t, err)
	require.Equal(t, model.MsgQueued, m.Status)
	require.Equal(t, 0, m.Attempts)
	require.Len(t, m.Timeline, 2)
	again := claim(t, b, "p2", now, 10)
	require.Equal(t, claimedIDs(got), claimedIDs(again))
	require.Equal(t, 1, again[0].Attempts)
}

func testQueueRetryIsDueLater(t *testing.T, b *bundle) {
	queueFixture(t, b, b.ws, model.MsgQueued)
	got := claim(t, b, "p1", base, 10)
	next := base.Add(10 * time.Minute)
	applied, err := b.s.MessageRecord(b.ctx, []*store.MessageOutcome{{WorkspaceID: b.ws.ID, ID: got[0].ID, Owner: "p1",
		To: model.MsgRetrying, Attempts: 1, Reason: "451 later", LastReply: "451 later", DueAt: &next, At: base,
		Entries: []model.MessageEvent{{At: base, Status: model.MsgRetrying, Attempt: 1, Detail: "451 later", NextAttemptAt: &next}}}})
	require.NoError(t, err)
	require.Equal(t, []bool{true}, applied)
	m, err := b.s.MessageGet(b.ctx, b.ws.ID, got[0].ID)
	require.NoError(t, err)
	require.Equal(t, model.MsgRetrying, m.Status)
	require.True(t, m.NextAttemptAt.Equal(next))
	require.Equal(t, "451 later", m.Reason)
	require.Empty(t, claim(t, b, "p1", next.Add(-time.Millisecond), 10), "not before its next attempt")
	again := claim(t, b, "p1", next, 10)
	require.Len(t, again, 1)
	require.Equal(t, 2, again[0].Attempts)
	st, err := b.s.MessageQueueStats(b.ctx)
	require.NoError(t, err)
	require.Equal(t, 1, st.Depth)
}

func testQueueLeaseRenew(t *testing.T, b *bundle) {
	queueFixture(t, b, b.ws, model.MsgQueued, model.MsgQueued)
	got := claim(t, b, "p1", base.Add(time.Second), 10) // leases until base+1m1s
	require.Len(t, got, 2)
	n, err := b.s.MessageLeaseRenew(b.ctx, "p1", []string{got[0].ID}, base.Add(3*time.Minute))
	require.NoError(t, err)
	require.Equal(t, 1, n)
	n, err = b.s.MessageLeaseRenew(b.ctx, "p9", []string{got[1].ID}, base.Add(3*time.Minute))
	require.NoError(t, err)
	require.Zero(t, n, "only the owner renews its leases")
	again := claim(t, b, "p2", base.Add(2*time.Minute), 10)
	require.Equal(t, []string{got[1].ID}, claimedIDs(again), "the renewed lease holds, the other ran out")
}

// A single server that starts ends the leases its previous run left:
// those messages are due at once, the server's own leases stay.
func testQueueLeaseExpire(t *testing.T, b *bundle) {
	queueFixture(t, b, b.ws, model.MsgQueued, model.MsgQueued)
	dead := claim(t, b, "dead", base.Add(time.Second), 1)
	mine := claim(t, b, "me", base.Add(time.Second), 1)
	require.Len(t, mine, 1)
	now := base.Add(2 * time.Second)
	n, err := b.s.MessageLeaseExpire(b.ctx, "me", now)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	got := claim(t, b, "me", now, 10)
	require.Equal(t, claimedIDs(dead), claimedIDs(got))
	require.NotEqual(t, claimedIDs(mine), claimedIDs(got))
}

// Claims racing each other never hand out one message twice.
func testQueueConcurrentClaims(t *testing.T, b *bundle) {
	statuses := make([]model.MessageStatus, 300)
	for i := range statuses {
		statuses[i] = model.MsgQueued
	}
	queueFixture(t, b, b.ws, statuses...)
	var mu sync.Mutex
	seen := map[string]string{}
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for w := range 6 {
		owner := fmt.Sprintf("p%d", w)
		wg.Go(func() {
			for {
				c, err := b.s.MessageClaim(b.ctx, &store.MessageClaimParams{Owner: owner, Now: base.Add(time.Hour),
					LeaseUntil: base.Add(2 * time.Hour), Limit: 7})
				if err != nil {
					errs <- err
					return
				}
				if len(c) == 0 {
					return
				}
				mu.Lock()
				for _, m := range c {
					if prev, dup := seen[m.ID]; dup {
						errs <- fmt.Errorf("%s claimed by %s and %s", m.ID, prev, owner)
					}
					seen[m.ID] = owner
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	ids := make([]string, 0, len(seen))
	for id := range seen {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	require.Len(t, ids, 300, "every message claimed once")
}
