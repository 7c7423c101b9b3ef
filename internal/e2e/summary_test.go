package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/client"
	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/smtptest"
)

// summaryEnv starts a server with a notification "news" (category news)
// and "receipt" (transactional), both with a subject naming the event's
// n, and the contacts anna (German, Berlin) and ben (English, New York),
// who consent to news. The periodic digest job runs hourly: the test
// closes summaries itself at the (fake) time it sets.
func summaryEnv(t *testing.T, srv *smtptest.Server, throttle []any, at time.Time, modify ...func(*apptest.Setup)) (*apptest.Env, *client.Client) {
	t.Helper()
	e := apptest.Start(t, append([]func(*apptest.Setup){apptest.WithSMTP(srv), func(s *apptest.Setup) {
		s.Jobs.DigestEvery = time.Hour
		s.Clock.Set(at)
	}}, modify...)...)
	// The admin lets recipients choose a daily or weekly summary of news.
	e.Must(200, "PATCH", "/v1/workspace", map[string]any{"sender": map[string]any{"from": "Herold Test <noreply@herold.example>"},
		"vocabulary": map[string]any{"category_details": map[string]any{"news": map[string]any{"frequencies": []string{"daily", "weekly"}}}}})
	e.Must(201, "PUT", "/v1/templates/news", map[string]any{"locales": map[string]any{
		"de": map[string]any{"subject": "Neuigkeit {{ .data.n }}", "text": "Text {{ .data.n }}"},
		"en": map[string]any{"subject": "News {{ .data.n }}", "text": "Text {{ .data.n }}"}}})
	news := map[string]any{"key": "news", "event_type": "news", "template": "news", "recipients": []string{"role:to"}, "category": "news"}
	if throttle != nil {
		news["throttle"] = throttle
	}
	e.Must(201, "PUT", "/v1/flows/f", map[string]any{"notifications": []any{news,
		map[string]any{"key": "receipt", "event_type": "receipt", "template": "news", "recipients": []string{"role:to"}, "category": "transactional"},
	}})
	e.Must(201, "PUT", "/v1/projects/p", map[string]any{"flow": "f"})
	c := client.MustNew(e.URL, e.Key)
	ctx := context.Background()
	require.NoError(t, c.PutContact(ctx, &client.Contact{ID: "anna", Email: "anna@example.org", Locale: "de",
		Timezone: "Europe/Berlin", Consents: []string{"news"}}))
	require.NoError(t, c.PutContact(ctx, &client.Contact{ID: "ben", Email: "ben@example.org", Locale: "en",
		Timezone: "America/New_York", Consents: []string{"news"}}))
	return e, c
}

func newsFor(typ string, n int, to string) *client.Event {
	return &client.Event{Type: typ, Project: "p", Actors: map[string][]client.Actor{"to": {client.ContactID(to)}},
		Data: map[string]any{"n": n}}
}

// TestFrequencySummaryDailyOnDSTDayAndWeekly: anna chose a daily summary
// of news, ben a weekly one. On Saturday 28 March 2026 (Europe's clocks
// go forward that night) three news to anna and one to ben collect
// instead of going; a transactional receipt to anna goes at once. Anna's
// summary leaves at 08:00 Berlin on Sunday, which is 06:00 UTC (not a
// minute earlier), one German mail listing the three subjects and their
// times, with the preference link of the category; ben's leaves on
// Monday at 08:00 New York (12:00 UTC), in English. Explain says where
// each item went and, once sent, when and with how many items.
func TestFrequencySummaryDailyOnDSTDayAndWeekly(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	e, c := summaryEnv(t, srv, nil, time.Date(2026, 3, 28, 12, 0, 0, 0, time.UTC))
	ctx := context.Background()
	_, err := c.SetPreferences(ctx, "anna", []client.PreferenceUpdate{{Category: "news", Frequency: "daily"}})
	require.NoError(t, err)
	_, err = c.SetPreferences(ctx, "ben", []client.PreferenceUpdate{{Category: "news", Frequency: "weekly"}})
	require.NoError(t, err)
	_, err = c.SetPreferences(ctx, "anna", []client.PreferenceUpdate{{Category: "transactional", Frequency: "daily"}})
	require.Error(t, err, "transactional mail has no frequency to choose")

	var first string
	for i := 1; i <= 3; i++ {
		res, err := c.SendEvent(ctx, newsFor("news", i, "anna"))
		require.NoError(t, err)
		require.Empty(t, res.Messages, "collected into the daily summary")
		if i == 1 {
			first = res.ID
		}
		e.Clock.Advance(10 * time.Minute)
	}
	res, err := c.SendEvent(ctx, newsFor("news", 4, "ben"))
	require.NoError(t, err)
	require.Empty(t, res.Messages)
	benEvent := res.ID
	receipt, err := c.SendEvent(ctx, newsFor("receipt", 5, "anna"))
	require.NoError(t, err)
	require.Len(t, receipt.Messages, 1, "transactional mail is never collected")
	e.WaitStatus(receipt.Messages[0].ID, "sent", wait)

	ex, err := c.Explain(ctx, first, "en")
	require.NoError(t, err)
	require.Equal(t, "The message to anna is collected into their daily summary of news instead of being sent at once (they chose this frequency).",
		stepText(ex, "summary.collected"))
	require.Contains(t, stepText(ex, "summary.open"), "Collected into the daily summary for anna / news: still open")
	require.Contains(t, stepText(ex, "summary.open"), "(3 items so far)")

	e.Clock.Set(time.Date(2026, 3, 29, 5, 59, 0, 0, time.UTC))
	require.Zero(t, closeDue(t, e), "07:59 in Berlin")
	e.Clock.Set(time.Date(2026, 3, 29, 6, 0, 0, 0, time.UTC))
	require.Equal(t, 1, closeDue(t, e), "08:00 CEST")
	mails := srv.WaitForMails(t, 2, wait)
	sum := mails[1]
	require.Equal(t, "Ihre Zusammenfassung: 3 Benachrichtigungen", sum.Header.Get("Subject"))
	require.Equal(t, []string{"anna@example.org"}, sum.Rcpts)
	for _, want := range []string{"28.03.2026 13:00: Neuigkeit 1", "28.03.2026 13:10: Neuigkeit 2", "28.03.2026 13:20: Neuigkeit 3", "/p/"} {
		require.Contains(t, sum.Text, want)
	}
	require.NotContains(t, sum.Text, "Neuigkeit 5", "the receipt went on its own")

	ex, err = c.Explain(ctx, first, "en")
	require.NoError(t, err)
	require.Regexp(t, `^Collected into the daily summary for anna / news, sent on 2026-03-29 at \d\d:00 with 3 items\.$`, stepText(ex, "summary.sent"))
	exDE, err := c.Explain(ctx, first, "de")
	require.NoError(t, err)
	require.Regexp(t, `^In der Tageszusammenfassung für anna / news gesammelt, versendet am 29\.03\.2026 um \d\d:00 mit 3 Einträgen\.$`,
		stepText(exDE, "summary.sent"))

	e.Clock.Set(time.Date(2026, 3, 30, 11, 59, 0, 0, time.UTC))
	require.Zero(t, closeDue(t, e), "Monday 07:59 in New York")
	e.Clock.Set(time.Date(2026, 3, 30, 12, 0, 0, 0, time.UTC))
	require.Equal(t, 1, closeDue(t, e), "Monday 08:00 in New York")
	weekly := srv.WaitForMails(t, 3, wait)[2]
	require.Equal(t, "Your summary: 1 notification", weekly.Header.Get("Subject"))
	require.Equal(t, []string{"ben@example.org"}, weekly.Rcpts)
	require.Contains(t, weekly.Text, ": News 4")
	ex, err = c.Explain(ctx, benEvent, "en")
	require.NoError(t, err)
	require.Contains(t, stepText(ex, "summary.collected"), "weekly summary of news")
	require.Equal(t, 3, srv.Count(), "never a second mail")
}

// TestThrottleRollUp: at most 2 per hour with roll-up; five news to anna
// within the hour give two mails at once and, when the window ends, one
// summary "3 weitere Benachrichtigungen" listing the other three. Explain
// names the rule and when the summary is sent.
func TestThrottleRollUp(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	e, c := summaryEnv(t, srv, []any{map[string]any{"max": 2, "window": "1h", "roll_up": true}},
		time.Date(2026, 3, 2, 9, 5, 0, 0, time.UTC))
	ctx := context.Background()
	var rolled string
	for i := 1; i <= 5; i++ {
		res, err := c.SendEvent(ctx, newsFor("news", i, "anna"))
		require.NoError(t, err)
		require.Len(t, res.Messages, 1)
		if i == 3 {
			rolled = res.ID
		}
		e.Clock.Advance(time.Minute)
	}
	srv.WaitForMails(t, 2, wait)
	ex, err := c.Explain(ctx, rolled, "en")
	require.NoError(t, err)
	require.Equal(t, "No message to anna@example.org now: throttled: 2 of at most 2 per 1 h (rule 1 of the notification); rolled into the summary sent on 2026-03-02 at 11:00.",
		stepText(ex, "recipient.suppressed"))
	exDE, err := c.Explain(ctx, rolled, "de")
	require.NoError(t, err)
	require.Equal(t, "Jetzt keine Nachricht an anna@example.org: gedrosselt: 2 von höchstens 2 pro 1 h (Regel 1 der Benachrichtigung); in die Zusammenfassung übernommen, die am 02.03.2026 um 11:00 versendet wird.",
		stepText(exDE, "recipient.suppressed"))

	e.Clock.Set(time.Date(2026, 3, 2, 9, 59, 59, 0, time.UTC))
	require.Zero(t, closeDue(t, e), "the window has not ended")
	e.Clock.Set(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	require.Equal(t, 1, closeDue(t, e))
	sum := srv.WaitForMails(t, 3, wait)[2]
	require.Equal(t, "3 weitere Benachrichtigungen", sum.Header.Get("Subject"))
	require.Equal(t, 3, strings.Count(sum.Text, ": Neuigkeit "), sum.Text)
	for _, want := range []string{"Neuigkeit 3", "Neuigkeit 4", "Neuigkeit 5"} {
		require.Contains(t, sum.Text, want)
	}
	ex, err = c.Explain(ctx, rolled, "en")
	require.NoError(t, err)
	require.Equal(t, "Collected into the summary for anna, sent on 2026-03-02 at 11:00 with 3 items.",
		stepText(ex, "summary.sent"))
	require.Equal(t, 3, srv.Count())
}

// TestThrottleRollUpNeedsEmail: a roll-up on a notification that sends
// no e-mail is refused with the rule's field path.
func TestThrottleRollUpNeedsEmail(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	e, _ := summaryEnv(t, srv, nil, apptest.Start2026)
	res := e.Must(422, "PUT", "/v1/flows/f", map[string]any{"notifications": []any{
		map[string]any{"key": "feed", "event_type": "news", "template": "news", "recipients": []string{"role:to"}, "channels": []string{"inapp"},
			"category": "news", "throttle": []any{map[string]any{"max": 2, "window": "1h"}, map[string]any{"max": 5, "window": "24h", "roll_up": true}}},
	}})
	require.Contains(t, string(res.Body), `"notifications[0].throttle[1].roll_up"`)
}
