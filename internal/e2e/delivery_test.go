package e2e_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/client"
	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/smtptest"
)

// simpleEnv configures one workspace with one flow: event "ping" sends
// template "ping" to the actors in role "to".
func simpleEnv(t *testing.T, modify ...func(*apptest.Setup)) (*apptest.Env, *client.Client) {
	t.Helper()
	e := apptest.Start(t, modify...)
	e.Must(200, "PATCH", "/v1/workspace", map[string]any{"sender": map[string]any{"from": "Herold Test <noreply@herold.example>"}})
	e.Must(201, "PUT", "/v1/templates/ping", map[string]any{"locales": map[string]any{"de": map[string]any{
		"subject": "Ping {{ .data.n }}",
		"html":    `<p>Hallo {{ .recipient.name }}: {{ .data.note }}</p><a href="{{ .data.link }}">Link</a>`,
	}}})
	e.Must(201, "PUT", "/v1/flows/f", map[string]any{"notifications": []any{
		map[string]any{"key": "ping", "event_type": "ping", "template": "ping", "recipients": []string{"role:to"}},
		map[string]any{"key": "news", "event_type": "news", "template": "ping", "recipients": []string{"role:to"}, "category": "newsletter"},
	}})
	e.Must(201, "PUT", "/v1/projects/p", map[string]any{"flow": "f"})
	return e, client.MustNew(e.URL, e.Key)
}

func ping(n int, to ...client.Actor) *client.Event {
	return &client.Event{Type: "ping", Project: "p", Actors: map[string][]client.Actor{"to": to},
		Data: map[string]any{"n": n, "note": "x", "link": "https://example.org/"}}
}

func inline(id, email string) client.Actor {
	return client.Inline(client.Contact{ID: id, Email: email, Name: "Person " + id})
}

func timelineStatuses(m *client.Message) []string {
	var out []string
	for _, e := range m.Timeline {
		out = append(out, string(e.Status))
	}
	return out
}

func TestTemporaryFailuresRetryThenDeliverOnce(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.WithDataReply(func(n int, _ string, _ []string, _ []byte) *smtptest.Reply {
		if n <= 2 {
			return &smtptest.Reply{Code: 451, Enhanced: "4.3.0", Message: "Try again later"}
		}
		return nil
	}))
	e, c := simpleEnv(t, apptest.WithSMTP(srv))
	ctx := context.Background()
	res, err := c.SendEvent(ctx, ping(1, inline("c1", "c1@example.org")))
	require.NoError(t, err)
	id := res.Messages[0].ID
	// Retries come due on the server's (fake) clock.
	e.WaitStatusAdvancing(id, "sent", 100*time.Millisecond, wait)
	require.Equal(t, 1, srv.Count(), "delivered exactly once")
	require.Equal(t, 2, srv.Rejected())
	m, err := c.Message(ctx, id)
	require.NoError(t, err)
	require.Equal(t, 3, m.Attempts)
	require.Equal(t, []string{"planned", "queued", "sending", "retrying", "sending", "retrying", "sending", "sent"}, timelineStatuses(m))
	require.Contains(t, m.Timeline[3].Detail, "451 4.3.0 Try again later")
	require.NotNil(t, m.Timeline[3].NextAttemptAt)
	mails := srv.Mails()
	require.Equal(t, "<"+m.MessageID+">", mails[0].Header.Get("Message-Id"), "the Message-ID is stable across retries")

	ex, err := c.Explain(ctx, res.ID, "en")
	require.NoError(t, err)
	require.Contains(t, stepText(ex, "message.retrying"), "Delivery attempt 1 to Person c1 <c1@example.org> failed temporarily. The mail server refused the mail for now; Herold tries again. The mail server replied: “451 4.3.0 Try again later”. Next try on")
}

// TestSentMessagesAreRecordedWhileOthersAreStillSending: messages claimed
// together are recorded as sent one by one while another of them is still
// at the mail server, not all at the end. A crash re-sends what was sent
// but not recorded, so this bounds the duplicates a crash causes.
func TestSentMessagesAreRecordedWhileOthersAreStillSending(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := smtptest.Start(t, smtptest.WithDataReply(func(_ int, _ string, rcpts []string, _ []byte) *smtptest.Reply {
		if rcpts[0] == "slow@example.org" {
			<-release
		}
		return nil
	}))
	e, c := simpleEnv(t, apptest.WithSMTP(srv))
	released := false
	defer func() {
		if !released {
			close(release)
		}
	}()
	res, err := c.SendEvent(context.Background(), ping(1, inline("a", "a@example.org"), inline("slow", "slow@example.org"), inline("b", "b@example.org")))
	require.NoError(t, err)
	require.Len(t, res.Messages, 3)
	var slow string
	for _, m := range res.Messages {
		if m.To.Email == "slow@example.org" {
			slow = m.ID
			continue
		}
		e.WaitStatus(m.ID, "sent", wait) // while the slow one is held
	}
	require.Equal(t, "sending", e.MessageStatus(slow))
	close(release)
	released = true
	e.WaitStatus(slow, "sent", wait)
	require.Equal(t, 3, srv.Count())
}

func TestPermanentFailureRecordedWithReply(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, smtptest.WithRcptReply(func(rcpt string) *smtptest.Reply {
		if strings.HasPrefix(rcpt, "gone@") {
			return &smtptest.Reply{Code: 550, Enhanced: "5.1.1", Message: "<gone@example.org>: Recipient address rejected"}
		}
		return nil
	}))
	e, c := simpleEnv(t, apptest.WithSMTP(srv))
	ctx := context.Background()
	res, err := c.SendEvent(ctx, ping(1, inline("c1", "gone@example.org")))
	require.NoError(t, err)
	id := res.Messages[0].ID
	e.WaitStatus(id, "failed", wait)
	m, err := c.Message(ctx, id)
	require.NoError(t, err)
	require.Equal(t, 1, m.Attempts, "5xx fails at once")
	require.Contains(t, m.Reason, "550 5.1.1 <gone@example.org>: Recipient address rejected")
	require.Equal(t, 0, srv.Count())
	// The event's answer names the same reply, so the event alone tells
	// why nothing arrived.
	require.Contains(t, m.LastReply, "550 5.1.1 <gone@example.org>: Recipient address rejected")
	var ev struct {
		Messages []struct {
			LastReply *string `json:"last_reply"`
		} `json:"messages"`
	}
	e.Must(200, "GET", "/v1/events/"+res.ID, nil).JSON(t, &ev)
	require.Len(t, ev.Messages, 1)
	require.NotNil(t, ev.Messages[0].LastReply, "GET /v1/events/{id} shows last_reply")
	require.Equal(t, m.LastReply, *ev.Messages[0].LastReply)

	ex, err := c.Explain(ctx, res.ID, "en")
	require.NoError(t, err)
	require.Contains(t, stepText(ex, "message.failed"), "failed for good. This address does not exist at the recipient: check the contact's e-mail address. The mail server replied: “550 5.1.1 <gone@example.org>: Recipient address rejected")
	exDE, err := c.Explain(ctx, res.ID, "de")
	require.NoError(t, err)
	require.Contains(t, stepText(exDE, "message.failed"), "endgültig gescheitert. Diese Adresse gibt es beim Empfänger nicht: bitte die E-Mail-Adresse des Kontakts prüfen. Antwort des Mailservers: „550 5.1.1")
}

func TestUnreachableServerRetriedUntilItComesUp(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	e, c := simpleEnv(t, apptest.WithSMTP(srv))
	srv.Stop()
	ctx := context.Background()
	res, err := c.SendEvent(ctx, ping(1, inline("c1", "c1@example.org")))
	require.NoError(t, err)
	id := res.Messages[0].ID
	// Wait until at least two attempts failed on the closed port (the
	// retries come due on the server's fake clock).
	e.EventuallyAdvancing(100*time.Millisecond, wait, func() bool {
		m, err := c.Message(ctx, id)
		return err == nil && m.Status == "retrying" && m.Attempts >= 2
	}, "message %s never retried", id)
	srv.Restart(t)
	e.WaitStatusAdvancing(id, "sent", 100*time.Millisecond, wait)
	require.Equal(t, 1, srv.Count())
	m, err := c.Message(ctx, id)
	require.NoError(t, err)
	require.Contains(t, m.Timeline[3].Detail, "connection refused")
	// Explain says so in German words; Go's network error stays in the
	// step's params.
	ex, err := c.Explain(ctx, res.ID, "de")
	require.NoError(t, err)
	retry := stepText(ex, "message.retrying")
	require.Contains(t, retry, "ist vorübergehend gescheitert. Der Mailserver war nicht erreichbar (keine Verbindung). Nächster Versuch am")
	require.NotContains(t, retry, "dial tcp")
}

// TestRenderFailureExplained: an event without a value its template
// uses gets a failed message, and explain names the template, the
// placeholder and where it is used, in the reader's language.
func TestRenderFailureExplained(t *testing.T) {
	t.Parallel()
	_, c := simpleEnv(t)
	ctx := context.Background()
	ev := ping(1, inline("c1", "c1@example.org"))
	delete(ev.Data, "note")
	res, err := c.SendEvent(ctx, ev)
	require.NoError(t, err)
	require.Equal(t, "failed", string(res.Messages[0].Status))
	ex, err := c.Explain(ctx, res.ID, "de")
	require.NoError(t, err)
	require.Equal(t, "Die Nachricht an Person c1 <c1@example.org> ließ sich nicht erstellen: Die Vorlage ping verwendet .data.note (HTML-Teil Zeile 1), "+
		"doch dafür gibt es bei diesem Ereignis keinen Wert. Ergänzen Sie den Wert, oder lesen Sie ihn in der Vorlage mit „get“, wenn er fehlen darf.",
		stepText(ex, "message.render_failed"))
}

// TestInAppRenderFailureExplained: a date the template cannot read fails
// the e-mail and the in-app message alike, and explain says so for both
// in the reader's language, naming the part of each (the in-app title),
// without the renderer's English.
func TestInAppRenderFailureExplained(t *testing.T) {
	t.Parallel()
	e, c := simpleEnv(t)
	e.Must(201, "PUT", "/v1/templates/job-requested", map[string]any{"locales": map[string]any{"de": map[string]any{
		"subject": "Anfrage für den {{ .data.date | date_long }}", "text": "Bitte bestätigen.",
		"inapp": map[string]any{"title": "Neue Anfrage für den {{ .data.date | date_long }}"},
	}}})
	e.Must(200, "PUT", "/v1/flows/f", map[string]any{"notifications": []any{
		map[string]any{"key": "job", "event_type": "job.requested", "template": "job-requested", "recipients": []string{"role:to"},
			"channels": []string{"email", "inapp"}},
	}})
	ctx := context.Background()
	res, err := c.SendEvent(ctx, &client.Event{Type: "job.requested", Project: "p",
		Actors: map[string][]client.Actor{"to": {inline("anna", "anna@example.org")}}, Data: map[string]any{"date": "gestern"}})
	require.NoError(t, err)
	require.Len(t, res.Messages, 2)
	for lang, want := range map[string][]string{
		"de": {
			"Die Nachricht an Person anna <anna@example.org> ließ sich nicht erstellen: „gestern“ ist kein Datum, das date_long in der Vorlage job-requested (Betreff Zeile 1) lesen kann. " +
				"Erwartet wird JJJJ-MM-TT (etwa 2026-04-15), TT.MM.JJJJ (15.04.2026) oder ein Zeitpunkt nach RFC 3339.",
			"Die Nachricht an Person anna <anna@example.org> ließ sich nicht erstellen: „gestern“ ist kein Datum, das date_long in der Vorlage job-requested (Titel der In-App-Nachricht Zeile 1) lesen kann. " +
				"Erwartet wird JJJJ-MM-TT (etwa 2026-04-15), TT.MM.JJJJ (15.04.2026) oder ein Zeitpunkt nach RFC 3339.",
		},
		"en": {
			"The message to Person anna <anna@example.org> could not be created: “gestern” is not a date that date_long in the template job-requested (subject line 1) can read. " +
				"It takes YYYY-MM-DD (such as 2026-04-15), DD.MM.YYYY (15.04.2026) or an RFC 3339 time.",
			"The message to Person anna <anna@example.org> could not be created: “gestern” is not a date that date_long in the template job-requested (in-app title line 1) can read. " +
				"It takes YYYY-MM-DD (such as 2026-04-15), DD.MM.YYYY (15.04.2026) or an RFC 3339 time.",
		},
	} {
		ex, err := c.Explain(ctx, res.ID, lang)
		require.NoError(t, err)
		var got []string
		for _, s := range ex.Steps {
			if s.Code == "message.render_failed" {
				got = append(got, s.Text)
			}
		}
		require.ElementsMatch(t, want, got, lang)
	}
}

func TestRetriesGiveUpAfterMaxAge(t *testing.T) {
	t.Parallel()
	var attempts atomic.Int32
	srv := smtptest.Start(t, smtptest.WithDataReply(func(int, string, []string, []byte) *smtptest.Reply {
		attempts.Add(1)
		return &smtptest.Reply{Code: 421, Enhanced: "4.7.0", Message: "Too busy"}
	}))
	e, c := simpleEnv(t, apptest.WithSMTP(srv), func(s *apptest.Setup) { s.Opts.Retry.MaxAge = time.Hour })
	ctx := context.Background()
	res, err := c.SendEvent(ctx, ping(1, inline("c1", "c1@example.org")))
	require.NoError(t, err)
	id := res.Messages[0].ID
	e.EventuallyAdvancing(100*time.Millisecond, wait, func() bool { return attempts.Load() >= 2 }, "no retries")
	e.Clock.Advance(2 * time.Hour) // the message is now older than the maximum age
	e.WaitStatus(id, "failed", wait)
	m, err := c.Message(ctx, id)
	require.NoError(t, err)
	require.Contains(t, m.Reason, "gave up after 1h0m0s of retries")
	require.Contains(t, m.Reason, "421 4.7.0 Too busy")
}

func TestCrashAfterAcceptDeliversExactlyOnce(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	setup := apptest.NewSetup(t)
	apptest.WithSMTP(srv)(&setup)
	first := setup
	first.NoDelivery = true // accepts and queues, never delivers: "before delivery"
	e := apptest.StartWith(t, first)
	e.Must(200, "PATCH", "/v1/workspace", map[string]any{"sender": map[string]any{"from": "noreply@herold.example"}})
	e.Must(201, "PUT", "/v1/templates/ping", map[string]any{"locales": map[string]any{"de": map[string]any{"subject": "Ping {{ .data.n }}", "text": "x"}}})
	e.Must(201, "PUT", "/v1/flows/f", map[string]any{"notifications": []any{
		map[string]any{"key": "ping", "event_type": "ping", "template": "ping", "recipients": []string{"role:to"}}}})
	e.Must(201, "PUT", "/v1/projects/p", map[string]any{"flow": "f"})
	c := client.MustNew(e.URL, e.Key)
	var ids []string
	for i := 0; i < 20; i++ {
		res, err := c.SendEvent(context.Background(), ping(i, inline("c1", "c1@example.org"), inline("c2", "c2@example.org")))
		require.NoError(t, err)
		for _, m := range res.Messages {
			ids = append(ids, m.ID)
		}
	}
	require.Len(t, ids, 40)
	e.App.Kill()
	require.Equal(t, 0, srv.Count())

	second := setup // same database, now with workers
	e2 := apptest.StartWith(t, second)
	mails := srv.WaitForMails(t, 40, wait)
	for _, id := range ids {
		e2.WaitStatus(id, "sent", wait)
	}
	seen := map[string]int{}
	for _, m := range mails {
		seen[m.MessageID]++
	}
	require.Len(t, seen, 40, "every message delivered")
	for id, n := range seen {
		require.Equal(t, 1, n, "message %s delivered %d times", id, n)
	}
	require.Equal(t, 40, srv.Count())
}

func TestIdempotencyKey(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	e, c := simpleEnv(t, apptest.WithSMTP(srv))
	ctx := context.Background()
	ev := ping(1, inline("c1", "c1@example.org"))
	ev.IdempotencyKey = "booking-4711-confirmed"
	first, err := c.SendEvent(ctx, ev)
	require.NoError(t, err)
	require.False(t, first.Duplicate)
	again, err := c.SendEvent(ctx, ev)
	require.NoError(t, err)
	require.True(t, again.Duplicate)
	require.Equal(t, first.ID, again.ID)
	require.Equal(t, first.Messages[0].ID, again.Messages[0].ID)
	r := e.Do("POST", "/v1/events", ev)
	require.Equal(t, http.StatusOK, r.Status, "a repeated key answers 200, a new event 201")
	e.WaitStatus(first.Messages[0].ID, "sent", wait)
	var pg struct {
		Items []any `json:"items"`
	}
	e.Must(200, "GET", "/v1/events", nil).JSON(t, &pg)
	require.Len(t, pg.Items, 1, "the same key created one event")
	require.Equal(t, 1, srv.Count())
}

func TestSuppressionsAndTwoRoles(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	e, c := simpleEnv(t, apptest.WithSMTP(srv))
	ctx := context.Background()
	require.NoError(t, c.PutContact(ctx, &client.Contact{ID: "opted", Email: "opted@example.org", Consents: []string{"newsletter"}, OptOuts: []string{"newsletter"}}))
	require.NoError(t, c.PutContact(ctx, &client.Contact{ID: "noconsent", Email: "nc@example.org"}))
	require.NoError(t, c.PutContact(ctx, &client.Contact{ID: "fan", Email: "fan@example.org", Consents: []string{"newsletter"}}))
	res, err := c.SendEvent(ctx, &client.Event{Type: "news", Project: "p", Data: map[string]any{"n": 1, "note": "x", "link": "https://x.example"},
		Actors: map[string][]client.Actor{"to": {client.ContactID("opted"), client.ContactID("noconsent"), client.ContactID("fan")}}})
	require.NoError(t, err)
	got := map[string]string{}
	for _, m := range res.Messages {
		got[m.To.Contact] = string(m.Status) + ":" + m.Reason
	}
	require.Equal(t, map[string]string{"opted": "suppressed:opted_out", "noconsent": "suppressed:no_consent", "fan": "queued:"}, got)
	ex, err := c.Explain(ctx, res.ID, "en")
	require.NoError(t, err)
	var texts []string
	for _, s := range ex.Steps {
		if s.Code == "recipient.suppressed" {
			texts = append(texts, s.Text)
		}
	}
	require.Equal(t, []string{
		"No message to opted@example.org: they opted out of newsletter messages.",
		"No message to nc@example.org: they have not consented to newsletter messages.",
	}, texts)
	srv.WaitForMails(t, 1, wait)

	// One person in two roles: one mail.
	e.Must(200, "PUT", "/v1/flows/f/notifications/ping", map[string]any{"event_type": "ping", "template": "ping",
		"recipients": []string{"role:to", "role:lead"}})
	res, err = c.SendEvent(ctx, &client.Event{Type: "ping", Project: "p", Data: map[string]any{"n": 2, "note": "x", "link": "https://x.example"},
		Actors: map[string][]client.Actor{"to": {client.ContactID("fan")}, "lead": {client.ContactID("fan")}}})
	require.NoError(t, err)
	require.Len(t, res.Messages, 1)
	e.WaitStatus(res.Messages[0].ID, "sent", wait)
	require.Equal(t, 2, srv.Count())
}

func TestHostileEventDataEscapedInDeliveredMail(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	e, c := simpleEnv(t, apptest.WithSMTP(srv))
	ev := ping(1, inline("c1", "c1@example.org"))
	ev.Data = map[string]any{"n": "1\r\nBcc: victim@example.org", "note": `<script>alert("x")</script><img src=x onerror=alert(1)>`,
		"link": "javascript:alert(document.cookie)"}
	res, err := c.SendEvent(context.Background(), ev)
	require.NoError(t, err)
	mails := srv.WaitForMails(t, 1, wait)
	m := mails[0]
	require.Equal(t, []string{"c1@example.org"}, m.Rcpts, "no header injection into the envelope")
	require.Empty(t, m.Header.Get("Bcc"))
	require.Equal(t, "Ping 1 Bcc: victim@example.org", m.Subject, "line breaks from data become spaces")
	require.NotContains(t, m.HTML, "<script>")
	require.NotContains(t, m.HTML, "<img")
	require.Contains(t, m.HTML, "&lt;script&gt;")
	require.Contains(t, m.HTML, `href="#ZgotmplZ"`)
	e.WaitStatus(res.Messages[0].ID, "sent", wait)
}
