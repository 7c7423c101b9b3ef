package e2e_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/client"
)

// TestDeclineReasonRecordedAndExplained: a reason given when declining is
// recorded in the message's timeline and explain quotes it, in English
// and German; approving refuses a reason, and an overlong one is refused
// with the field named, leaving the message waiting.
func TestDeclineReasonRecordedAndExplained(t *testing.T) {
	t.Parallel()
	e, c, _ := demoEnv(t)
	ctx := context.Background()
	held := func(promoter string) string {
		res, err := c.SendEvent(ctx, &client.Event{Type: "booking.confirmed", Project: "messe-koeln",
			Actors: map[string][]client.Actor{"promoter": {client.ContactID(promoter)}},
			Data:   map[string]any{"job": "Standbetreuung", "date": "2026-04-15"}})
		require.NoError(t, err)
		require.Len(t, res.Messages, 1)
		require.Equal(t, client.StatusAwaitingConfirmation, res.Messages[0].Status)
		return res.Messages[0].ID
	}
	ben, anna := held("p-ben"), held("p-anna")

	r := e.Do("POST", "/v1/messages/"+anna+"/approve", map[string]any{"reason": "passt"})
	require.Equal(t, 422, r.Status, "%s", r.Body)
	require.Contains(t, string(r.Body), `"reason"`)
	r = e.Do("POST", "/v1/confirmations/decline", map[string]any{"ids": []string{anna}, "reason": strings.Repeat("ü", 501)})
	require.Equal(t, 422, r.Status, "%s", r.Body)
	require.Contains(t, string(r.Body), `"reason"`)
	require.Equal(t, "awaiting_confirmation", e.MessageStatus(anna), "a refused decision changes nothing")
	// 500 characters are accepted (umlauts count as one).
	ds, err := c.DeclineBecause(ctx, []string{anna}, "", strings.Repeat("ü", 500))
	require.NoError(t, err)
	require.True(t, ds[0].Applied)

	e.Must(200, "POST", "/v1/messages/"+ben+"/decline", map[string]any{"actor": "Maria Schulz",
		"reason": "Termin telefonisch abgesagt"})
	msg, err := c.Message(ctx, ben)
	require.NoError(t, err)
	last := msg.Timeline[len(msg.Timeline)-1]
	require.Equal(t, "declined", string(last.Status))
	require.Equal(t, "Termin telefonisch abgesagt", last.Detail)

	ex, err := c.Explain(ctx, eventOf(t, e, ben), "en")
	require.NoError(t, err)
	require.Contains(t, stepText(ex, "message.declined"), "Maria Schulz declined the message to Ben Okafor")
	require.Contains(t, stepText(ex, "message.declined"), "(reason: Termin telefonisch abgesagt)")
	ex, err = c.Explain(ctx, eventOf(t, e, ben), "de")
	require.NoError(t, err)
	require.Contains(t, stepText(ex, "message.declined"), "abgelehnt (Grund: Termin telefonisch abgesagt)")
}
