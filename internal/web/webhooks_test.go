package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/apptest"
	"github.com/herold-dev/herold/internal/store"
)

var secretCode = regexp.MustCompile(`<code class="secret">(whsec_[^<]+)</code>`)

// The webhooks page: a new endpoint's secret is shown once, in German and
// English; a failing delivery shows its attempts and can be sent again;
// the endpoint can be disabled and resumed.
func TestWebhooksPage(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte("receiver <b>down</b>"))
		}
	}))
	t.Cleanup(rc.Close)
	e := startCockpit(t, func(s *apptest.Setup) {
		s.Opts.Webhooks.AllowPrivate, s.Opts.Webhooks.AllowHTTP = true, true
		s.Opts.Retry.BaseDelay, s.Opts.Retry.MaxDelay = time.Hour, time.Hour // the replay, not a retry, sends it again
	})
	c := newClient(t, e.URL)
	c.lang = "de"
	c.signIn(e.Email, e.Password)

	_, body := c.get("/webhooks")
	require.Contains(t, body, `value="bounced"> unzustellbar</label>`, "every outcome is offered")
	require.Contains(t, body, `value="unsubscribed"> abgemeldet</label>`)
	resp, body := c.submit("/webhooks", "/webhooks", url.Values{"url": {"ftp://x"}, "event_types": {"booking.*"}})
	require.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	require.Contains(t, body, `aria-invalid="true"`)

	resp, body = c.submit("/webhooks", "/webhooks", url.Values{"url": {rc.URL + "/hook"}, "description": {"CRM"},
		"event_types": {"booking.*, order.created"}, "outcomes": {"failed"}})
	require.Equal(t, http.StatusOK, resp.StatusCode, body)
	m := secretCode.FindStringSubmatch(body)
	require.NotNil(t, m, "the new secret is shown")
	require.Contains(t, body, "nicht noch einmal angezeigt")
	_, body = c.get("/webhooks")
	require.NotContains(t, body, m[1], "the secret is shown once")
	require.Contains(t, body, "<code>booking.*</code>")

	c.lang = "en"
	_, body = c.get("/webhooks")
	require.Contains(t, body, "Recent deliveries")

	ev := e.ingest(t, "booking.confirmed", "p", nil, nil)
	var deliveryID string
	apptest.Eventually(t, 10*time.Second, func() bool {
		ds, err := e.svc.WebhookDeliveries(context.Background(), e.ws, store.WebhookDeliveryListParams{})
		require.NoError(t, err)
		if len(ds) == 1 && ds[0].Attempts == 1 {
			deliveryID = ds[0].ID
			return true
		}
		return false
	}, "first attempt recorded")
	_, body = c.get("/webhooks/deliveries/" + deliveryID)
	require.Contains(t, body, "500")
	require.Contains(t, body, "receiver &lt;b&gt;down&lt;/b&gt;", "the response excerpt is escaped")

	resp, _ = c.submit("/webhooks/deliveries/"+deliveryID, "/webhooks/deliveries/"+deliveryID+"/replay", nil)
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	apptest.Eventually(t, 10*time.Second, func() bool { return calls.Load() == 2 }, "replayed")
	apptest.Eventually(t, 5*time.Second, func() bool {
		_, body = c.get("/webhooks/deliveries/" + deliveryID)
		return regexp.MustCompile(`id="delivery-status">delivered`).MatchString(body)
	}, "delivered after the replay")

	_, body = c.get("/events/" + ev.Event.ID)
	require.Contains(t, body, `href="/webhooks/deliveries/`+deliveryID+`"`, "the event page lists its webhook deliveries")
	require.Contains(t, body, "2 attempts")

	eps, err := e.svc.WebhookEndpoints(context.Background(), e.ws)
	require.NoError(t, err)
	resp, _ = c.submit("/webhooks", "/webhooks/"+eps[0].ID+"/state", url.Values{"state": {"disabled"}})
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	_, body = c.get("/webhooks?notice=webhook_disabled")
	require.Contains(t, body, "The endpoint is disabled")
	require.Contains(t, body, ">Resume<")

	// An unknown (or another workspace's) delivery is 404.
	other := newClient(t, e.URL)
	other.signIn(e.Email, e.Password)
	resp, _ = other.get("/webhooks/deliveries/msg_unknown")
	require.Equal(t, http.StatusNotFound, resp.StatusCode)
}
