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

func init() {
	pipelineCases = append(pipelineCases,
		storeCase{"WatcherAddRemove", testWatcherAddRemove},
		storeCase{"WatcherLimit", testWatcherLimit},
		storeCase{"WatcherConcurrent", testWatcherConcurrent},
		storeCase{"WatchedList", testWatchedList},
		storeCase{"ObjectUpsertKeepsWatchers", testObjectUpsertKeepsWatchers},
	)
}

func putObject(t *testing.T, b *bundle, ws int64, collection, id string, watchers ...string) model.ObjectRef {
	t.Helper()
	o := normalized(&model.Object{Collection: collection, ID: id, Subscribers: watchers, CreatedAt: base, UpdatedAt: base})
	_, err := b.s.ObjectUpsert(b.ctx, ws, o)
	require.NoError(t, err)
	return model.ObjectRef{Collection: collection, ID: id}
}

func watchersOf(t *testing.T, b *bundle, ws int64, ref model.ObjectRef) []string {
	t.Helper()
	o, err := b.s.ObjectGet(b.ctx, ws, ref)
	require.NoError(t, err)
	return o.Subscribers
}

// testWatcherAddRemove: one watcher at a time, idempotent, in order, scoped
// by workspace, ErrNotFound for an unknown object.
func testWatcherAddRemove(t *testing.T, b *bundle) {
	ref := putObject(t, b, b.ws.ID, "tickets", "4711", "c-1")
	otherRef := putObject(t, b, b.other.ID, "tickets", "4711", "c-1")
	later := base.Add(time.Hour)
	p := func(contact string) *store.WatcherParams {
		return &store.WatcherParams{WorkspaceID: b.ws.ID, Object: ref, ContactID: contact, At: later}
	}

	added, err := b.s.WatcherAdd(b.ctx, p("c-2"))
	require.NoError(t, err)
	require.True(t, added)
	added, err = b.s.WatcherAdd(b.ctx, p("c-2"))
	require.NoError(t, err)
	require.False(t, added, "a watcher is listed once")
	added, err = b.s.WatcherAdd(b.ctx, p("c-3"))
	require.NoError(t, err)
	require.True(t, added)
	o, err := b.s.ObjectGet(b.ctx, b.ws.ID, ref)
	require.NoError(t, err)
	require.Equal(t, []string{"c-1", "c-2", "c-3"}, o.Subscribers)
	require.Equal(t, later, o.UpdatedAt)

	removed, err := b.s.WatcherRemove(b.ctx, p("c-2"))
	require.NoError(t, err)
	require.True(t, removed)
	removed, err = b.s.WatcherRemove(b.ctx, p("c-2"))
	require.NoError(t, err)
	require.False(t, removed, "removing an absent watcher changes nothing")
	require.Equal(t, []string{"c-1", "c-3"}, watchersOf(t, b, b.ws.ID, ref), "the others keep their order")
	for _, c := range []string{"c-1", "c-3"} {
		removed, err = b.s.WatcherRemove(b.ctx, p(c))
		require.NoError(t, err)
		require.True(t, removed)
	}
	require.Equal(t, []string{}, watchersOf(t, b, b.ws.ID, ref), "the last one leaves an empty list")

	require.Equal(t, []string{"c-1"}, watchersOf(t, b, b.other.ID, otherRef), "the other workspace is untouched")

	for _, bad := range []*store.WatcherParams{
		{WorkspaceID: b.ws.ID, Object: model.ObjectRef{Collection: "tickets", ID: "404"}, ContactID: "c-1", At: later},
		{WorkspaceID: b.ws.ID, Object: model.ObjectRef{Collection: "projects", ID: "4711"}, ContactID: "c-1", At: later},
	} {
		_, err = b.s.WatcherAdd(b.ctx, bad)
		require.ErrorIs(t, err, store.ErrNotFound, "%v", bad.Object)
		_, err = b.s.WatcherRemove(b.ctx, bad)
		require.ErrorIs(t, err, store.ErrNotFound, "%v", bad.Object)
	}
}

// testWatcherLimit: an object holds at most store.MaxWatchers.
func testWatcherLimit(t *testing.T, b *bundle) {
	ids := make([]string, store.MaxWatchers-1)
	for i := range ids {
		ids[i] = fmt.Sprintf("c-%04d", i)
	}
	ref := putObject(t, b, b.ws.ID, "projects", "big", ids...)
	p := &store.WatcherParams{WorkspaceID: b.ws.ID, Object: ref, ContactID: "last", At: base}
	added, err := b.s.WatcherAdd(b.ctx, p)
	require.NoError(t, err)
	require.True(t, added, "the %dth watcher fits", store.MaxWatchers)
	p.ContactID = "one-too-many"
	added, err = b.s.WatcherAdd(b.ctx, p)
	require.NoError(t, err)
	require.False(t, added)
	got := watchersOf(t, b, b.ws.ID, ref)
	require.Len(t, got, store.MaxWatchers)
	require.Equal(t, "last", got[len(got)-1])
}

// testWatcherConcurrent: many writers adding and removing different
// watchers of one object at once lose none of each other's changes.
func testWatcherConcurrent(t *testing.T, b *bundle) {
	const n = 16
	var initial []string
	for i := range n {
		initial = append(initial, fmt.Sprintf("old-%02d", i))
	}
	ref := putObject(t, b, b.ws.ID, "tickets", "hot", initial...)
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for i := range n {
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, err := b.s.WatcherAdd(b.ctx, &store.WatcherParams{WorkspaceID: b.ws.ID, Object: ref,
				ContactID: fmt.Sprintf("new-%02d", i), At: base})
			errs <- err
		}()
		go func() {
			defer wg.Done()
			_, err := b.s.WatcherRemove(b.ctx, &store.WatcherParams{WorkspaceID: b.ws.ID, Object: ref,
				ContactID: fmt.Sprintf("old-%02d", i), At: base})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	got := watchersOf(t, b, b.ws.ID, ref)
	sort.Strings(got)
	want := make([]string, n)
	for i := range want {
		want[i] = fmt.Sprintf("new-%02d", i)
	}
	require.Equal(t, want, got)
}

// testWatchedList: the objects one contact watches, paged by collection
// and id, scoped by workspace.
func testWatchedList(t *testing.T, b *bundle) {
	putObject(t, b, b.ws.ID, "tickets", "2", "c-1", "c-2")
	putObject(t, b, b.ws.ID, "tickets", "1", "c-2", "c-1")
	putObject(t, b, b.ws.ID, "tickets", "3", "c-2")
	putObject(t, b, b.ws.ID, "projects", "p", "c-1")
	putObject(t, b, b.ws.ID, "projects-old", "a", "c-1")
	putObject(t, b, b.other.ID, "tickets", "9", "c-1")

	list := func(after model.ObjectRef, limit int) []model.ObjectRef {
		refs, err := b.s.WatchedList(b.ctx, &store.WatchedListParams{WorkspaceID: b.ws.ID, ContactID: "c-1",
			After: after, Limit: limit})
		require.NoError(t, err)
		return refs
	}
	require.Equal(t, []model.ObjectRef{{Collection: "projects", ID: "p"}, {Collection: "projects-old", ID: "a"},
		{Collection: "tickets", ID: "1"}, {Collection: "tickets", ID: "2"}}, list(model.ObjectRef{}, 10))
	require.Equal(t, []model.ObjectRef{{Collection: "projects", ID: "p"}, {Collection: "projects-old", ID: "a"}},
		list(model.ObjectRef{}, 2))
	require.Equal(t, []model.ObjectRef{{Collection: "tickets", ID: "1"}, {Collection: "tickets", ID: "2"}},
		list(model.ObjectRef{Collection: "projects-old", ID: "a"}, 2))
	require.Empty(t, list(model.ObjectRef{Collection: "tickets", ID: "2"}, 2))

	refs, err := b.s.WatchedList(b.ctx, &store.WatchedListParams{WorkspaceID: b.ws.ID, ContactID: "c-404", Limit: 10})
	require.NoError(t, err)
	require.Empty(t, refs)
}

// testObjectUpsertKeepsWatchers: saving an object without subscribers (nil)
// keeps the watchers added one by one; an explicit list replaces them.
func testObjectUpsertKeepsWatchers(t *testing.T, b *bundle) {
	o := normalized(&model.Object{Collection: "tickets", ID: "4711", CreatedAt: base, UpdatedAt: base})
	_, err := b.s.ObjectUpsert(b.ctx, b.ws.ID, o)
	require.NoError(t, err)
	require.Equal(t, []string{}, o.Subscribers, "a new object without watchers has none")
	ref := model.ObjectRef{Collection: "tickets", ID: "4711"}
	_, err = b.s.WatcherAdd(b.ctx, &store.WatcherParams{WorkspaceID: b.ws.ID, Object: ref, ContactID: "c-1", At: base})
	require.NoError(t, err)

	o = normalized(&model.Object{Collection: "tickets", ID: "4711", Attributes: map[string]any{"status": "open"},
		CreatedAt: base, UpdatedAt: base.Add(time.Hour)})
	require.Nil(t, o.Subscribers)
	_, err = b.s.ObjectUpsert(b.ctx, b.ws.ID, o)
	require.NoError(t, err)
	require.Equal(t, []string{"c-1"}, o.Subscribers, "the upsert reports the watchers it kept")
	require.Equal(t, []string{"c-1"}, watchersOf(t, b, b.ws.ID, ref))

	o.Subscribers = []string{}
	_, err = b.s.ObjectUpsert(b.ctx, b.ws.ID, o)
	require.NoError(t, err)
	require.Equal(t, []string{}, watchersOf(t, b, b.ws.ID, ref), "an explicit empty list replaces them")
}
