package service

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/clock"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store/sqlite"
)

// simService is a service on a real SQLite file with a workspace whose
// project p uses flow f (one notification on event ping).
func simService(t *testing.T) (*Service, *model.Workspace) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "herold.db"), sqlite.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	require.NoError(t, st.Migrate(ctx))
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	ws := &model.Workspace{Key: "acme", Name: "Acme", DefaultLocale: "de", Timezone: "Europe/Berlin", RetentionDays: 30,
		ConfirmationExpiryHours: 168, CreatedAt: at, UpdatedAt: at}
	require.NoError(t, st.WorkspaceInsert(ctx, ws))
	_, err = st.TemplateUpsert(ctx, ws.ID, &model.Template{Key: "t", Name: "T", Locales: map[string]model.TemplateContent{
		"de": {Subject: "Ping", Text: "Ping"}}, CreatedAt: at, UpdatedAt: at})
	require.NoError(t, err)
	_, err = st.FlowUpsert(ctx, ws.ID, &model.Flow{Key: "f", Name: "F", Notifications: []model.Notification{{Key: "ping",
		EventType: "ping", Template: "t", Recipients: []model.Recipient{"role:to"}, Status: model.StatusActive}}, CreatedAt: at, UpdatedAt: at})
	require.NoError(t, err)
	_, err = st.ProjectUpsert(ctx, ws.ID, &model.Project{Key: "p", Name: "P", Flow: "f", CreatedAt: at, UpdatedAt: at})
	require.NoError(t, err)
	svc, err := New(Config{Store: st, Clock: clock.NewFake(at)})
	require.NoError(t, err)
	return svc, ws
}

func simInput() *SimulateInput {
	return &SimulateInput{Events: []*EventInput{{Type: "ping", Project: "p", OccurredAt: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}}}
}

// TestSimulationsAtOnceAreBounded: while two simulations run, a third is
// refused at once with ErrOverloaded; when one ends, it runs.
func TestSimulationsAtOnceAreBounded(t *testing.T) {
	t.Parallel()
	svc, ws := simService(t)
	ctx := context.Background()
	for range maxSimulations {
		svc.simulations.slots <- struct{}{} // two simulations in progress
	}
	_, err := svc.Simulate(ctx, ws, "f", simInput(), "en")
	require.ErrorIs(t, err, ErrOverloaded)
	<-svc.simulations.slots
	sim, err := svc.Simulate(ctx, ws, "f", simInput(), "en")
	require.NoError(t, err)
	require.Len(t, sim.Events, 1)
}

// TestSimulationTimeLimit: a simulation past its time limit answers with
// the field events and what to do; a caller that gave up gets its own
// error, not the limit's.
func TestSimulationTimeLimit(t *testing.T) {
	t.Parallel()
	svc, ws := simService(t)
	svc.simulations.timeout = time.Nanosecond
	_, err := svc.Simulate(context.Background(), ws, "f", simInput(), "en")
	var verr *ValidationError
	require.ErrorAs(t, err, &verr)
	require.Equal(t, "events", verr.Fields[0].Field)
	require.Equal(t, CodeTooLong, verr.Fields[0].Code)
	require.Contains(t, verr.Fields[0].Detail, "took longer than 1ns; simulate fewer events or a shorter span")

	svc.simulations.timeout = time.Minute
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = svc.Simulate(ctx, ws, "f", simInput(), "en")
	require.ErrorIs(t, err, context.Canceled)
}
