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
		storeCase{"ConfigRevisions", testConfigRevisions},
		storeCase{"ConfigRevisionRace", testConfigRevisionRace},
	)
}

func sampleRevision(i int) *model.ConfigRevision {
	return &model.ConfigRevision{Author: "ci", Message: "change " + string(rune('a'+i)), State: "st" + string(rune('a'+i)),
		Documents: []byte(`[{"kind":"Flow","name":"standard"}]`), CreatedAt: base.Add(time.Duration(i) * time.Minute)}
}

// testConfigRevisions: numbers count per workspace from 1, the latest
// comes with its documents, lists page newest first without documents,
// and no workspace sees another's revisions.
func testConfigRevisions(t *testing.T, b *bundle) {
	_, err := b.s.ConfigRevisionLatest(b.ctx, b.ws.ID)
	require.ErrorIs(t, err, store.ErrNotFound)

	var revs []*model.ConfigRevision
	for i := range 3 {
		r := sampleRevision(i)
		require.NoError(t, b.s.ConfigRevisionInsert(b.ctx, b.ws.ID, r))
		require.Equal(t, int64(i+1), r.Number)
		revs = append(revs, r)
	}
	o := sampleRevision(9)
	require.NoError(t, b.s.ConfigRevisionInsert(b.ctx, b.other.ID, o))
	require.Equal(t, int64(1), o.Number, "numbering is per workspace")

	latest, err := b.s.ConfigRevisionLatest(b.ctx, b.ws.ID)
	require.NoError(t, err)
	require.Equal(t, revs[2], latest)
	got, err := b.s.ConfigRevisionGet(b.ctx, b.ws.ID, 2)
	require.NoError(t, err)
	require.Equal(t, revs[1], got)
	_, err = b.s.ConfigRevisionGet(b.ctx, b.other.ID, 2)
	require.ErrorIs(t, err, store.ErrNotFound, "revision visible in another workspace")

	page, err := b.s.ConfigRevisionList(b.ctx, &store.ConfigRevisionListParams{WorkspaceID: b.ws.ID, Limit: 2})
	require.NoError(t, err)
	require.Len(t, page, 2)
	require.Equal(t, []int64{3, 2}, []int64{page[0].Number, page[1].Number})
	require.Nil(t, page[0].Documents)
	require.Equal(t, "change c", page[0].Message)
	page, err = b.s.ConfigRevisionList(b.ctx, &store.ConfigRevisionListParams{WorkspaceID: b.ws.ID, Before: 2, Limit: 2})
	require.NoError(t, err)
	require.Len(t, page, 1)
	require.Equal(t, int64(1), page[0].Number)
}

// testConfigRevisionRace: two writers at once each get their own number
// or a conflict, never the same number twice.
func testConfigRevisionRace(t *testing.T, b *bundle) {
	var wg sync.WaitGroup
	nums := make([]int64, 2)
	errs := make([]error, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := sampleRevision(i)
			errs[i] = b.s.ConfigRevisionInsert(b.ctx, b.ws.ID, r)
			nums[i] = r.Number
		}()
	}
	wg.Wait()
	for i := range 2 {
		if errs[i] != nil {
			require.ErrorIs(t, errs[i], store.ErrConflict)
		}
	}
	if errs[0] == nil && errs[1] == nil {
		require.NotEqual(t, nums[0], nums[1])
	}
}
