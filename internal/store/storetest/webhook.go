package storetest

import (
	"cmp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

func init() {
	pipelineCases = append(pipelineCases,
		storeCase{"WebhookEndpoints", testWebhookEndpoints},
		storeCase{"WebhookEndpointBreaker", testWebhookEndpointBreaker},
		storeCase{"WebhookDeliveries", testWebhookDeliveries},
	)
}

func sampleEndpoint(ws int64, id string) *model.WebhookEndpoint {
	return &model.WebhookEndpoint{ID: id, WorkspaceID: ws, URL: "https://hooks.acme.example/" + id,
		EventTypes: []string{"booking.*"}, Outcomes: []string{"sent", "failed"}, Secret: []byte("sealed-" + id),
		State: model.WebhookActive, CreatedAt: base, UpdatedAt: base}
}

func testWebhookEndpoints(t *testing.T, b *bundle) {
	e := sampleEndpoint(b.ws.ID, "whe_1")
	require.NoError(t, b.s.WebhookEndpointInsert(b.ctx, e))
	require.ErrorIs(t, b.s.WebhookEndpointInsert(b.ctx, sampleEndpoint(b.other.ID, "whe_1")), store.ErrConflict)

	got, err := b.s.WebhookEndpointGet(b.ctx, b.ws.ID, "whe_1")
	require.NoError(t, err)
	require.Equal(t, e, got)
	_, err = b.s.WebhookEndpointGet(b.ctx, b.other.ID, "whe_1")
	require.ErrorIs(t, err, store.ErrNotFound, "endpoint visible in another workspace")

	until := base.Add(24 * time.Hour)
	e.URL, e.Description, e.EventTypes, e.Outcomes = "https://new.acme.example/", "CRM", []string{"*"}, nil
	e.PreviousSecret, e.Secret, e.PreviousUntil, e.UpdatedAt = e.Secret, []byte("sealed-2"), &until, base.Add(time.Hour)
	require.NoError(t, b.s.WebhookEndpointUpdate(b.ctx, e))
	got, err = b.s.WebhookEndpointGet(b.ctx, b.ws.ID, "whe_1")
	require.NoError(t, err)
	e.Outcomes = []string{}
	if got.Outcomes == nil {
		got.Outcomes = []string{}
	}
	require.Equal(t, e, got)

	other := sampleEndpoint(b.other.ID, "whe_2")
	other.WorkspaceID = b.other.ID
	require.NoError(t, b.s.WebhookEndpointInsert(b.ctx, other))
	moved := *e
	moved.WorkspaceID = b.other.ID
	require.ErrorIs(t, b.s.WebhookEndpointUpdate(b.ctx, &moved), store.ErrNotFound, "updated through another workspace")

	second := sampleEndpoint(b.ws.ID, "whe_3")
	second.CreatedAt = base.Add(time.Minute)
	require.NoError(t, b.s.WebhookEndpointInsert(b.ctx, second))
	list, err := b.s.WebhookEndpointList(b.ctx, b.ws.ID)
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.Equal(t, []string{"whe_1", "whe_3"}, []string{list[0].ID, list[1].ID})

	require.ErrorIs(t, b.s.WebhookEndpointDelete(b.ctx, b.other.ID, "whe_1"), store.ErrNotFound)
	require.NoError(t, b.s.WebhookEndpointDelete(b.ctx, b.ws.ID, "whe_1"))
	_, err = b.s.WebhookEndpointGet(b.ctx, b.ws.ID, "whe_1")
	require.ErrorIs(t, err, store.ErrNotFound)
}

func testWebhookEndpointBreaker(t *testing.T, b *bundle) {
	require.NoError(t, b.s.WebhookEndpointInsert(b.ctx, sampleEndpoint(b.ws.ID, "whe_b")))
	count := func(failed bool) int {
		n, err := b.s.WebhookEndpointCount(b.ctx, &store.WebhookCountParams{WorkspaceID: b.ws.ID, ID: "whe_b", Failed: failed, At: base})
		require.NoError(t, err)
		return n
	}
	require.Equal(t, 1, count(true))
	require.Equal(t, 2, count(true))
	require.Equal(t, 0, count(false), "a success resets the count")
	require.Equal(t, 1, count(true))
	_, err := b.s.WebhookEndpointCount(b.ctx, &store.WebhookCountParams{WorkspaceID: b.other.ID, ID: "whe_b", Failed: true, At: base})
	require.ErrorIs(t, err, store.ErrNotFound)

	set := func(ws int64, from, to string) bool {
		ok, err := b.s.WebhookEndpointSetState(b.ctx, &store.WebhookStateParams{WorkspaceID: ws, ID: "whe_b", From: from, To: to,
			Reason: "5 failures in a row", At: base.Add(time.Minute)})
		require.NoError(t, err)
		return ok
	}
	require.True(t, set(b.ws.ID, model.WebhookActive, model.WebhookPaused))
	require.False(t, set(b.ws.ID, model.WebhookActive, model.WebhookPaused), "a second pauser changes nothing")
	require.False(t, set(b.other.ID, "", model.WebhookActive), "resumed through another workspace")
	got, err := b.s.WebhookEndpointGet(b.ctx, b.ws.ID, "whe_b")
	require.NoError(t, err)
	require.Equal(t, model.WebhookPaused, got.State)
	require.Equal(t, "5 failures in a row", got.StateReason)
	require.Zero(t, got.Failures)
	require.True(t, set(b.ws.ID, "", model.WebhookActive), "no From: any state")
}

func testWebhookDeliveries(t *testing.T, b *bundle) {
	require.NoError(t, b.s.WebhookEndpointInsert(b.ctx, sampleEndpoint(b.ws.ID, "whe_d")))
	var ds []*model.WebhookDelivery
	for i, ev := range []string{"ev_1", "ev_2", "ev_3"} {
		next := base.Add(time.Duration(i) * time.Minute)
		d := &model.WebhookDelivery{ID: "wh_" + ev, WorkspaceID: b.ws.ID, EndpointID: "whe_d", Type: "event.received",
			EventID: ev, Payload: []byte(`{"id":"` + ev + `"}`), Status: model.DeliveryPending, NextAt: &next, Lease: "l1",
			CreatedAt: next, UpdatedAt: next}
		require.NoError(t, b.s.WebhookDeliveryInsert(b.ctx, d))
		ds = append(ds, d)
	}
	got, err := b.s.WebhookDeliveryGet(b.ctx, b.ws.ID, "wh_ev_1")
	require.NoError(t, err)
	require.Equal(t, ds[0], got)
	_, err = b.s.WebhookDeliveryGet(b.ctx, b.other.ID, "wh_ev_1")
	require.ErrorIs(t, err, store.ErrNotFound, "delivery visible in another workspace")

	d := *ds[0]
	d.Status, d.Attempts, d.NextAt, d.LastReason, d.UpdatedAt = model.DeliveryDelivered, 2, nil, "HTTP 200", base.Add(time.Hour)
	d.Lease = "l2"
	require.ErrorIs(t, b.s.WebhookDeliveryUpdate(b.ctx, &store.WebhookDeliveryUpdateParams{Delivery: &d, Lease: "l0"}),
		store.ErrNotFound, "a job with an older lease changes nothing")
	require.NoError(t, b.s.WebhookDeliveryUpdate(b.ctx, &store.WebhookDeliveryUpdateParams{Delivery: &d, Lease: "l1"}))
	got, err = b.s.WebhookDeliveryGet(b.ctx, b.ws.ID, "wh_ev_1")
	require.NoError(t, err)
	require.Equal(t, &d, got)
	other := d
	other.WorkspaceID = b.other.ID
	require.ErrorIs(t, b.s.WebhookDeliveryUpdate(b.ctx, &store.WebhookDeliveryUpdateParams{Delivery: &other, Lease: "l2"}), store.ErrNotFound)

	ids := func(p store.WebhookDeliveryListParams) []string {
		p.Limit = cmp.Or(p.Limit, 10)
		list, err := b.s.WebhookDeliveryList(b.ctx, &p)
		require.NoError(t, err)
		var out []string
		for _, d := range list {
			out = append(out, d.ID)
		}
		return out
	}
	from, to := base.Add(time.Minute), base.Add(2*time.Minute)
	require.Equal(t, []string{"wh_ev_3", "wh_ev_2", "wh_ev_1"}, ids(store.WebhookDeliveryListParams{WorkspaceID: b.ws.ID}))
	require.Equal(t, []string{"wh_ev_3", "wh_ev_2"}, ids(store.WebhookDeliveryListParams{WorkspaceID: b.ws.ID, Limit: 2}))
	require.Equal(t, []string{"wh_ev_2"}, ids(store.WebhookDeliveryListParams{WorkspaceID: b.ws.ID, From: &from, To: &to}),
		"From inclusive, To exclusive")
	require.Equal(t, []string{"wh_ev_2"}, ids(store.WebhookDeliveryListParams{WorkspaceID: b.ws.ID, EventID: "ev_2"}))
	require.Equal(t, []string{"wh_ev_3", "wh_ev_2", "wh_ev_1"}, ids(store.WebhookDeliveryListParams{WorkspaceID: b.ws.ID, EndpointID: "whe_d"}))
	require.Empty(t, ids(store.WebhookDeliveryListParams{WorkspaceID: b.ws.ID, EndpointID: "whe_x"}))
	require.Equal(t, []string{"wh_ev_1"}, ids(store.WebhookDeliveryListParams{WorkspaceID: b.ws.ID, Status: model.DeliveryDelivered}))
	require.Equal(t, []string{"wh_ev_3", "wh_ev_2"}, ids(store.WebhookDeliveryListParams{WorkspaceID: b.ws.ID, Status: model.DeliveryPending}))
	require.Empty(t, ids(store.WebhookDeliveryListParams{WorkspaceID: b.other.ID}), "deliveries listed in another workspace")

	a1 := &model.WebhookAttempt{DeliveryID: "wh_ev_1", WorkspaceID: b.ws.ID, Number: 1, At: base, StatusCode: 500,
		Latency: 120 * time.Millisecond, Excerpt: "oops", Verdict: "retry"}
	a2 := &model.WebhookAttempt{DeliveryID: "wh_ev_1", WorkspaceID: b.ws.ID, Number: 2, At: base.Add(time.Minute),
		Error: "connection refused", Verdict: "retry"}
	require.NoError(t, b.s.WebhookAttemptInsert(b.ctx, a2))
	require.NoError(t, b.s.WebhookAttemptInsert(b.ctx, a1))
	attempts, err := b.s.WebhookAttemptList(b.ctx, b.ws.ID, "wh_ev_1")
	require.NoError(t, err)
	require.Equal(t, []*model.WebhookAttempt{a1, a2}, attempts)
	attempts, err = b.s.WebhookAttemptList(b.ctx, b.other.ID, "wh_ev_1")
	require.NoError(t, err)
	require.Empty(t, attempts, "attempts listed in another workspace")

	n, err := b.s.WebhookDeliveryPurge(b.ctx, &store.PurgeParams{WorkspaceID: b.other.ID, Before: base.Add(time.Hour), Limit: 10})
	require.NoError(t, err)
	require.Zero(t, n, "purged in another workspace")
	n, err = b.s.WebhookDeliveryPurge(b.ctx, &store.PurgeParams{WorkspaceID: b.ws.ID, Before: base.Add(time.Minute), Limit: 10})
	require.NoError(t, err)
	require.Equal(t, 1, n, "created before Before: only the first")
	_, err = b.s.WebhookDeliveryGet(b.ctx, b.ws.ID, "wh_ev_1")
	require.ErrorIs(t, err, store.ErrNotFound)
	attempts, err = b.s.WebhookAttemptList(b.ctx, b.ws.ID, "wh_ev_1")
	require.NoError(t, err)
	require.Empty(t, attempts, "attempts go with their delivery")

	require.NoError(t, b.s.WebhookEndpointDelete(b.ctx, b.ws.ID, "whe_d"))
	_, err = b.s.WebhookDeliveryGet(b.ctx, b.ws.ID, "wh_ev_2")
	require.ErrorIs(t, err, store.ErrNotFound, "deliveries go with their endpoint")
}
