package e2e_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/client"
	"github.com/herold-dev/herold/internal/smtptest"
)

// TestSimulationRollsUp: a simulation of five events within an hour
// under "2/1h roll-up" shows what the engine then does: two mails at
// once, three rolled up, and one summary of three at the window's end.
func TestSimulationRollsUp(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	e, _ := summaryEnv(t, srv, []any{map[string]any{"max": 2, "window": "1h", "roll_up": true}},
		time.Date(2026, 3, 2, 9, 5, 0, 0, time.UTC), roomySimulations)
	c := client.MustNew(e.URL, e.Key, client.WithTimeout(roomy))
	t0 := e.Clock.Now()
	var events []*client.Event
	for i := range 5 {
		ev := newsFor("news", i+1, "anna")
		at := t0.Add(time.Duration(i) * time.Minute)
		ev.OccurredAt = &at
		events = append(events, ev)
	}
	until := t0.Add(2 * time.Hour)
	sim, err := c.Simulate(context.Background(), "f", &client.Simulation{Events: events, Until: &until}, "de")
	require.NoError(t, err)
	var got []string
	for _, m := range sim.Messages {
		got = append(got, m.At.UTC().Format("15:04")+" "+m.Outcome+" "+m.Reason+" "+m.Subject)
	}
	require.Equal(t, []string{
		"09:05 sent  Neuigkeit 1", "09:06 sent  Neuigkeit 2",
		"09:07 suppressed rolled_up Neuigkeit 3", "09:08 suppressed rolled_up Neuigkeit 4", "09:09 suppressed rolled_up Neuigkeit 5",
		"10:00 sent  3 weitere Benachrichtigungen"}, got)
}
