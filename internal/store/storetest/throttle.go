package storetest

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

func init() {
	pipelineCases = append(pipelineCases,
		storeCase{"ThrottleAndQuietHoursSettings", testThrottleSettings},
		storeCase{"ThrottleCounts", testThrottleCounts},
		storeCase{"ThrottleCountsConcurrent", testThrottleCountsConcurrent})
}

// testThrottleSettings: a notification's throttle rules and urgent flag,
// and a workspace's quiet hours, round-trip through insert, update and
// the flow's save as a whole.
func testThrottleSettings(t *testing.T, b *bundle) {
	f := sampleFlow("standard", "tmpl")
	f.Notifications[0].Throttle = []model.ThrottleRule{{Max: 5, Window: "1h", Scope: model.ThrottleCategory},
		{Max: 1, Window: "15m", Scope: model.ThrottleKey, Key: "{{.object.id}}"}}
	f.Notifications[0].Urgent = true
	_, err := b.s.FlowUpsert(b.ctx, b.ws.ID, f)
	require.NoError(t, err)
	got, err := b.s.FlowGet(b.ctx, b.ws.ID, "standard")
	require.NoError(t, err)
	require.Equal(t, f.Notifications[0].Throttle, got.Notifications[0].Throttle)
	require.True(t, got.Notifications[0].Urgent)
	require.Nil(t, got.Notifications[1].Throttle)
	require.False(t, got.Notifications[1].Urgent)

	n := got.Notifications[1]
	n.Throttle, n.Urgent = []model.ThrottleRule{{Max: 2, Window: "24h", Scope: model.ThrottleNotification}}, true
	_, err = b.s.NotificationUpsert(b.ctx, &store.NotificationUpsertParams{WorkspaceID: b.ws.ID, Flow: "standard", Notification: &n, At: base})
	require.NoError(t, err)
	got, err = b.s.FlowGet(b.ctx, b.ws.ID, "standard")
	require.NoError(t, err)
	require.Equal(t, n.Throttle, got.Notifications[1].Throttle)
	require.True(t, got.Notifications[1].Urgent)

	ws := *b.ws
	ws.QuietHours = "22:00-07:00"
	require.NoError(t, b.s.WorkspaceUpdate(b.ctx, &ws))
	gotWS, err := b.s.WorkspaceGetByID(b.ctx, ws.ID)
	require.NoError(t, err)
	require.Equal(t, model.QuietHours("22:00-07:00"), gotWS.QuietHours)
	other, err := b.s.WorkspaceGetByID(b.ctx, b.other.ID)
	require.NoError(t, err)
	require.Empty(t, other.QuietHours)
}

// testThrottleCounts: counters start at 0, add up per workspace, key and
// window, and are purged once their window ended.
func testThrottleCounts(t *testing.T, b *bundle) {
	w1 := store.ThrottleWindow{Key: "category:support|1h0m0s|c:anna", Start: base, End: base.Add(time.Hour)}
	w2 := store.ThrottleWindow{Key: w1.Key, Start: base.Add(time.Hour), End: base.Add(2 * time.Hour)}
	lock := func(ws int64, w ...store.ThrottleWindow) map[store.ThrottleWindow]int {
		t.Helper()
		got, err := b.s.ThrottleCountsLock(b.ctx, &store.ThrottleCountsLockParams{WorkspaceID: ws, Windows: w})
		require.NoError(t, err)
		return got
	}
	require.Equal(t, map[store.ThrottleWindow]int{w1: 0, w2: 0}, lock(b.ws.ID, w1, w2, w1))
	require.NoError(t, b.s.ThrottleCountsAdd(b.ctx, &store.ThrottleCountsAddParams{WorkspaceID: b.ws.ID,
		Adds: map[store.ThrottleWindow]int{w1: 3, w2: 1}}))
	require.Equal(t, map[store.ThrottleWindow]int{w1: 3, w2: 1}, lock(b.ws.ID, w1, w2))
	require.Equal(t, map[store.ThrottleWindow]int{w1: 0}, lock(b.other.ID, w1), "another workspace counts on its own")

	n, err := b.s.ThrottleCountPurge(b.ctx, &store.PurgeParams{WorkspaceID: b.ws.ID, Before: w1.End, Limit: 10})
	require.NoError(t, err)
	require.Equal(t, 0, n, "a window that ends exactly at Before is kept")
	n, err = b.s.ThrottleCountPurge(b.ctx, &store.PurgeParams{WorkspaceID: b.ws.ID, Before: w1.End.Add(time.Millisecond), Limit: 10})
	require.NoError(t, err)
	require.Equal(t, 1, n)
	require.Equal(t, map[store.ThrottleWindow]int{w1: 0, w2: 1}, lock(b.ws.ID, w1, w2))
	require.Equal(t, map[store.ThrottleWindow]int{w1: 0}, lock(b.other.ID, w1), "purge stays in its workspace")
}

// testThrottleCountsConcurrent: 12 transactions at once each take a slot
// when the count is below 3: exactly 3 succeed.
func testThrottleCountsConcurrent(t *testing.T, b *bundle) {
	w := store.ThrottleWindow{Key: "notification:f/n|1h0m0s|c:anna", Start: base, End: base.Add(time.Hour)}
	var took atomic.Int32
	var wg sync.WaitGroup
	for range 12 {
		wg.Go(func() {
			err := b.s.WithTx(b.ctx, func(tx store.Tx) error {
				got, err := tx.ThrottleCountsLock(b.ctx, &store.ThrottleCountsLockParams{WorkspaceID: b.ws.ID, Windows: []store.ThrottleWindow{w}})
				if err != nil || got[w] >= 3 {
					return err
				}
				if err := tx.ThrottleCountsAdd(b.ctx, &store.ThrottleCountsAddParams{WorkspaceID: b.ws.ID,
					Adds: map[store.ThrottleWindow]int{w: 1}}); err != nil {
					return err
				}
				took.Add(1)
				return nil
			})
			require.NoError(t, err)
		})
	}
	wg.Wait()
	require.Equal(t, int32(3), took.Load())
	got, err := b.s.ThrottleCountsLock(b.ctx, &store.ThrottleCountsLockParams{WorkspaceID: b.ws.ID, Windows: []store.ThrottleWindow{w}})
	require.NoError(t, err)
	require.Equal(t, 3, got[w])
}
