package service_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/clock"
	"github.com/herold-dev/herold/internal/demo"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
	"github.com/herold-dev/herold/internal/store"
	"github.com/herold-dev/herold/internal/store/sqlite"
)

// TestConfirmationLeavesAwaitingCount: a message held for confirmation
// counts as awaiting_confirmation on the day it was planned only while it
// waits; approved, declined or expired, it leaves that count (on its own
// day, though decided the next) and counts only under where it went, and
// a decision that does not apply takes nothing off.
func TestConfirmationLeavesAwaitingCount(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "herold.db"), sqlite.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	require.NoError(t, st.Migrate(ctx))
	// 23:30 in Berlin, the demo workspace's zone: the next day starts in
	// half an hour.
	clk := clock.NewFake(time.Date(2026, 3, 2, 22, 30, 0, 0, time.UTC))
	svc, err := service.New(service.Config{Store: st, Clock: clk})
	require.NoError(t, err)
	loaded, err := demo.Load(ctx, svc)
	require.NoError(t, err)
	ws := loaded.Workspace

	held := func() string {
		res, err := svc.Ingest(ctx, ws, &service.EventInput{Type: "booking.confirmed", Project: "messe-koeln",
			Actors: map[string][]string{"promoter": {"p-anna"}},
			Data:   map[string]any{"job": "Aufbau", "date": "2026-04-15"}})
		require.NoError(t, err)
		require.Len(t, res.Messages, 1)
		require.Equal(t, model.MsgAwaitingConfirmation, res.Messages[0].Status)
		return res.Messages[0].ID
	}
	approved, declined, expiring := held(), held(), held()
	stats := func() []store.StatsRow {
		t.Helper()
		s, err := svc.StatsList(ctx, ws, service.StatsParams{From: "2026-03-01", To: "2026-03-31"})
		require.NoError(t, err)
		return s.Items
	}
	require.Equal(t, []store.StatsRow{{Day: "2026-03-02", Status: model.MsgAwaitingConfirmation, Count: 3}}, stats())

	clk.Advance(time.Hour) // 00:30 on 3 March in Berlin
	ds, err := svc.Approve(ctx, ws, []string{approved}, "dispo")
	require.NoError(t, err)
	require.True(t, ds[0].Applied)
	ds, err = svc.Decline(ctx, ws, []string{declined}, "dispo", "")
	require.NoError(t, err)
	require.True(t, ds[0].Applied)
	want := []store.StatsRow{
		{Day: "2026-03-02", Status: model.MsgAwaitingConfirmation, Count: 1},
		{Day: "2026-03-03", Status: model.MsgDeclined, Count: 1},
	}
	require.Equal(t, want, stats(), "the approved message counts again when it is sent or fails")

	ds, err = svc.Approve(ctx, ws, []string{approved, declined}, "dispo")
	require.NoError(t, err)
	require.False(t, ds[0].Applied)
	require.False(t, ds[1].Applied)
	require.Equal(t, want, stats(), "a decision that does not apply changes no count")

	clk.Advance(8 * 24 * time.Hour)
	require.NoError(t, svc.ExpireConfirmations(ctx))
	require.Equal(t, model.MsgExpired, messageStatus(t, svc, ws, expiring))
	require.Equal(t, []store.StatsRow{
		{Day: "2026-03-03", Status: model.MsgDeclined, Count: 1},
		{Day: "2026-03-11", Status: model.MsgExpired, Count: 1},
	}, stats())
}

func messageStatus(t *testing.T, svc *service.Service, ws *model.Workspace, id string) model.MessageStatus {
	t.Helper()
	m, err := svc.MessageGet(context.Background(), ws, id)
	require.NoError(t, err)
	return m.Status
}
