package e2e_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/smtptest"
	"github.com/herold-dev/herold/internal/webhook/webhooktest"
)

// hookReceiver is a webhook endpoint on 127.0.0.1 answering with the
// statuses given, in order (the last repeats), and keeping every request.
type hookReceiver struct {
	srv      *httptest.Server
	mu       sync.Mutex
	statuses []int
	headers  []http.Header
	bodies   [][]byte
}

func newHookReceiver(t *testing.T, statuses ...int) *hookReceiver {
	rc := &hookReceiver{statuses: statuses}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		defer rc.mu.Unlock()
		rc.headers, rc.bodies = append(rc.headers, r.Header.Clone()), append(rc.bodies, body)
		status := rc.statuses[0]
		if len(rc.statuses) > 1 {
			rc.statuses = rc.statuses[1:]
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *hookReceiver) calls() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.headers)
}

func startWebhooks(t *testing.T) *apptest.Env {
	return apptest.Start(t, allowHooks)
}

// allowHooks lets the app post to receivers on 127.0.0.1 over http.
func allowHooks(s *apptest.Setup) {
	s.Opts.Webhooks.AllowPrivate, s.Opts.Webhooks.AllowHTTP = true, true
}

type endpointOut struct {
	ID     string `json:"id"`
	Secret string `json:"secret"`
	State  string `json:"state"`
}

type deliveryOut struct {
	ID       string `json:"id"`
	Status   string `json:"status"`
	Attempts int    `json:"attempts"`
	EventID  string `json:"event_id"`
	History  []struct {
		StatusCode int    `json:"status_code"`
		Verdict    string `json:"verdict"`
	} `json:"attempt_history"`
}

// An event of a subscribed type reaches the endpoint through River jobs:
// two 500s are retried, the third attempt is delivered; every request is
// signed (checked by an independent verifier) with one webhook-id; the
// attempts are in the API; another workspace sees and replays none of it.
func TestWebhookEventRetriedUntilDelivered(t *testing.T) {
	t.Parallel()
	e := startWebhooks(t)
	rc := newHookReceiver(t, 500, 500, 204)
	var ep endpointOut
	e.Must(201, "POST", "/v1/webhooks", map[string]any{"url": rc.srv.URL + "/hook", "event_types": []string{"booking.*"}}).JSON(t, &ep)
	require.Regexp(t, `^whsec_`, ep.Secret)
	got := e.Must(200, "GET", "/v1/webhooks/"+ep.ID, nil).Map(t)
	require.NotContains(t, got, "secret", "the secret is shown once")

	e.Must(201, "POST", "/v1/events", map[string]any{"type": "other.thing", "project": "p"})
	var ev struct {
		ID string `json:"id"`
	}
	e.Must(201, "POST", "/v1/events", map[string]any{"type": "booking.confirmed", "project": "p", "data": map[string]any{"n": 1}}).JSON(t, &ev)
	require.NotEmpty(t, ev.ID)

	apptest.Eventually(t, 20*time.Second, func() bool { return rc.calls() >= 3 }, "three attempts")
	var d deliveryOut
	apptest.Eventually(t, 5*time.Second, func() bool {
		var list struct{ Items []deliveryOut }
		e.Must(200, "GET", "/v1/webhook-deliveries?event="+ev.ID, nil).JSON(t, &list)
		if len(list.Items) == 1 {
			d = list.Items[0]
		}
		return d.Status == "delivered"
	}, "delivered")
	require.Equal(t, 3, d.Attempts)
	rc.mu.Lock()
	for i, h := range rc.headers {
		require.Equal(t, 1, webhooktest.Verify(ep.Secret, h, rc.bodies[i]), "attempt %d verifies", i+1)
		require.Equal(t, d.ID, h.Get("webhook-id"))
	}
	require.Len(t, rc.headers, 3, "the other event type was not posted")
	rc.mu.Unlock()

	var detail deliveryOut
	e.Must(200, "GET", "/v1/webhook-deliveries/"+d.ID, nil).JSON(t, &detail)
	require.Len(t, detail.History, 3)
	require.Equal(t, []int{500, 500, 204}, []int{detail.History[0].StatusCode, detail.History[1].StatusCode, detail.History[2].StatusCode})

	// The event's explain lists what it caused on webhooks too.
	var ex struct{ Webhooks []deliveryOut }
	e.Must(200, "GET", "/v1/events/"+ev.ID+"/explain", nil).JSON(t, &ex)
	require.Len(t, ex.Webhooks, 1)
	require.Equal(t, d.ID, ex.Webhooks[0].ID)
	require.Equal(t, "delivered", ex.Webhooks[0].Status)
	require.Equal(t, 3, ex.Webhooks[0].Attempts)

	// Another workspace's admin key sees nothing and replays nothing.
	var created struct {
		Key struct {
			Secret string `json:"secret"`
		} `json:"api_key"`
	}
	e.Must(201, "POST", "/v1/workspaces", map[string]any{"key": "other", "allowed_senders": []string{"other.example"}}).JSON(t, &created)
	other := e.WithKey(created.Key.Secret)
	other.Must(404, "GET", "/v1/webhooks/"+ep.ID, nil)
	other.Must(404, "GET", "/v1/webhook-deliveries/"+d.ID, nil)
	other.Must(404, "POST", "/v1/webhook-deliveries/"+d.ID+"/replay", nil)
	other.Must(404, "POST", "/v1/webhooks/"+ep.ID+"/rotate", nil)
	other.Must(404, "DELETE", "/v1/webhooks/"+ep.ID, nil)
	var none struct{ Items []deliveryOut }
	other.Must(200, "GET", "/v1/webhook-deliveries", nil).JSON(t, &none)
	require.Empty(t, none.Items)
	require.Equal(t, 3, rc.calls(), "nothing replayed through another workspace")

	// Its own admin replays it: a fourth request with the same id.
	e.Must(202, "POST", "/v1/webhook-deliveries/"+d.ID+"/replay", nil)
	apptest.Eventually(t, 10*time.Second, func() bool { return rc.calls() == 4 }, "replayed")

	// A time range: only failed deliveries unless all; the other
	// workspace's range replays none of this one's.
	from, to := apptest.Start2026.Format(time.RFC3339), apptest.Start2026.Add(time.Minute).Format(time.RFC3339)
	var queued struct{ Queued int }
	other.Must(202, "POST", "/v1/webhook-deliveries/replay", map[string]any{"from": from, "to": to, "all": true}).JSON(t, &queued)
	require.Zero(t, queued.Queued)
	apptest.Eventually(t, 5*time.Second, func() bool {
		e.Must(200, "GET", "/v1/webhook-deliveries/"+d.ID, nil).JSON(t, &detail)
		return detail.Status == "delivered"
	}, "the replay delivered")
	e.Must(202, "POST", "/v1/webhook-deliveries/replay", map[string]any{"from": from, "to": to}).JSON(t, &queued)
	require.Zero(t, queued.Queued, "nothing failed in the range")
	e.Must(202, "POST", "/v1/webhook-deliveries/replay", map[string]any{"from": from, "to": to, "all": true}).JSON(t, &queued)
	require.Equal(t, 1, queued.Queued)
	apptest.Eventually(t, 10*time.Second, func() bool { return rc.calls() == 5 }, "range replayed")
	errs := fieldErrors(t, e.Must(422, "POST", "/v1/webhook-deliveries/replay", map[string]any{"from": to, "to": from}))
	require.Equal(t, "invalid", errs["to"]["code"])
}

func TestWebhookEndpointValidation(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t) // the defaults: https only, public addresses only
	errs := fieldErrors(t, e.Must(422, "POST", "/v1/webhooks", map[string]any{"url": "http://hooks.example.com/x", "event_types": []string{"*"}}))
	require.Contains(t, errs["url"]["detail"], "--webhook-allow-http")
	errs = fieldErrors(t, e.Must(422, "POST", "/v1/webhooks", map[string]any{"url": "https://127.0.0.1/x", "event_types": []string{"*"}}))
	require.Contains(t, errs["url"]["detail"], "--webhook-allow-private")
	errs = fieldErrors(t, e.Must(422, "POST", "/v1/webhooks", map[string]any{"url": "https://hooks.example.com/x",
		"event_types": []string{"booking.*", "bad type!"}, "outcomes": []string{"sent", "opened"}}))
	require.Equal(t, "invalid", errs["event_types[1]"]["code"])
	require.Equal(t, "invalid", errs["outcomes[1]"]["code"])
	// Without subscriptions an endpoint serves notifications' webhook
	// channel only.
	var only endpointOut
	e.Must(201, "POST", "/v1/webhooks", map[string]any{"url": "https://hooks.example.com/channel-only"}).JSON(t, &only)
	require.NotEmpty(t, only.ID)
	var ep endpointOut
	e.Must(201, "POST", "/v1/webhooks", map[string]any{"url": "https://hooks.example.com/x", "outcomes": []string{"failed"}}).JSON(t, &ep)
	var rotated struct {
		Secret        string `json:"secret"`
		PreviousUntil string `json:"previous_secret_until"`
	}
	e.Must(200, "POST", "/v1/webhooks/"+ep.ID+"/rotate", map[string]any{"overlap_seconds": 3600}).JSON(t, &rotated)
	require.NotEqual(t, ep.Secret, rotated.Secret)
	require.Equal(t, apptest.Start2026.Add(time.Hour).Format(time.RFC3339), rotated.PreviousUntil)
	fieldErrors(t, e.Must(422, "POST", "/v1/webhooks/"+ep.ID+"/rotate", map[string]any{"overlap_seconds": 8 * 24 * 3600}))
	fieldErrors(t, e.Must(422, "POST", "/v1/webhooks/"+ep.ID+"/state", map[string]any{"state": "paused"}))
}

// 410 Gone disables the endpoint: later events queue nothing for it.
func TestWebhookGoneDisablesEndpoint(t *testing.T) {
	t.Parallel()
	e := startWebhooks(t)
	rc := newHookReceiver(t, http.StatusGone)
	var ep endpointOut
	e.Must(201, "POST", "/v1/webhooks", map[string]any{"url": rc.srv.URL, "event_types": []string{"*"}}).JSON(t, &ep)
	e.Must(201, "POST", "/v1/events", map[string]any{"type": "booking.confirmed", "project": "p"})
	apptest.Eventually(t, 10*time.Second, func() bool {
		e.Must(200, "GET", "/v1/webhooks/"+ep.ID, nil).JSON(t, &ep)
		return ep.State == "disabled"
	}, "endpoint disabled")
	var list struct{ Items []deliveryOut }
	e.Must(200, "GET", "/v1/webhook-deliveries?status=failed", nil).JSON(t, &list)
	require.Len(t, list.Items, 1)

	var ev struct {
		ID string `json:"id"`
	}
	e.Must(201, "POST", "/v1/events", map[string]any{"type": "booking.confirmed", "project": "p"}).JSON(t, &ev)
	e.Must(200, "GET", "/v1/webhook-deliveries?event="+ev.ID, nil).JSON(t, &list)
	require.Empty(t, list.Items, "nothing queued for a disabled endpoint")
	require.Equal(t, 1, rc.calls())
}

// The breaker pauses an endpoint failing again and again, mails the
// workspace's admins through the ordinary delivery path, and holds the
// deliveries until an admin resumes the endpoint.
func TestWebhookBreakerPausesAndTellsAdmins(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	e := apptest.Start(t, apptest.WithSMTP(srv), func(s *apptest.Setup) {
		s.Opts.Webhooks.AllowPrivate, s.Opts.Webhooks.AllowHTTP, s.Opts.Webhooks.BreakerAfter = true, true, 2
		s.Opts.Retry.BaseDelay, s.Opts.Retry.MaxDelay = time.Hour, time.Hour // no retry within the test
		s.Opts.BootstrapAdminEmail = "admin@herold.example"
	})
	e.Must(200, "PATCH", "/v1/workspace", map[string]any{"sender": map[string]any{"from": "Herold <noreply@herold.example>"}})
	rc := newHookReceiver(t, 500)
	var ep endpointOut
	e.Must(201, "POST", "/v1/webhooks", map[string]any{"url": rc.srv.URL, "event_types": []string{"booking.*"}}).JSON(t, &ep)
	e.Must(201, "POST", "/v1/events", map[string]any{"type": "booking.confirmed", "project": "p"})
	e.Must(201, "POST", "/v1/events", map[string]any{"type": "booking.cancelled", "project": "p"})

	mails := srv.WaitForMails(t, 1, 15*time.Second)
	require.Contains(t, string(mails[0].Data), "Webhook pausiert")
	require.Contains(t, string(mails[0].Data), ep.ID)
	require.Equal(t, []string{"admin@herold.example"}, mails[0].Rcpts)
	e.Must(200, "GET", "/v1/webhooks/"+ep.ID, nil).JSON(t, &ep)
	require.Equal(t, "paused", ep.State)
	require.Equal(t, 2, rc.calls())

	// A third event waits while paused; resuming sends all three.
	e.Must(201, "POST", "/v1/events", map[string]any{"type": "booking.moved", "project": "p"})
	rc.mu.Lock()
	rc.statuses = []int{200}
	rc.mu.Unlock()
	e.Must(200, "POST", "/v1/webhooks/"+ep.ID+"/state", map[string]any{"state": "active"})
	apptest.Eventually(t, 10*time.Second, func() bool {
		var list struct{ Items []deliveryOut }
		e.Must(200, "GET", "/v1/webhook-deliveries?status=delivered", nil).JSON(t, &list)
		return len(list.Items) == 3
	}, "three deliveries delivered after resuming")
	require.Equal(t, 5, rc.calls())
}

// A subscription to the outcome "sent" gets message.sent for each mail
// the delivery engine sent, queued in the transaction that recorded it.
func TestWebhookMessageOutcome(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t)
	e, _ := simpleEnv(t, apptest.WithSMTP(srv), allowHooks)
	rc := newHookReceiver(t, 200)
	var ep endpointOut
	e.Must(201, "POST", "/v1/webhooks", map[string]any{"url": rc.srv.URL, "outcomes": []string{"sent"}}).JSON(t, &ep)
	var res struct {
		Messages []struct {
			ID string `json:"id"`
		} `json:"messages"`
	}
	e.Must(201, "POST", "/v1/events", ping(1, inline("c1", "c1@example.org"))).JSON(t, &res)
	require.Len(t, res.Messages, 1)
	apptest.Eventually(t, 10*time.Second, func() bool { return rc.calls() == 1 }, "message.sent posted")
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var body struct {
		Type string `json:"type"`
		Data struct {
			MessageID string `json:"message_id"`
			Status    string `json:"status"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal(rc.bodies[0], &body))
	require.Equal(t, "message.sent", body.Type)
	require.Equal(t, res.Messages[0].ID, body.Data.MessageID)
	require.Equal(t, 1, webhooktest.Verify(ep.Secret, rc.headers[0], rc.bodies[0]))
}

// Deliveries are kept for the workspace's retention, like events.
func TestWebhookDeliveriesPurgedWithRetention(t *testing.T) {
	t.Parallel()
	e := startWebhooks(t)
	rc := newHookReceiver(t, 200)
	e.Must(201, "POST", "/v1/webhooks", map[string]any{"url": rc.srv.URL, "event_types": []string{"*"}})
	e.Must(201, "POST", "/v1/events", map[string]any{"type": "booking.confirmed", "project": "p"})
	var list struct{ Items []deliveryOut }
	apptest.Eventually(t, 10*time.Second, func() bool {
		e.Must(200, "GET", "/v1/webhook-deliveries?status=delivered", nil).JSON(t, &list)
		return len(list.Items) == 1
	}, "delivered")
	ctx := context.Background()
	e.Clock.Advance(29 * 24 * time.Hour)
	require.NoError(t, e.App.Service().Purge(ctx))
	e.Must(200, "GET", "/v1/webhook-deliveries/"+list.Items[0].ID, nil)
	e.Clock.Advance(2 * 24 * time.Hour) // 31 days: past the default retention
	require.NoError(t, e.App.Service().Purge(ctx))
	e.Must(404, "GET", "/v1/webhook-deliveries/"+list.Items[0].ID, nil)
}
