package e2e_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/client"
)

// TestSimulationClosesDigests: a simulation closes a digest as the engine
// does, at the time its window ends and not at the next event or at
// until: a sliding window of 10 minutes with at most 30 takes four
// events 8 minutes apart and closes at its deadline, 30 minutes after
// the first, as one message with all four items.
func TestSimulationClosesDigests(t *testing.T) {
	t.Parallel()
	e, _ := digestEnv(t, map[string]any{"window": map[string]any{"type": "sliding", "duration": "10m", "max": "30m"}},
		time.Hour, roomySimulations)
	c := client.MustNew(e.URL, e.Key, client.WithTimeout(roomy))
	t0 := e.Clock.Now().Truncate(time.Minute)
	var events []*client.Event
	for i := range 4 {
		ev := update(i+1, "x", inline("anna", "anna@example.org"))
		at := t0.Add(time.Duration(8*i) * time.Minute)
		ev.OccurredAt = &at
		events = append(events, ev)
	}
	until := t0.Add(2 * time.Hour)
	sim, err := c.Simulate(context.Background(), "f", &client.Simulation{Events: events, Until: &until}, "de")
	require.NoError(t, err)
	require.Len(t, sim.Messages, 1, "one digest message: %+v", sim.Messages)
	m := sim.Messages[0]
	require.Equal(t, client.OutcomeSent, m.Outcome)
	require.True(t, m.At.Equal(t0.Add(30*time.Minute)), "closes at the deadline, not at %s", m.At)
	require.Equal(t, "4 Updates zu", m.Subject)
}
