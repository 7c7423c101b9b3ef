// Package e2e_test runs Herold end to end: the whole server in-process on a
// real SQLite file, a real SMTP server in the test (go-smtp on 127.0.0.1:0)
// whose received mail the tests read, and the Go client over HTTP.
package e2e_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/client"
	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/smtptest"
)

const wait = 15 * time.Second

// demoEnv starts Herold with the demo workspace, delivering to a test SMTP
// server, and returns a client on the demo workspace.
func demoEnv(t *testing.T, opts ...smtptest.Option) (*apptest.Env, *client.Client, *smtptest.Server) {
	t.Helper()
	srv := smtptest.Start(t, opts...)
	e := apptest.Start(t, apptest.WithSMTP(srv), apptest.WithDemo)
	require.NotEmpty(t, e.App.Demo.Secret)
	return e.WithKey(e.App.Demo.Secret), client.MustNew(e.URL, e.App.Demo.Secret), srv
}

func jobRequest(promoter string) *client.Event {
	return &client.Event{Type: "job.requested", Project: "messe-koeln",
		Actors: map[string][]client.Actor{"promoter": {client.ContactID(promoter)}},
		Data:   map[string]any{"job": "Standbetreuung", "date": "2026-04-15", "reply_by": "2026-03-20"}}
}

func TestDemoJobRequestWithBCCToAgency(t *testing.T) {
	t.Parallel()
	e, c, srv := demoEnv(t)
	ctx := context.Background()
	res, err := c.SendEvent(ctx, jobRequest("p-anna"))
	require.NoError(t, err)
	require.Len(t, res.Messages, 1)
	m := res.Messages[0]
	require.Equal(t, client.StatusQueued, m.Status)
	require.Equal(t, "anna.berger@example.com", m.To.Email)
	require.Equal(t, []client.Address{{Contact: "a-dispo", Email: "dispo@agentur-nord.example", Name: "Disposition Agentur Nord"}}, m.BCC)

	mails := srv.WaitForMails(t, 1, wait)
	got := mails[0]
	require.Equal(t, "dispo@agentur-nord.example", got.From)
	require.ElementsMatch(t, []string{"anna.berger@example.com", "dispo@agentur-nord.example"}, got.Rcpts,
		"the agency must be in the envelope")
	require.Empty(t, got.Header.Get("Bcc"), "BCC must not appear in the headers")
	require.Contains(t, got.Header.Get("To"), "anna.berger@example.com")
	require.NotContains(t, got.Header.Get("To")+got.Header.Get("Cc"), "dispo@agentur-nord.example")
	require.Equal(t, "Neue Jobanfrage: Standbetreuung am 15. April 2026", got.Subject)
	require.Contains(t, got.HTML, "Hallo Anna Berger")
	require.Contains(t, got.Text, "Hallo Anna Berger", "a text part is derived from the HTML")

	e.WaitStatus(m.ID, "sent", wait)
	msg, err := c.Message(ctx, m.ID)
	require.NoError(t, err)
	require.Equal(t, "<"+msg.MessageID+">", got.Header.Get("Message-Id"))
	require.Contains(t, msg.LastReply, "250")
	require.Equal(t, 1, msg.Attempts)

	// Ben's locale is English.
	res, err = c.SendEvent(ctx, jobRequest("p-ben"))
	require.NoError(t, err)
	mails = srv.WaitForMails(t, 2, wait)
	require.Equal(t, "New job request: Standbetreuung on April 15, 2026", mails[1].Subject)
	e.WaitStatus(res.Messages[0].ID, "sent", wait)
}

func TestDemoConfirmationApprovedAndDeclined(t *testing.T) {
	t.Parallel()
	e, c, srv := demoEnv(t)
	ctx := context.Background()
	confirmed := func(promoter string) client.MessageSummary {
		res, err := c.SendEvent(ctx, &client.Event{Type: "booking.confirmed", Project: "messe-koeln",
			Actors: map[string][]client.Actor{"promoter": {client.ContactID(promoter)}},
			Data:   map[string]any{"job": "Standbetreuung", "date": "2026-04-15"}})
		require.NoError(t, err)
		require.Len(t, res.Messages, 1)
		require.Equal(t, client.StatusAwaitingConfirmation, res.Messages[0].Status, "the host app learns at once that it must ask")
		require.NotNil(t, res.Messages[0].ExpiresAt)
		return res.Messages[0]
	}
	anna, ben := confirmed("p-anna"), confirmed("p-ben")

	var pending struct {
		Items []struct {
			ID      string `json:"id"`
			Subject string `json:"subject"`
		} `json:"items"`
	}
	e.Must(200, "GET", "/v1/confirmations?project=messe-koeln", nil).JSON(t, &pending)
	require.Len(t, pending.Items, 2)
	require.Equal(t, 0, srv.Count(), "nothing is sent while awaiting confirmation")

	ds, err := c.Approve(ctx, []string{anna.ID}, "max.mustermann@agentur-nord.example")
	require.NoError(t, err)
	require.True(t, ds[0].Applied)
	ds, err = c.Decline(ctx, []string{ben.ID}, "max.mustermann@agentur-nord.example")
	require.NoError(t, err)
	require.True(t, ds[0].Applied)
	// Deciding twice changes nothing.
	ds, err = c.Approve(ctx, []string{ben.ID}, "someone")
	require.NoError(t, err)
	require.False(t, ds[0].Applied)
	require.ErrorIs(t, ds[0].Err, client.ErrConflict)
	require.ErrorContains(t, ds[0].Err, "declined")

	mails := srv.WaitForMails(t, 1, wait)
	require.Equal(t, []string{"anna.berger@example.com"}, mails[0].Rcpts)
	require.Equal(t, "Buchung bestätigt: Messe Köln 2026", mails[0].Subject)
	e.WaitStatus(anna.ID, "sent", wait)
	require.Equal(t, "declined", e.MessageStatus(ben.ID))

	msg, err := c.Message(ctx, anna.ID)
	require.NoError(t, err)
	statuses := []string{}
	for _, tl := range msg.Timeline {
		statuses = append(statuses, string(tl.Status))
	}
	require.Equal(t, []string{"planned", "awaiting_confirmation", "approved", "sending", "sent"}, statuses)
	require.Equal(t, "max.mustermann@agentur-nord.example", msg.Timeline[2].Actor)

	// The declined one is explained, and never delivered.
	ex, err := c.Explain(ctx, eventOf(t, e, ben.ID), "en")
	require.NoError(t, err)
	require.True(t, hasStep(ex, "message.declined"), "%+v", ex.Steps)
	require.Contains(t, stepText(ex, "message.declined"), "max.mustermann@agentur-nord.example declined the message to Ben Okafor")
	require.Equal(t, 1, srv.Count())
}

func TestDemoInactiveAndNoFlowExplained(t *testing.T) {
	t.Parallel()
	e, c, srv := demoEnv(t)
	ctx := context.Background()
	res, err := c.SendEvent(ctx, &client.Event{Type: "booking.cancelled", Project: "messe-koeln",
		Actors: map[string][]client.Actor{"promoter": {client.ContactID("p-anna")}}})
	require.NoError(t, err)
	require.Empty(t, res.Messages)
	ex, err := c.Explain(ctx, res.ID, "en")
	require.NoError(t, err)
	require.Equal(t, "Notification booking-cancelled is inactive, so it sent nothing.", stepText(ex, "notification.inactive"))
	require.Equal(t, "No message was sent for this event.", ex.Summary)
	exDE, err := c.Explain(ctx, res.ID, "de")
	require.NoError(t, err)
	require.Equal(t, "Die Benachrichtigung booking-cancelled ist inaktiv und hat nichts gesendet.", stepText(exDE, "notification.inactive"))

	res, err = c.SendEvent(ctx, &client.Event{Type: "job.requested", Project: "sommerfest"})
	require.NoError(t, err)
	require.Empty(t, res.Messages)
	// German through Accept-Language.
	r := e.Do("GET", "/v1/events/"+res.ID+"/explain", nil)
	require.Equal(t, 200, r.Status)
	var de client.Explanation
	r.JSON(t, &de)
	require.Equal(t, "en", de.Language, "no Accept-Language: English")
	c = client.MustNew(e.URL, e.App.Demo.Secret, client.WithLanguage("de-DE,de;q=0.9,en;q=0.5"))
	ex, err = c.Explain(ctx, res.ID, "")
	require.NoError(t, err)
	require.Equal(t, "de", ex.Language)
	require.Equal(t, "Nichts wurde gesendet: Dem Projekt sommerfest ist kein Benachrichtigungsablauf zugeordnet.", stepText(ex, "project.no_flow"))

	// A project that does not exist.
	res, err = c.SendEvent(ctx, &client.Event{Type: "job.requested", Project: "gibtsnicht"})
	require.NoError(t, err)
	ex, err = c.Explain(ctx, res.ID, "en")
	require.NoError(t, err)
	require.True(t, hasStep(ex, "project.unknown"))
	require.Equal(t, 0, srv.Count())
}

func TestDemoProjectCancelledReachesEveryone(t *testing.T) {
	t.Parallel()
	e, c, srv := demoEnv(t)
	ctx := context.Background()
	res, err := c.SendEvent(ctx, &client.Event{Type: "project.cancelled", Project: "messe-koeln", Data: map[string]any{"reason": "Messe fällt aus"}})
	require.NoError(t, err)
	statuses := map[string]string{}
	for _, m := range res.Messages {
		statuses[m.To.Contact] = string(m.Status)
	}
	require.Equal(t, map[string]string{"p-anna": "queued", "p-ben": "queued", "p-clara": "suppressed", "a-dispo": "queued"}, statuses)
	mails := srv.WaitForMails(t, 3, wait)
	var rcpts []string
	for _, m := range mails {
		rcpts = append(rcpts, m.Rcpts...)
	}
	slices.Sort(rcpts)
	require.Equal(t, []string{"anna.berger@example.com", "ben.okafor@example.com", "dispo@agentur-nord.example"}, rcpts)
	ex, err := c.Explain(ctx, res.ID, "en")
	require.NoError(t, err)
	require.Contains(t, stepText(ex, "recipient.suppressed"), "No message to Clara Wendt (p-clara): the contact has no e-mail address.")
	for _, m := range res.Messages {
		if m.Status == "queued" {
			e.WaitStatus(m.ID, "sent", wait)
		}
	}
	ex, err = c.Explain(ctx, res.ID, "en")
	require.NoError(t, err)
	require.Equal(t, "Messages for this event: 3 sent, 1 suppressed.", ex.Summary)
	require.True(t, strings.HasPrefix(stepText(ex, "message.sent"), "The message to "), stepText(ex, "message.sent"))
}

// eventOf finds the event of a message.
func eventOf(t *testing.T, e *apptest.Env, messageID string) string {
	t.Helper()
	var m struct {
		EventID string `json:"event_id"`
	}
	e.Must(200, "GET", "/v1/messages/"+messageID, nil).JSON(t, &m)
	return m.EventID
}

func hasStep(ex *client.Explanation, code string) bool {
	return stepText(ex, code) != ""
}

func stepText(ex *client.Explanation, code string) string {
	for _, s := range ex.Steps {
		if string(s.Code) == code {
			return s.Text
		}
	}
	return ""
}
