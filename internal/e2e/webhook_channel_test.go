package e2e_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/smtptest"
	"github.com/herold-dev/herold/internal/webhook/webhooktest"
)

// A notification on the email and webhook channels sends each recipient
// a mail and posts once, signed, to its endpoint: the event, the
// notification and both recipients; explain says so in both languages
// and lists the delivery with its status.
func TestWebhookChannelPostsOncePerEvent(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	e, c := simpleEnv(t, apptest.WithSMTP(srv), allowHooks)
	rc := newHookReceiver(t, 200)
	var ep endpointOut
	e.Must(201, "POST", "/v1/webhooks", map[string]any{"url": rc.srv.URL}).JSON(t, &ep)
	e.Must(200, "PUT", "/v1/flows/f", map[string]any{"notifications": []any{
		map[string]any{"key": "crm", "name": "CRM", "event_type": "ping", "template": "ping", "recipients": []string{"role:to"},
			"channels": []string{"email", "webhook"}, "webhook": ep.ID},
	}})
	ctx := context.Background()
	res, err := c.SendEvent(ctx, ping(1, inline("c1", "c1@example.org"), inline("c2", "c2@example.org")))
	require.NoError(t, err)
	require.Len(t, res.Messages, 2, "the mails, one per recipient")
	srv.WaitForMails(t, 2, wait)
	apptest.Eventually(t, 10*time.Second, func() bool { return rc.calls() >= 1 }, "the webhook channel posted")

	var ex struct {
		Steps []struct {
			Code string `json:"code"`
			Text string `json:"text"`
		} `json:"steps"`
		Webhooks []deliveryOut
	}
	apptest.Eventually(t, 10*time.Second, func() bool {
		e.Must(200, "GET", "/v1/events/"+res.ID+"/explain?lang=en", nil).JSON(t, &ex)
		return len(ex.Webhooks) == 1 && ex.Webhooks[0].Status == "delivered"
	}, "explain lists the delivered post")
	text := map[string]string{}
	for _, s := range ex.Steps {
		text[s.Code] = s.Text
	}
	require.Regexp(t, `^The event was posted to the webhook endpoint `+ep.ID+` on 2026-03-02 at \d\d:\d\d, with 2 recipients; `+
		`the endpoint accepted it \(attempt 1\)\.$`, text["webhook.queued"])
	e.Must(200, "GET", "/v1/events/"+res.ID+"/explain?lang=de", nil).JSON(t, &ex)
	for _, s := range ex.Steps {
		text[s.Code] = s.Text
	}
	require.Regexp(t, `^Das Ereignis wurde am 02\.03\.2026 um \d\d:\d\d an den Webhook-Endpunkt `+ep.ID+` gesendet, mit 2 Empfängern; `+
		`der Endpunkt hat es angenommen \(Versuch 1\)\.$`, text["webhook.queued"])

	rc.mu.Lock()
	defer rc.mu.Unlock()
	require.Len(t, rc.bodies, 1, "one post for the event, not one per recipient")
	require.Equal(t, 1, webhooktest.Verify(ep.Secret, rc.headers[0], rc.bodies[0]))
	var body struct {
		Type string `json:"type"`
		Data struct {
			Event struct {
				ID   string `json:"id"`
				Type string `json:"type"`
			} `json:"event"`
			Notification struct {
				Key  string `json:"key"`
				Name string `json:"name"`
			} `json:"notification"`
			Recipients []struct {
				ContactID string `json:"contact_id"`
				Email     string `json:"email"`
				Via       string `json:"via"`
			} `json:"recipients"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal(rc.bodies[0], &body))
	require.Equal(t, "notification.webhook", body.Type)
	require.Equal(t, res.ID, body.Data.Event.ID)
	require.Equal(t, "ping", body.Data.Event.Type)
	require.Equal(t, "crm", body.Data.Notification.Key)
	require.Len(t, body.Data.Recipients, 2)
	require.Equal(t, "c1", body.Data.Recipients[0].ContactID)
	require.Equal(t, "c2@example.org", body.Data.Recipients[1].Email)
	require.Equal(t, "role:to (event)", body.Data.Recipients[1].Via)
}

// Explain tells the webhook channel's post as its delivery stands: while
// the endpoint answers 500 it says that nothing has arrived yet, how
// many attempts failed, why and when Herold tries again; once a retry is
// accepted (a replay), that it was posted. One recipient is "1 recipient" /
// "1 Empfänger".
func TestWebhookChannelExplainFollowsTheDelivery(t *testing.T) {
	t.Parallel()
	e, c := simpleEnv(t, allowHooks, func(s *apptest.Setup) {
		s.Opts.Retry.BaseDelay, s.Opts.Retry.MaxDelay = time.Hour, time.Hour // the retry waits for the test's clock
	})
	rc := newHookReceiver(t, 500, 200)
	var ep endpointOut
	e.Must(201, "POST", "/v1/webhooks", map[string]any{"url": rc.srv.URL}).JSON(t, &ep)
	e.Must(200, "PUT", "/v1/flows/f", map[string]any{"notifications": []any{
		map[string]any{"key": "crm", "event_type": "ping", "template": "ping", "recipients": []string{"role:to"},
			"channels": []string{"webhook"}, "webhook": ep.ID},
	}})
	res, err := c.SendEvent(context.Background(), ping(1, inline("c1", "c1@example.org")))
	require.NoError(t, err)
	var ex struct {
		Steps []struct {
			Code   string            `json:"code"`
			Text   string            `json:"text"`
			Params map[string]string `json:"params"`
		} `json:"steps"`
		Webhooks []deliveryOut
	}
	explainHook := func(lang string) (string, map[string]string) {
		e.Must(200, "GET", "/v1/events/"+res.ID+"/explain?lang="+lang, nil).JSON(t, &ex)
		for _, s := range ex.Steps {
			if s.Code == "webhook.queued" {
				return s.Text, s.Params
			}
		}
		t.Fatalf("no webhook.queued step in %+v", ex.Steps)
		return "", nil
	}
	apptest.Eventually(t, 10*time.Second, func() bool {
		explainHook("en")
		return len(ex.Webhooks) == 1 && ex.Webhooks[0].Attempts == 1
	}, "the first attempt is recorded")
	require.Equal(t, "pending", ex.Webhooks[0].Status)
	text, params := explainHook("en")
	require.Regexp(t, `^The event has not reached the webhook endpoint `+ep.ID+` yet \(with 1 recipient\): 1 attempt failed\. `+
		`Herold tries again on 2026-03-02 at \d\d:\d\d\. Last: answer HTTP 500$`, text)
	require.Equal(t, "pending", params["status"])
	require.Equal(t, "HTTP 500", params["reason"])
	require.NotEmpty(t, params["next_attempt_at"])
	text, _ = explainHook("de")
	require.Regexp(t, `^Das Ereignis ist noch nicht beim Webhook-Endpunkt `+ep.ID+` angekommen \(mit 1 Empfänger\): 1 Versuch ist gescheitert\. `+
		`Herold versucht es am 02\.03\.2026 um \d\d:\d\d erneut\. Zuletzt: Antwort HTTP 500$`, text)

	// The retry waits an hour (River's own time); a replay sends it now.
	e.Must(202, "POST", "/v1/webhook-deliveries/"+ex.Webhooks[0].ID+"/replay", nil)
	apptest.Eventually(t, 10*time.Second, func() bool {
		explainHook("de")
		return ex.Webhooks[0].Status == "delivered"
	}, "the replay is delivered")
	text, params = explainHook("de")
	require.Regexp(t, `^Das Ereignis wurde am 02\.03\.2026 um \d\d:\d\d an den Webhook-Endpunkt `+ep.ID+` gesendet, mit 1 Empfänger; `+
		`der Endpunkt hat es angenommen \(Versuch 2\)\.$`, text)
	require.Equal(t, "delivered", params["status"])
	require.Equal(t, 2, rc.calls())
}

// The webhook channel's endpoint is checked when the flow is saved: it
// must be named, exist in the workspace and be active; it is only for
// the webhook channel, which cannot wait for a confirmation.
func TestWebhookChannelValidation(t *testing.T) {
	t.Parallel()
	e := startWebhooks(t)
	e.Must(201, "PUT", "/v1/templates/t", map[string]any{"locales": map[string]any{"de": map[string]any{"subject": "x", "text": "x"}}})
	var ep, off endpointOut
	e.Must(201, "POST", "/v1/webhooks", map[string]any{"url": "http://127.0.0.1:1/a", "event_types": []string{"x"}}).JSON(t, &ep)
	e.Must(201, "POST", "/v1/webhooks", map[string]any{"url": "http://127.0.0.1:1/b", "event_types": []string{"x"}}).JSON(t, &off)
	e.Must(200, "POST", "/v1/webhooks/"+off.ID+"/state", map[string]any{"state": "disabled"})
	note := func(channels []string, webhook, status string) map[string]any {
		return map[string]any{"key": "n", "event_type": "ping", "template": "t", "recipients": []string{"role:to"},
			"channels": channels, "webhook": webhook, "status": status}
	}
	flow := func(ns ...any) map[string]any { return map[string]any{"notifications": ns} }
	errs := fieldErrors(t, e.Must(422, "PUT", "/v1/flows/f", flow(note([]string{"webhook"}, "", "active"))))
	require.Equal(t, "required", errs["notifications[0].webhook"]["code"])
	errs = fieldErrors(t, e.Must(422, "PUT", "/v1/flows/f", flow(note([]string{"webhook"}, "whe_missing", "active"))))
	require.Equal(t, "unknown_reference", errs["notifications[0].webhook"]["code"])
	errs = fieldErrors(t, e.Must(422, "PUT", "/v1/flows/f", flow(note([]string{"webhook"}, off.ID, "active"))))
	require.Equal(t, "invalid", errs["notifications[0].webhook"]["code"])
	require.Contains(t, errs["notifications[0].webhook"]["detail"], "disabled")
	errs = fieldErrors(t, e.Must(422, "PUT", "/v1/flows/f", flow(note([]string{"email"}, ep.ID, "active"))))
	require.Equal(t, "invalid", errs["notifications[0].webhook"]["code"])
	errs = fieldErrors(t, e.Must(422, "PUT", "/v1/flows/f", flow(note([]string{"webhook"}, ep.ID, "confirm"))))
	require.Equal(t, "invalid", errs["notifications[0].status"]["code"])
	errs = fieldErrors(t, e.Must(422, "PUT", "/v1/flows/f", flow(note([]string{"sms"}, "", "active"))))
	require.Contains(t, errs["notifications[0].channels[0]"]["detail"], "email, inapp or webhook")

	// Another workspace's endpoint does not exist for this one.
	var created struct {
		Key struct {
			Secret string `json:"secret"`
		} `json:"api_key"`
	}
	e.Must(201, "POST", "/v1/workspaces", map[string]any{"key": "other", "allowed_senders": []string{"other.example"}}).JSON(t, &created)
	other := e.WithKey(created.Key.Secret)
	other.Must(201, "PUT", "/v1/templates/t", map[string]any{"locales": map[string]any{"de": map[string]any{"subject": "x", "text": "x"}}})
	errs = fieldErrors(t, other.Must(422, "PUT", "/v1/flows/f", flow(note([]string{"webhook"}, ep.ID, "active"))))
	require.Equal(t, "unknown_reference", errs["notifications[0].webhook"]["code"])

	var saved struct {
		Notifications []struct {
			Channels []string `json:"channels"`
			Webhook  string   `json:"webhook"`
		} `json:"notifications"`
	}
	e.Must(201, "PUT", "/v1/flows/f", flow(note([]string{"email", "webhook"}, ep.ID, "active"))).JSON(t, &saved)
	require.Equal(t, []string{"email", "webhook"}, saved.Notifications[0].Channels)
	require.Equal(t, ep.ID, saved.Notifications[0].Webhook)
}
