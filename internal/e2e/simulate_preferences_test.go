package e2e_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/client"
	"github.com/herold-dev/herold/internal/smtptest"
)

// TestSimulationHonoursPreferences: the workspace sends summaries at
// 17:30; anna (Berlin) chose a daily summary of news, ben opted out of
// news by e-mail through the API. A simulation of two news to anna and
// one to ben on Saturday 28 March 2026 shows anna's summary of two at
// 17:30 CET (16:30 UTC) and ben's message suppressed with the ledger's
// reason, and explains ben's with the same words as the engine. Then the
// engine takes the same events at the same times on its fake clock and
// does exactly that: one summary mail to anna at 16:30 UTC, nothing to
// ben.
func TestSimulationHonoursPreferences(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	t0 := time.Date(2026, 3, 28, 12, 0, 0, 0, time.UTC)
	e, _ := summaryEnv(t, srv, nil, t0, roomySimulations)
	c := client.MustNew(e.URL, e.Key, client.WithTimeout(roomy))
	ctx := context.Background()
	e.Must(200, "PATCH", "/v1/workspace", map[string]any{"summary_schedule": map[string]any{"at": "17:30"}})
	_, err := c.SetPreferences(ctx, "anna", []client.PreferenceUpdate{{Category: "news", Frequency: "daily"}})
	require.NoError(t, err)
	_, err = c.SetPreferences(ctx, "ben", []client.PreferenceUpdate{{Category: "news", Email: "out"}})
	require.NoError(t, err)

	events := []*client.Event{newsFor("news", 1, "anna"), newsFor("news", 2, "anna"), newsFor("news", 3, "ben")}
	for i, ev := range events {
		at := t0.Add(time.Duration(i) * 10 * time.Minute)
		ev.OccurredAt = &at
	}
	until := time.Date(2026, 3, 29, 12, 0, 0, 0, time.UTC)
	sim, err := c.Simulate(ctx, "f", &client.Simulation{Events: events, Until: &until}, "en")
	require.NoError(t, err)
	var got []string
	for _, m := range sim.Messages {
		got = append(got, m.At.UTC().Format("02 15:04")+" "+m.Outcome+" "+m.Reason+" "+m.To.Email+" "+m.Subject)
	}
	require.Equal(t, []string{
		"28 12:20 suppressed opted_out ben@example.org ", // a suppressed message is not rendered
		"28 16:30 sent  anna@example.org Ihre Zusammenfassung: 2 Benachrichtigungen"}, got)
	simBen := stepText(&client.Explanation{Steps: sim.Events[2].Steps}, "recipient.suppressed")
	require.Contains(t, simBen, "opted out")
	require.Equal(t, 0, srv.Count(), "a simulation sends nothing")

	// The engine, the same events at the same times.
	var benEvent string
	for i, ev := range events {
		e.Clock.Set(*ev.OccurredAt)
		ev.OccurredAt = nil
		res, err := c.SendEvent(ctx, ev)
		require.NoError(t, err)
		if i == 2 {
			benEvent = res.ID
		}
	}
	e.Clock.Set(time.Date(2026, 3, 28, 16, 29, 0, 0, time.UTC))
	require.Zero(t, closeDue(t, e))
	e.Clock.Set(time.Date(2026, 3, 28, 16, 30, 0, 0, time.UTC))
	require.Equal(t, 1, closeDue(t, e))
	mail := srv.WaitForMails(t, 1, wait)[0]
	require.Equal(t, []string{"anna@example.org"}, mail.Rcpts)
	require.Equal(t, "Ihre Zusammenfassung: 2 Benachrichtigungen", mail.Header.Get("Subject"))
	var msgs []*client.Message
	for m, err := range c.Messages(ctx, client.MessageFilter{Event: benEvent}) {
		require.NoError(t, err)
		msgs = append(msgs, m)
	}
	require.Len(t, msgs, 1)
	require.Equal(t, client.MessageStatus("suppressed"), msgs[0].Status)
	require.Equal(t, "opted_out", msgs[0].Reason)
	ex, err := c.Explain(ctx, benEvent, "en")
	require.NoError(t, err)
	require.Equal(t, simBen, stepText(ex, "recipient.suppressed"), "the simulation explains as the engine does")
	e.Clock.Set(until)
	require.Zero(t, closeDue(t, e))
	require.Equal(t, 1, srv.Count(), "nothing else")
}
