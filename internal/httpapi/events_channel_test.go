package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
)

// TestEventAnswerNamesChannels: for a notification on in-app and e-mail,
// the answer to POST /v1/events, GET /v1/events/{id} and the batch answer
// name each message's channel, so that a host application tells the in-app
// message from the e-mail to the same person.
func TestEventAnswerNamesChannels(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t)
	e.Must(http.StatusOK, "PATCH", "/v1/workspace", map[string]any{"sender": map[string]any{"from": "Herold Test <noreply@herold.example>"}})
	e.Must(http.StatusCreated, "PUT", "/v1/templates/ping", map[string]any{"locales": map[string]any{"de": map[string]any{
		"subject": "Ping {{ .data.n }}", "text": "Hallo {{ .recipient.name }}",
		"inapp": map[string]any{"title": "Ping {{ .data.n }}"},
	}}})
	e.Must(http.StatusCreated, "PUT", "/v1/flows/f", map[string]any{"notifications": []any{
		map[string]any{"key": "ping", "event_type": "ping", "template": "ping", "recipients": []string{"role:to"},
			"channels": []string{"inapp", "email"}},
	}})
	e.Must(http.StatusCreated, "PUT", "/v1/projects/p", map[string]any{"flow": "f"})
	event := map[string]any{"type": "ping", "project": "p", "data": map[string]any{"n": 1},
		"actors": map[string]any{"to": []any{map[string]any{"id": "anna", "email": "anna@example.org", "name": "Anna"}}}}

	type answer struct {
		ID       string `json:"id"`
		Messages []struct {
			Channel string `json:"channel"`
			To      struct {
				Contact string `json:"contact"`
			} `json:"to"`
		} `json:"messages"`
	}
	channels := func(a answer) []string {
		var out []string
		for _, m := range a.Messages {
			require.Equal(t, "anna", m.To.Contact)
			out = append(out, m.Channel)
		}
		return out
	}
	var posted, got answer
	e.Must(http.StatusCreated, "POST", "/v1/events", event).JSON(t, &posted)
	require.ElementsMatch(t, []string{"email", "inapp"}, channels(posted))
	e.Must(http.StatusOK, "GET", "/v1/events/"+posted.ID, nil).JSON(t, &got)
	require.ElementsMatch(t, []string{"email", "inapp"}, channels(got))

	var batch struct {
		Results []answer `json:"results"`
	}
	e.Must(http.StatusOK, "POST", "/v1/events/batch", map[string]any{"events": []any{event}}).JSON(t, &batch)
	require.Len(t, batch.Results, 1)
	require.ElementsMatch(t, []string{"email", "inapp"}, channels(batch.Results[0]))
}
