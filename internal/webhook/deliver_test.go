package webhook_test

import (
	"context"
	"net/http"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/clock"
	"github.com/herold-dev/herold/internal/metrics"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store/sqlite"
	"github.com/herold-dev/herold/internal/webhook"
	"github.com/herold-dev/herold/internal/webhook/webhooktest"
)

var start = time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)

type fixture struct {
	t      *testing.T
	ctx    context.Context
	st     *sqlite.Store
	ws     *model.Workspace
	clock  *clock.Fake
	sealer *webhook.Sealer
	// statuses answer the receiver's calls in order (the last repeats);
	// headers go with them.
	mu       sync.Mutex
	statuses []int
	headers  []http.Header
	rc       *receiver
	secret   string
	paused   atomic.Int32
	metrics  *metrics.Metrics
	d        *webhook.Deliverer
	n        int
}

func newDeliverFixture(t *testing.T, breakerAfter int, statuses ...int) *fixture {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "herold.db"), sqlite.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	ctx := context.Background()
	require.NoError(t, st.Migrate(ctx))
	ws := &model.Workspace{Key: "acme", Name: "Acme", DefaultLocale: "de", Timezone: "Europe/Berlin",
		RetentionDays: 30, ConfirmationExpiryHours: 168, CreatedAt: start, UpdatedAt: start}
	require.NoError(t, st.WorkspaceInsert(ctx, ws))
	sealer, err := webhook.LoadSealer(ctx, st, start)
	require.NoError(t, err)
	f := &fixture{t: t, ctx: ctx, st: st, ws: ws, clock: clock.NewFake(start), sealer: sealer, statuses: statuses,
		secret: webhook.NewSecret(), metrics: metrics.Discard()}
	f.rc = newReceiver(t, f.secret, func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.headers = append(f.headers, r.Header.Clone())
		status := f.statuses[0]
		if len(f.statuses) > 1 {
			f.statuses = f.statuses[1:]
		}
		if status == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", "600")
		}
		w.WriteHeader(status)
	})
	f.d, err = webhook.NewDeliverer(webhook.DelivererConfig{Store: st, Sender: webhook.NewSender(webhook.SenderConfig{Guard: open}),
		Sealer: sealer, Clock: f.clock, Jitter: func() float64 { return 0.5 }, BreakerAfter: breakerAfter,
		OnPause: func(context.Context, *model.WebhookEndpoint, string) { f.paused.Add(1) }, Metrics: f.metrics})
	require.NoError(t, err)
	return f
}

func (f *fixture) endpoint(id string) *model.WebhookEndpoint {
	f.t.Helper()
	e := &model.WebhookEndpoint{ID: id, WorkspaceID: f.ws.ID, URL: f.rc.srv.URL + "/hook", EventTypes: []string{"*"},
		Secret: f.sealer.Seal(f.ws.ID, id, f.secret), State: model.WebhookActive, CreatedAt: start, UpdatedAt: start}
	require.NoError(f.t, f.st.WebhookEndpointInsert(f.ctx, e))
	return e
}

func (f *fixture) delivery(endpoint string) string {
	f.t.Helper()
	f.n++
	id := "wh_" + strconv.Itoa(f.n)
	now := f.clock.Now()
	require.NoError(f.t, f.st.WebhookDeliveryInsert(f.ctx, &model.WebhookDelivery{ID: id, WorkspaceID: f.ws.ID,
		EndpointID: endpoint, Type: "event.received", Payload: []byte(`{"type":"event.received","data":{"n":` + strconv.Itoa(f.n) + `}}`),
		Status: model.DeliveryPending, NextAt: &now, Lease: "job-1", CreatedAt: now, UpdatedAt: now}))
	return id
}

func (f *fixture) deliver(id string) webhook.Result {
	f.t.Helper()
	res, err := f.d.Deliver(f.ctx, f.ws.ID, id, "job-1")
	require.NoError(f.t, err)
	return res
}

func TestDeliverRetriesUntilDelivered(t *testing.T) {
	t.Parallel()
	f := newDeliverFixture(t, 0, 500, 500, 200)
	f.endpoint("whe_1")
	id := f.delivery("whe_1")
	res := f.deliver(id)
	require.Equal(t, webhook.Retry, res.Decision.Verdict)
	require.Equal(t, start.Add(30*time.Second), res.Decision.Next)
	f.clock.Set(res.Decision.Next)
	res = f.deliver(id)
	require.Equal(t, webhook.Retry, res.Decision.Verdict)
	require.Equal(t, start.Add(90*time.Second), res.Decision.Next, "second retry after 60 s")
	f.clock.Set(res.Decision.Next)
	require.Equal(t, webhook.Delivered, f.deliver(id).Decision.Verdict)
	require.False(t, f.deliver(id).Attempted, "a delivered delivery is not sent again")

	require.EqualValues(t, 3, f.rc.calls.Load())
	require.EqualValues(t, 3, f.rc.verified.Load(), "every attempt verifies")
	for _, h := range f.headers {
		require.Equal(t, id, h.Get("webhook-id"), "one webhook-id over all attempts")
	}
	require.Equal(t, strconv.FormatInt(start.Add(90*time.Second).Unix(), 10), f.headers[2].Get("webhook-timestamp"))
	d, err := f.st.WebhookDeliveryGet(f.ctx, f.ws.ID, id)
	require.NoError(t, err)
	require.Equal(t, model.DeliveryDelivered, d.Status)
	require.Equal(t, 3, d.Attempts)
	attempts, err := f.st.WebhookAttemptList(f.ctx, f.ws.ID, id)
	require.NoError(t, err)
	require.Len(t, attempts, 3)
	require.Equal(t, []int{500, 500, 200}, []int{attempts[0].StatusCode, attempts[1].StatusCode, attempts[2].StatusCode})
	require.Equal(t, "retry", attempts[0].Verdict)
	require.Equal(t, "delivered", attempts[2].Verdict)
	ep, err := f.st.WebhookEndpointGet(f.ctx, f.ws.ID, "whe_1")
	require.NoError(t, err)
	require.Zero(t, ep.Failures, "the success reset the breaker's count")
	require.Equal(t, 2.0, metrics.CounterValue(f.metrics.WebhookAttempts.WithLabelValues("retry")))
	require.Equal(t, 1.0, metrics.CounterValue(f.metrics.WebhookAttempts.WithLabelValues("delivered")))
}

func TestDeliverHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	f := newDeliverFixture(t, 0, http.StatusServiceUnavailable)
	f.endpoint("whe_1")
	id := f.delivery("whe_1")
	res := f.deliver(id)
	require.Equal(t, webhook.Retry, res.Decision.Verdict)
	require.Equal(t, start.Add(10*time.Minute), res.Decision.Next)
	d, err := f.st.WebhookDeliveryGet(f.ctx, f.ws.ID, id)
	require.NoError(t, err)
	require.Equal(t, start.Add(10*time.Minute), *d.NextAt)
}

func TestDeliverGoneDisablesTheEndpoint(t *testing.T) {
	t.Parallel()
	f := newDeliverFixture(t, 0, http.StatusGone)
	f.endpoint("whe_1")
	first, second := f.delivery("whe_1"), f.delivery("whe_1")
	require.Equal(t, webhook.Gone, f.deliver(first).Decision.Verdict)
	ep, err := f.st.WebhookEndpointGet(f.ctx, f.ws.ID, "whe_1")
	require.NoError(t, err)
	require.Equal(t, model.WebhookDisabled, ep.State)
	res := f.deliver(second)
	require.False(t, res.Attempted)
	require.Equal(t, webhook.Failed, res.Decision.Verdict)
	require.EqualValues(t, 1, f.rc.calls.Load(), "nothing sent after 410")
	d, err := f.st.WebhookDeliveryGet(f.ctx, f.ws.ID, second)
	require.NoError(t, err)
	require.Equal(t, model.DeliveryFailed, d.Status)
	require.Contains(t, d.LastReason, "disabled")
}

func TestDeliverBreakerPausesOnce(t *testing.T) {
	t.Parallel()
	f := newDeliverFixture(t, 3, 500)
	f.endpoint("whe_1")
	ids := []string{f.delivery("whe_1"), f.delivery("whe_1"), f.delivery("whe_1"), f.delivery("whe_1")}
	for _, id := range ids[:2] {
		f.deliver(id)
	}
	ep, err := f.st.WebhookEndpointGet(f.ctx, f.ws.ID, "whe_1")
	require.NoError(t, err)
	require.Equal(t, model.WebhookActive, ep.State, "two failures: still active")
	f.deliver(ids[2])
	ep, err = f.st.WebhookEndpointGet(f.ctx, f.ws.ID, "whe_1")
	require.NoError(t, err)
	require.Equal(t, model.WebhookPaused, ep.State)
	require.Contains(t, ep.StateReason, "3 failed attempts in a row")
	require.EqualValues(t, 1, f.paused.Load(), "the admins are told once")
	res := f.deliver(ids[3])
	require.False(t, res.Attempted, "a paused endpoint gets no requests")
	require.EqualValues(t, 3, f.rc.calls.Load())
	d, err := f.st.WebhookDeliveryGet(f.ctx, f.ws.ID, ids[3])
	require.NoError(t, err)
	require.Equal(t, model.DeliveryPending, d.Status, "its deliveries wait for the endpoint to resume")
}

func TestDeliverRotationSignsWithBothSecrets(t *testing.T) {
	t.Parallel()
	f := newDeliverFixture(t, 0, 200)
	ep := f.endpoint("whe_1")
	newSecret := webhook.NewSecret()
	until := start.Add(24 * time.Hour)
	ep.PreviousSecret, ep.Secret, ep.PreviousUntil = ep.Secret, f.sealer.Seal(f.ws.ID, ep.ID, newSecret), &until
	require.NoError(t, f.st.WebhookEndpointUpdate(f.ctx, ep))

	f.deliver(f.delivery("whe_1"))
	f.clock.Set(until)
	f.deliver(f.delivery("whe_1"))
	require.Len(t, f.headers, 2)
	body := func(n int) []byte { return []byte(`{"type":"event.received","data":{"n":` + strconv.Itoa(n) + `}}`) }
	require.Equal(t, 1, webhooktest.Verify(f.secret, f.headers[0], body(1)), "old secret verifies during the overlap")
	require.Equal(t, 1, webhooktest.Verify(newSecret, f.headers[0], body(1)), "new secret verifies during the overlap")
	require.Equal(t, 0, webhooktest.Verify(f.secret, f.headers[1], body(2)), "old secret no longer signs after the overlap")
	require.Equal(t, 1, webhooktest.Verify(newSecret, f.headers[1], body(2)))
}

func TestSealerBindsToEndpoint(t *testing.T) {
	t.Parallel()
	key := make([]byte, 32)
	s, err := webhook.NewSealer(key)
	require.NoError(t, err)
	sealed := s.Seal(1, "whe_1", "whsec_x")
	got, err := s.Open(1, "whe_1", sealed)
	require.NoError(t, err)
	require.Equal(t, "whsec_x", got)
	_, err = s.Open(2, "whe_1", sealed)
	require.Error(t, err, "opened in another workspace")
	_, err = s.Open(1, "whe_2", sealed)
	require.Error(t, err, "opened for another endpoint")
	require.NotContains(t, string(sealed), "whsec_x")
}
