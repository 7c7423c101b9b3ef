package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

func init() {
	pipelineCases = append(pipelineCases,
		storeCase{"FeedAppendOncePerMessage", testFeedAppendOnce},
		storeCase{"FeedListPages", testFeedList},
		storeCase{"FeedMarkUpToLeavesNewArrivals", testFeedMarkUpTo},
		storeCase{"FeedMarksAndCounts", testFeedMarks},
		storeCase{"FeedConcurrentWriters", testFeedConcurrent},
		storeCase{"FeedSettings", testFeedSettings},
		storeCase{"FeedPurge", testFeedPurge},
	)
}

func feedAppend(t *testing.T, b *bundle, ws int64, contact, msg string, at time.Time) *model.FeedItem {
	t.Helper()
	it, created, err := b.s.FeedAppend(b.ctx, &store.FeedAppendParams{WorkspaceID: ws, ContactID: contact, MessageID: msg,
		Category: "transactional", Item: model.InAppContent{Title: "T " + msg, Body: "B", Link: "/x",
			Actions: []model.InAppAction{{Label: "Open", URL: "https://example.org/" + msg}}}, At: at})
	require.NoError(t, err)
	require.True(t, created)
	return it
}

func feedCounts(t *testing.T, b *bundle, contact string, now time.Time) model.FeedCounts {
	t.Helper()
	c, err := b.s.FeedCounts(b.ctx, b.ws.ID, contact, now)
	require.NoError(t, err)
	return *c
}

func testFeedAppendOnce(t *testing.T, b *bundle) {
	first := feedAppend(t, b, b.ws.ID, "c-1", "m-1", base)
	require.Equal(t, int64(1), first.Seq)
	require.Equal(t, "T m-1", first.Title)
	require.Equal(t, "https://example.org/m-1", first.Actions[0].URL)
	require.Equal(t, base, first.CreatedAt)
	again, created, err := b.s.FeedAppend(b.ctx, &store.FeedAppendParams{WorkspaceID: b.ws.ID, ContactID: "c-1",
		MessageID: "m-1", Item: model.InAppContent{Title: "changed"}, At: base.Add(time.Minute)})
	require.NoError(t, err)
	require.False(t, created, "a retried delivery does not add a second item")
	require.Equal(t, first, again)
	second := feedAppend(t, b, b.ws.ID, "c-1", "m-2", base)
	require.Equal(t, int64(2), second.Seq)
	require.Greater(t, second.Version, first.Version)
	// Another contact and another workspace count from 1 on their own.
	require.Equal(t, int64(1), feedAppend(t, b, b.ws.ID, "c-2", "m-3", base).Seq)
	require.Equal(t, int64(1), feedAppend(t, b, b.other.ID, "c-1", "m-1", base).Seq)
	require.Equal(t, model.FeedCounts{Unread: 2, Unseen: 2, Version: second.Version}, feedCounts(t, b, "c-1", base))
}

func testFeedList(t *testing.T, b *bundle) {
	for i := range 5 {
		feedAppend(t, b, b.ws.ID, "c-1", "m-"+string(rune('a'+i)), base)
	}
	feedAppend(t, b, b.other.ID, "c-1", "x", base)
	p := &store.FeedListParams{WorkspaceID: b.ws.ID, ContactID: "c-1", Now: base, Limit: 2}
	var seqs []int64
	for {
		page, err := b.s.FeedList(b.ctx, p)
		require.NoError(t, err)
		for _, it := range page {
			seqs = append(seqs, it.Seq)
		}
		if len(page) < p.Limit {
			break
		}
		p.Before = page[len(page)-1].Seq
	}
	require.Equal(t, []int64{5, 4, 3, 2, 1}, seqs, "newest first, each once, only this workspace's")
}

func testFeedMarkUpTo(t *testing.T, b *bundle) {
	feedAppend(t, b, b.ws.ID, "c-1", "m-1", base)
	seen := feedAppend(t, b, b.ws.ID, "c-1", "m-2", base)
	feedAppend(t, b, b.ws.ID, "c-1", "m-3", base) // arrives after the person saw m-2
	n, err := b.s.FeedMark(b.ctx, &store.FeedMarkParams{WorkspaceID: b.ws.ID, ContactID: "c-1", Mark: model.FeedRead,
		UpTo: seen.Seq, At: base.Add(time.Minute)})
	require.NoError(t, err)
	require.Equal(t, 2, n)
	c := feedCounts(t, b, "c-1", base)
	require.Equal(t, 1, c.Unread, "the item that arrived after the one seen stays unread")
	require.Equal(t, 1, c.Unseen, "read implies seen")
	changes, err := b.s.FeedChanges(b.ctx, &store.FeedChangesParams{WorkspaceID: b.ws.ID, ContactID: "c-1",
		After: seen.Version + 1, Limit: 10})
	require.NoError(t, err)
	require.Len(t, changes, 2, "the marked items changed after the last append")
	require.Equal(t, c.Version, changes[0].Version)
	require.Equal(t, base.Add(time.Minute), *changes[0].ReadAt)
}

func testFeedMarks(t *testing.T, b *bundle) {
	for _, m := range []string{"m-1", "m-2", "m-3"} {
		feedAppend(t, b, b.ws.ID, "c-1", m, base)
	}
	mark := func(m model.FeedMark, until time.Time, seqs ...int64) int {
		n, err := b.s.FeedMark(b.ctx, &store.FeedMarkParams{WorkspaceID: b.ws.ID, ContactID: "c-1", Mark: m,
			Seqs: seqs, Until: until, At: base})
		require.NoError(t, err)
		return n
	}
	require.Equal(t, 2, mark(model.FeedSeen, time.Time{}, 1, 2))
	require.Equal(t, 0, mark(model.FeedSeen, time.Time{}, 1), "seen twice changes nothing")
	require.Equal(t, model.FeedCounts{Unread: 3, Unseen: 1}, withoutVersion(feedCounts(t, b, "c-1", base)))
	require.Equal(t, 1, mark(model.FeedRead, time.Time{}, 3))
	require.Equal(t, 1, mark(model.FeedUnread, time.Time{}, 3))
	require.Equal(t, 1, mark(model.FeedArchived, time.Time{}, 1))
	require.Equal(t, 1, mark(model.FeedSnoozed, base.Add(time.Hour), 2))
	require.Equal(t, model.FeedCounts{Unread: 1, Unseen: 0}, withoutVersion(feedCounts(t, b, "c-1", base)),
		"archived and snoozed items do not count")
	require.Equal(t, 2, feedCounts(t, b, "c-1", base.Add(time.Hour)).Unread, "a snooze that ended counts again")
	inbox, err := b.s.FeedList(b.ctx, &store.FeedListParams{WorkspaceID: b.ws.ID, ContactID: "c-1", Now: base, Limit: 10})
	require.NoError(t, err)
	require.Len(t, inbox, 1)
	require.Equal(t, int64(3), inbox[0].Seq)
	archive, err := b.s.FeedList(b.ctx, &store.FeedListParams{WorkspaceID: b.ws.ID, ContactID: "c-1", Archived: true,
		Now: base, Limit: 10})
	require.NoError(t, err)
	require.Len(t, archive, 1)
	require.Equal(t, int64(1), archive[0].Seq)
	require.Equal(t, 1, mark(model.FeedUnarchive, time.Time{}, 1))
	// Other workspaces' items with the same contact id are not touched.
	feedAppend(t, b, b.other.ID, "c-1", "m-1", base)
	c, err := b.s.FeedCounts(b.ctx, b.other.ID, "c-1", base)
	require.NoError(t, err)
	require.Equal(t, 1, c.Unread)
}

func withoutVersion(c model.FeedCounts) model.FeedCounts { c.Version = 0; return c }

// testFeedConcurrent: appends and "mark all read up to N" racing on one
// contact never lose an item, give no seq twice, and the counts match
// the items.
func testFeedConcurrent(t *testing.T, b *bundle) {
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for i := range n {
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, _, err := b.s.FeedAppend(b.ctx, &store.FeedAppendParams{WorkspaceID: b.ws.ID, ContactID: "c-1",
				MessageID: "m-" + string(rune('A'+i)), Item: model.InAppContent{Title: "t"}, At: base})
			errs <- err
		}()
		go func() {
			defer wg.Done()
			_, err := b.s.FeedMark(b.ctx, &store.FeedMarkParams{WorkspaceID: b.ws.ID, ContactID: "c-1",
				Mark: model.FeedRead, UpTo: int64(i), At: base})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	items, err := b.s.FeedList(b.ctx, &store.FeedListParams{WorkspaceID: b.ws.ID, ContactID: "c-1", Now: base, Limit: 100})
	require.NoError(t, err)
	require.Len(t, items, n)
	unread, versions := 0, map[int64]bool{}
	for i, it := range items {
		require.Equal(t, int64(n-i), it.Seq, "seqs are 1..n without gaps or doubles")
		if it.ReadAt == nil {
			unread++
		}
		versions[it.Version] = true
	}
	c := feedCounts(t, b, "c-1", base)
	require.Equal(t, unread, c.Unread)
	for v := range versions {
		require.LessOrEqual(t, v, c.Version)
	}
}

func testFeedSettings(t *testing.T, b *bundle) {
	_, err := b.s.FeedSettingsGet(b.ctx, b.ws.ID)
	require.ErrorIs(t, err, store.ErrNotFound)
	s := &model.FeedSettings{Secret: "new", PreviousSecret: "old", Origins: []string{"https://app.example.org"}, UpdatedAt: base}
	require.NoError(t, b.s.FeedSettingsPut(b.ctx, b.ws.ID, s))
	got, err := b.s.FeedSettingsGet(b.ctx, b.ws.ID)
	require.NoError(t, err)
	require.Equal(t, s, got)
	_, err = b.s.FeedSettingsGet(b.ctx, b.other.ID)
	require.ErrorIs(t, err, store.ErrNotFound, "settings are per workspace")
}

// testFeedPurge: items that arrived before the cut go, in batches; newer
// ones and other workspaces' stay.
func testFeedPurge(t *testing.T, b *bundle) {
	feedAppend(t, b, b.ws.ID, "c-1", "old-1", base.Add(-48*time.Hour))
	feedAppend(t, b, b.ws.ID, "c-2", "old-2", base.Add(-25*time.Hour))
	feedAppend(t, b, b.ws.ID, "c-1", "edge", base.Add(-24*time.Hour))
	feedAppend(t, b, b.other.ID, "c-1", "old-other", base.Add(-48*time.Hour))
	p := &store.PurgeParams{WorkspaceID: b.ws.ID, Before: base.Add(-24 * time.Hour), Limit: 1}
	n, err := b.s.FeedPurge(b.ctx, p)
	require.NoError(t, err)
	require.Equal(t, 1, n, "a batch")
	n, err = b.s.FeedPurge(b.ctx, p)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	n, err = b.s.FeedPurge(b.ctx, p)
	require.NoError(t, err)
	require.Equal(t, 0, n, "an item exactly at the cut stays")
	left, err := b.s.FeedList(b.ctx, &store.FeedListParams{WorkspaceID: b.ws.ID, ContactID: "c-1", Now: base, Limit: 10})
	require.NoError(t, err)
	require.Len(t, left, 1)
	require.Equal(t, "edge", left[0].MessageID)
	c, err := b.s.FeedCounts(b.ctx, b.other.ID, "c-1", base)
	require.NoError(t, err)
	require.Equal(t, 1, c.Unread, "other workspaces keep theirs")
}
