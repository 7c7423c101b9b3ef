package storetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

func init() {
	pipelineCases = append(pipelineCases,
		storeCase{"DigestConcurrentAdds", testDigestConcurrentAdds},
		storeCase{"DigestWindowClaimPurge", testDigestWindowClaimPurge})
}

// digestAdd is a DigestItemAddParams for recipient anna and key in ws,
// arriving at now with a 10-minute close.
func digestAdd(ws int64, id, key, event string, now time.Time) *store.DigestItemAddParams {
	return &store.DigestItemAddParams{ID: id, WorkspaceID: ws, Flow: "standard", Notification: "n1", Recipient: "anna",
		To: model.Address{ContactID: "anna", Email: "anna@example.org", Name: "Anna"}, Key: key, EventID: event,
		Data: []byte(`{"event":{"id":"` + event + `"}}`), Item: []byte(`{"n":"` + event + `"}`),
		Now: now, ClosesAt: now.Add(10 * time.Minute), Deadline: now.Add(10 * time.Minute)}
}

// testDigestConcurrentAdds: many writers adding to one key at once make
// exactly one digest with the exact total and every item numbered once;
// another key, or the same key in another workspace, is another digest.
func testDigestConcurrentAdds(t *testing.T, b *bundle) {
	const writers, each = 16, 5
	var wg sync.WaitGroup
	errs := make(chan error, writers*each)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				ev := fmt.Sprintf("e%02d-%d", w, i)
				errs <- b.s.WithTx(b.ctx, func(tx store.Tx) error {
					_, err := tx.DigestItemAdd(b.ctx, digestAdd(b.ws.ID, "d-"+ev, "ticket-1", ev, base))
					return err
				})
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	other, err := b.s.DigestItemAdd(b.ctx, digestAdd(b.other.ID, "d-other", "ticket-1", "x1", base))
	require.NoError(t, err)
	require.Equal(t, 1, other.Total, "another workspace's key is its own digest")
	second, err := b.s.DigestItemAdd(b.ctx, digestAdd(b.ws.ID, "d-second", "ticket-2", "x2", base))
	require.NoError(t, err)
	require.Equal(t, "d-second", second.ID)
	require.Equal(t, 1, second.Total)

	due, err := b.s.DigestListDue(b.ctx, &store.DigestDueParams{Now: base.Add(10 * time.Minute), Limit: 10})
	require.NoError(t, err)
	require.Len(t, due, 3, "one digest for ticket-1, one for ticket-2, one in the other workspace")
	states, err := b.s.DigestListByEvent(b.ctx, b.ws.ID, "e07-3")
	require.NoError(t, err)
	require.Len(t, states, 1)
	require.Equal(t, writers*each, states[0].Total)
	require.Equal(t, "ticket-1", states[0].Key)
	require.Equal(t, model.DigestOpen, states[0].Status)
	items, err := b.s.DigestItems(b.ctx, &store.DigestItemsParams{WorkspaceID: b.ws.ID, DigestID: states[0].ID, Limit: 1000})
	require.NoError(t, err)
	require.Len(t, items, writers*each, "every item kept once")
	none, err := b.s.DigestListByEvent(b.ctx, b.other.ID, "e07-3")
	require.NoError(t, err)
	require.Empty(t, none, "another workspace sees nothing of it")
}

// testDigestWindowClaimPurge: a sliding window moves with each item up to
// its deadline; reaching max items closes at once; due is inclusive of
// the exact close; of two claims only one wins; a claimed digest's key
// opens a new digest; first and last items come in arrival order; purge
// takes only closed digests older than its time.
func testDigestWindowClaimPurge(t *testing.T, b *bundle) {
	add := func(p *store.DigestItemAddParams) *store.DigestItemAddResult {
		t.Helper()
		r, err := b.s.DigestItemAdd(b.ctx, p)
		require.NoError(t, err)
		return r
	}
	sliding := func(id, ev string, at time.Time) *store.DigestItemAddParams {
		p := digestAdd(b.ws.ID, id, "s", ev, at)
		p.Sliding, p.Deadline = true, base.Add(30*time.Minute)
		return p
	}
	r := add(sliding("d1", "e1", base))
	require.True(t, base.Add(10*time.Minute).Equal(r.ClosesAt))
	r = add(sliding("unused", "e2", base.Add(5*time.Minute)))
	require.Equal(t, "d1", r.ID)
	require.True(t, base.Add(15*time.Minute).Equal(r.ClosesAt), "each item moves a sliding close, got %s", r.ClosesAt)
	r = add(sliding("unused", "e3", base.Add(14*time.Minute)))
	require.True(t, base.Add(24*time.Minute).Equal(r.ClosesAt), "got %s", r.ClosesAt)
	r = add(sliding("unused", "e4", base.Add(23*time.Minute)))
	require.True(t, base.Add(30*time.Minute).Equal(r.ClosesAt), "but never past the deadline, got %s", r.ClosesAt)

	fixed := func(ev string, at time.Time) *store.DigestItemAddParams {
		p := digestAdd(b.ws.ID, "m-"+ev, "m", ev, at)
		p.MaxItems = 3
		return p
	}
	add(fixed("m1", base))
	r = add(fixed("m2", base.Add(time.Minute)))
	require.True(t, base.Add(10*time.Minute).Equal(r.ClosesAt))
	r = add(fixed("m3", base.Add(2*time.Minute)))
	require.Equal(t, 3, r.Total)
	require.True(t, base.Add(2*time.Minute).Equal(r.ClosesAt), "max items reached: closes at once, got %s", r.ClosesAt)

	due := func(at time.Time) []store.DigestDue {
		d, err := b.s.DigestListDue(b.ctx, &store.DigestDueParams{Now: at, Limit: 10})
		require.NoError(t, err)
		return d
	}
	require.Empty(t, due(base.Add(2*time.Minute-time.Millisecond)))
	require.Equal(t, []store.DigestDue{{WorkspaceID: b.ws.ID, ID: "m-m1"}}, due(base.Add(2*time.Minute)))
	_, err := b.s.DigestClaim(b.ctx, &store.DigestClaimParams{WorkspaceID: b.ws.ID, ID: "d1", Now: base.Add(29 * time.Minute)})
	require.ErrorIs(t, err, store.ErrNotFound, "not due yet")

	var wins, losses int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			err := b.s.WithTx(b.ctx, func(tx store.Tx) error {
				_, err := tx.DigestClaim(b.ctx, &store.DigestClaimParams{WorkspaceID: b.ws.ID, ID: "d1", Now: base.Add(30 * time.Minute)})
				return err
			})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case errors.Is(err, store.ErrNotFound):
				losses++
			default:
				t.Errorf("claim: %v", err)
			}
		})
	}
	wg.Wait()
	require.Equal(t, 1, wins, "one closer gets the digest")
	require.Equal(t, 3, losses)
	_, err = b.s.DigestClaim(b.ctx, &store.DigestClaimParams{WorkspaceID: b.other.ID, ID: "m-m1", Now: base.Add(time.Hour)})
	require.ErrorIs(t, err, store.ErrNotFound, "another workspace cannot claim it")
	c, err := b.s.DigestClaim(b.ctx, &store.DigestClaimParams{WorkspaceID: b.ws.ID, ID: "m-m1", Now: base.Add(3 * time.Minute)})
	require.NoError(t, err)
	require.Equal(t, 3, c.Total)
	require.Equal(t, "m1", c.FirstEventID)
	require.Equal(t, model.Address{ContactID: "anna", Email: "anna@example.org", Name: "Anna"}, c.To)
	require.JSONEq(t, `{"event":{"id":"m1"}}`, string(c.Data))
	require.Equal(t, model.DigestClosed, c.Status)
	require.NoError(t, b.s.DigestSetMessage(b.ctx, &store.DigestSetMessageParams{WorkspaceID: b.ws.ID, ID: "m-m1", MessageID: "msg1"}))

	first, err := b.s.DigestItems(b.ctx, &store.DigestItemsParams{WorkspaceID: b.ws.ID, DigestID: "m-m1", Limit: 2})
	require.NoError(t, err)
	require.Equal(t, []string{`{"n":"m1"}`, `{"n":"m2"}`}, asStrings(first))
	last, err := b.s.DigestItems(b.ctx, &store.DigestItemsParams{WorkspaceID: b.ws.ID, DigestID: "m-m1", Last: true, Limit: 2})
	require.NoError(t, err)
	require.Equal(t, []string{`{"n":"m2"}`, `{"n":"m3"}`}, asStrings(last))

	r = add(fixed("m4", base.Add(4*time.Minute)))
	require.Equal(t, "m-m4", r.ID, "a closed digest's key opens a new one")
	require.Equal(t, 1, r.Total)
	add(fixed("m5", base.Add(4*time.Minute)))
	r = add(fixed("m6", base.Add(4*time.Minute)))
	require.Equal(t, 3, r.Total)
	r = add(fixed("m7", base.Add(4*time.Minute)))
	require.Equal(t, "m-m7", r.ID, "a full digest takes no more items, even before it is closed")
	require.Equal(t, 1, r.Total)
	states, err := b.s.DigestListByEvent(b.ctx, b.ws.ID, "m2")
	require.NoError(t, err)
	require.Len(t, states, 1)
	require.Equal(t, "msg1", states[0].MessageID)
	require.NotNil(t, states[0].ClosedAt)
	require.True(t, base.Add(3*time.Minute).Equal(*states[0].ClosedAt))

	n, err := b.s.DigestPurge(b.ctx, &store.PurgeParams{WorkspaceID: b.ws.ID, Before: base.Add(3 * time.Minute), Limit: 10})
	require.NoError(t, err)
	require.Zero(t, n, "closed exactly at the purge time: kept")
	n, err = b.s.DigestPurge(b.ctx, &store.PurgeParams{WorkspaceID: b.ws.ID, Before: base.Add(time.Hour), Limit: 10})
	require.NoError(t, err)
	require.Equal(t, 2, n, "the two closed digests go, the open and full ones stay")
	states, err = b.s.DigestListByEvent(b.ctx, b.ws.ID, "m2")
	require.NoError(t, err)
	require.Empty(t, states)
	require.Equal(t, []store.DigestDue{{WorkspaceID: b.ws.ID, ID: "m-m4"}, {WorkspaceID: b.ws.ID, ID: "m-m7"}}, due(base.Add(time.Hour)),
		"the full digest and the one its next item opened are still to close")
}

func asStrings(bs [][]byte) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = string(b)
	}
	return out
}
