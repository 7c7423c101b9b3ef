package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/client"
	"github.com/herold-dev/herold/internal/apptest"
)

// start runs a Herold with one flow: "ping" events mail the actors in role
// "to"; "booking" events do too, after confirmation.
func start(t *testing.T, modify ...func(*apptest.Setup)) (*apptest.Env, *client.Client) {
	t.Helper()
	e := apptest.Start(t, append([]func(*apptest.Setup){func(s *apptest.Setup) { s.NoDelivery = true }}, modify...)...)
	e.Must(200, "PATCH", "/v1/workspace", map[string]any{"sender": map[string]any{"from": "Herold Test <noreply@herold.example>"}})
	e.Must(201, "PUT", "/v1/templates/ping", map[string]any{"locales": map[string]any{
		"de": map[string]any{"subject": "Ping {{ .data.n }}", "text": "Hallo {{ .recipient.name }}"},
	}})
	e.Must(201, "PUT", "/v1/flows/f", map[string]any{"notifications": []any{
		map[string]any{"key": "ping", "event_type": "ping", "template": "ping", "recipients": []string{"role:to"}},
		map[string]any{"key": "booking", "event_type": "booking", "template": "ping", "recipients": []string{"role:to"}, "status": "confirm"},
	}})
	e.Must(201, "PUT", "/v1/projects/p", map[string]any{"flow": "f"})
	return e, client.MustNew(e.URL, e.Key, client.WithHTTPClient(&http.Client{Transport: apptest.ContractTransport(t, nil)}))
}

func ping(n int, to ...client.Actor) *client.Event {
	return &client.Event{Type: "ping", Project: "p", Actors: map[string][]client.Actor{"to": to}, Data: map[string]any{"n": n}}
}

func person(id string) client.Actor {
	return client.Inline(client.Contact{ID: id, Email: id + "@example.org", Name: "Person " + id})
}

// collect drains an iterator, failing the test on an error.
func collect[T any](t *testing.T, seq func(func(*T, error) bool)) []*T {
	t.Helper()
	var out []*T
	for v, err := range seq {
		require.NoError(t, err)
		out = append(out, v)
	}
	return out
}

func TestNewRejectsUnusableURLs(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"", "127.0.0.1:8080", "localhost:8080", "herold.example.org", "ftp://herold.example.org",
		"http://", "/v1", "http://h.example/?x=1", "http://h.example/#top", "http://[::1"} {
		c, err := client.New(u, "k")
		require.Error(t, err, "%q", u)
		require.Nil(t, c)
		require.Contains(t, err.Error(), "base URL")
	}
	c, err := client.New("https://herold.example.org/base/", "k")
	require.NoError(t, err)
	require.Equal(t, "https://herold.example.org/base", c.BaseURL())
	require.Panics(t, func() { client.MustNew("localhost:8080", "k") })
}

// countingTransport is a wrapped transport, as tracing libraries install
// one in place of http.DefaultTransport.
type countingTransport struct {
	next http.RoundTripper
	n    chan int
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := c.next.RoundTrip(r)
	if err == nil {
		c.n <- resp.StatusCode
	}
	return resp, err
}

// TestNewWithWrappedDefaultTransport: New does not assume the default
// transport is an *http.Transport; it sends through the wrapper. Not
// parallel: it replaces a global.
func TestNewWithWrappedDefaultTransport(t *testing.T) {
	e, _ := start(t)
	saved := http.DefaultTransport
	wrapped := &countingTransport{next: saved, n: make(chan int, 10)}
	http.DefaultTransport = wrapped
	t.Cleanup(func() { http.DefaultTransport = saved })
	c, err := client.New(e.URL, e.Key)
	require.NoError(t, err)
	http.DefaultTransport = saved
	_, err = c.Workspace(context.Background())
	require.NoError(t, err)
	require.Equal(t, 200, <-wrapped.n)
}

// headers records the headers of each request a client sends.
type headers struct {
	next http.RoundTripper
	mu   sync.Mutex
	seen []*http.Request
}

func (h *headers) RoundTrip(r *http.Request) (*http.Response, error) {
	h.mu.Lock()
	h.seen = append(h.seen, r)
	h.mu.Unlock()
	return h.next.RoundTrip(r)
}

func TestRequestHeaders(t *testing.T) {
	t.Parallel()
	e, plain := start(t)
	ctx := context.Background()
	res, err := plain.SendEvent(ctx, &client.Event{Type: "ping", Project: "nowhere"})
	require.NoError(t, err)
	rec := &headers{next: http.DefaultTransport}
	c := client.MustNew(e.URL, e.Key, client.WithHTTPClient(&http.Client{Transport: rec}),
		client.WithUserAgent("buchung/2.3"), client.WithLanguage("de"))
	ex, err := c.Explain(ctx, res.ID, "")
	require.NoError(t, err)
	require.Equal(t, "de", ex.Language)
	ex, err = c.Explain(ctx, res.ID, "en")
	require.NoError(t, err)
	require.Equal(t, "en", ex.Language, "the call's language wins")
	require.Len(t, rec.seen, 2)
	r := rec.seen[0]
	require.Equal(t, "buchung/2.3 "+client.DefaultUserAgent, r.Header.Get("User-Agent"))
	require.Equal(t, "de", r.Header.Get("Accept-Language"))
	require.Equal(t, "Bearer "+e.Key, r.Header.Get("Authorization"))
	require.Equal(t, "en", rec.seen[1].URL.Query().Get("lang"))
}

func TestWorkspaceAndKeyErrors(t *testing.T) {
	t.Parallel()
	e, c := start(t)
	ctx := context.Background()
	ws, err := c.Workspace(ctx)
	require.NoError(t, err)
	require.Equal(t, "default", ws.Key)
	require.Equal(t, "Herold Test <noreply@herold.example>", ws.Sender.From)

	bad := client.MustNew(e.URL, "hk_unknown_key_0123456789abcdefgh")
	ws, err = bad.Workspace(ctx)
	require.Nil(t, ws)
	require.ErrorIs(t, err, client.ErrUnauthorized)
	var apiErr *client.Error
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, `Bearer realm="herold"`, apiErr.Header.Get("WWW-Authenticate"), "the answer's headers are kept")
}

func TestContacts(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	ctx := context.Background()
	anna := &client.Contact{ID: "anna", Email: "anna@example.org", Name: "Anna", Locale: "de", Timezone: "Europe/Berlin",
		Attributes: map[string]any{"plz": "50667"}, Consents: []string{"newsletter"}, OptOuts: []string{"birthday"}}
	require.NoError(t, c.PutContact(ctx, anna))
	got, err := c.Contact(ctx, "anna")
	require.NoError(t, err)
	require.Equal(t, "Anna", got.Name)
	require.Equal(t, map[string]any{"plz": "50667"}, got.Attributes)
	require.Equal(t, []string{"birthday"}, got.OptOuts)
	require.False(t, got.CreatedAt.IsZero())

	// A contact read back can be changed and put again (the read-only
	// timestamps are not sent), and nil opt-outs keep the stored ones.
	got.Name, got.OptOuts = "Anna B.", nil
	require.NoError(t, c.PutContact(ctx, got))
	got, err = c.Contact(ctx, "anna")
	require.NoError(t, err)
	require.Equal(t, "Anna B.", got.Name)
	require.Equal(t, []string{"birthday"}, got.OptOuts, "nil keeps the opt-outs")
	// An empty list clears them.
	got.OptOuts = []string{}
	require.NoError(t, c.PutContact(ctx, got))
	got, err = c.Contact(ctx, "anna")
	require.NoError(t, err)
	require.Empty(t, got.OptOuts, "[] clears the opt-outs")

	// A rejected contact names its field.
	err = c.PutContact(ctx, &client.Contact{ID: "bad", Email: "Anna <anna@example.org>"})
	require.ErrorIs(t, err, client.ErrValidation)
	var apiErr *client.Error
	require.ErrorAs(t, err, &apiErr)
	require.NotNil(t, apiErr.Field("email"))
	require.Equal(t, client.CodeInvalidEmail, apiErr.Field("email").Code)

	// Bulk: the valid ones are saved, the invalid one reported.
	res, err := c.PutContacts(ctx, []client.Contact{{ID: "b1", Email: "b1@example.org"}, {ID: "b2", Email: "nope"},
		{ID: "b3", Email: "b3@example.org"}})
	require.NoError(t, err)
	require.Equal(t, 2, res.Upserted)
	require.Len(t, res.Errors, 1)
	require.Equal(t, 1, res.Errors[0].Index)
	require.Equal(t, "b2", res.Errors[0].ID)
	require.ErrorIs(t, &res.Errors[0], client.ErrValidation)
	require.Equal(t, "contacts[1].email", res.Errors[0].Errors[0].Field)
	require.Contains(t, res.Errors[0].Error(), "contacts[1].email")

	// Listed in pages of two: anna, b1, b3.
	paged := client.MustNew(c.BaseURL(), apptest.DefaultKey, client.WithPageSize(2))
	var ids []string
	for ct, err := range paged.Contacts(ctx) {
		require.NoError(t, err)
		ids = append(ids, ct.ID)
	}
	require.Equal(t, []string{"anna", "b1", "b3"}, ids)
	// Breaking out of the loop stops it.
	for range paged.Contacts(ctx) {
		break
	}

	require.NoError(t, c.DeleteContact(ctx, "b1"))
	got, err = c.Contact(ctx, "b1")
	require.Nil(t, got)
	require.ErrorIs(t, err, client.ErrNotFound)
	require.ErrorIs(t, c.DeleteContact(ctx, "b1"), client.ErrNotFound)
}

func TestObjects(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	ctx := context.Background()
	require.NoError(t, c.PutContact(ctx, &client.Contact{ID: "anna", Email: "anna@example.org"}))
	for _, id := range []string{"t-2", "t-1", "t-3"} {
		require.NoError(t, c.PutObject(ctx, &client.Object{Collection: "tasks", ID: id, Attributes: map[string]any{"title": "Task " + id},
			Contacts: map[string][]string{"assignee": {"anna"}}, Subscribers: []string{"anna"}}))
	}
	o, err := c.Object(ctx, "tasks", "t-1")
	require.NoError(t, err)
	require.Equal(t, "Task t-1", o.Attributes["title"])
	require.Equal(t, map[string][]string{"assignee": {"anna"}}, o.Contacts)
	require.Equal(t, []string{"anna"}, o.Subscribers)
	// Put back as read.
	o.Attributes["title"] = "Renamed"
	require.NoError(t, c.PutObject(ctx, o))

	var ids []string
	for o, err := range client.MustNew(c.BaseURL(), apptest.DefaultKey, client.WithPageSize(1)).Objects(ctx, "tasks") {
		require.NoError(t, err)
		ids = append(ids, o.ID)
	}
	require.Equal(t, []string{"t-1", "t-2", "t-3"}, ids)

	err = c.PutObject(ctx, &client.Object{Collection: "tasks", ID: "t-9", Subscribers: []string{"nobody"}})
	require.ErrorIs(t, err, client.ErrValidation)
	require.Equal(t, client.CodeUnknownReference, client.FieldErrors(err)[0].Code)
	require.NoError(t, c.DeleteObject(ctx, "tasks", "t-1"))
	o, err = c.Object(ctx, "tasks", "t-1")
	require.Nil(t, o)
	require.ErrorIs(t, err, client.ErrNotFound)
}

func TestSendEvent(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	ctx := context.Background()
	ev := ping(1, person("anna"))
	res, err := c.SendEvent(ctx, ev)
	require.NoError(t, err)
	require.False(t, res.Duplicate)
	require.Len(t, res.Messages, 1)
	require.Equal(t, client.StatusQueued, res.Messages[0].Status)
	require.Equal(t, "anna@example.org", res.Messages[0].To.Email)
	require.Empty(t, ev.IdempotencyKey, "the caller's event is not changed")

	// The client gave it an idempotency key; the stored event reads back.
	stored, err := c.Event(ctx, res.ID)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(stored.IdempotencyKey, "go-"), stored.IdempotencyKey)
	require.Equal(t, map[string][]string{"to": {"anna"}}, stored.Actors)
	require.Equal(t, client.SourceAPI, stored.Source)
	require.Len(t, stored.Messages, 1)
	// …and so does its JSON into the Event type that sent it.
	var raw []byte
	require.NoError(t, c.Do(ctx, "GET", "/v1/events/"+res.ID, nil, &raw))
	var again client.Event
	require.NoError(t, json.Unmarshal(raw, &again))
	require.Equal(t, []client.Actor{client.ContactID("anna")}, again.Actors["to"])

	// The caller's own key makes its retries count once.
	keyed := ping(2, client.ContactID("anna"))
	keyed.IdempotencyKey = "booking-4711"
	first, err := c.SendEvent(ctx, keyed)
	require.NoError(t, err)
	second, err := c.SendEvent(ctx, keyed)
	require.NoError(t, err)
	require.True(t, second.Duplicate)
	require.Equal(t, first.ID, second.ID)

	// A rejected event: no result, the error names the inline contact's
	// field where it is in the event.
	res, err = c.SendEvent(ctx, &client.Event{Type: "ping", Project: "p",
		Actors: map[string][]client.Actor{"to": {client.Inline(client.Contact{ID: "x", Email: "not-an-address"})}}})
	require.Nil(t, res)
	require.ErrorIs(t, err, client.ErrValidation)
	var apiErr *client.Error
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, http.StatusUnprocessableEntity, apiErr.Status)
	require.NotNil(t, apiErr.Field("actors.to[0].email"), "%v", apiErr.Errors)
}

func TestSendEvents(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	ctx := context.Background()
	events := []*client.Event{ping(1, person("a")), {Type: "bad type!", Project: "p"}, ping(3, person("b"))}
	results, err := c.SendEvents(ctx, events)
	require.NoError(t, err)
	require.Len(t, results, 3)
	require.NoError(t, results[0].Err)
	require.Len(t, results[0].Result.Messages, 1)
	require.Nil(t, results[1].Result, "a rejected event has no result")
	require.Equal(t, 1, results[1].Index)
	require.ErrorIs(t, results[1].Err, client.ErrValidation)
	require.Equal(t, "events[1].type", client.FieldErrors(results[1].Err)[0].Field)
	require.NotEmpty(t, results[2].Result.ID)

	// The same events again: each carried a key of its own, so a resend
	// of this slice (a client's retry) makes new events only for keys the
	// caller set; the client's keys are per call.
	for _, e := range events {
		require.Empty(t, e.IdempotencyKey)
	}
	stored, err := c.Event(ctx, results[2].Result.ID)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(stored.IdempotencyKey, "go-"))

	// Too many events is the request's error, with no results.
	many := make([]*client.Event, 1001)
	for i := range many {
		many[i] = ping(i)
	}
	results, err = c.SendEvents(ctx, many)
	require.Nil(t, results)
	require.ErrorIs(t, err, client.ErrValidation)
}

func TestEventsMessagesAndExplain(t *testing.T) {
	t.Parallel()
	e, c := start(t)
	ctx := context.Background()
	var sent []string
	for i := range 3 {
		res, err := c.SendEvent(ctx, ping(i, person("anna")))
		require.NoError(t, err)
		sent = append(sent, res.ID)
	}
	other, err := c.SendEvent(ctx, ping(9, person("ben")))
	require.NoError(t, err)
	noFlow, err := c.SendEvent(ctx, &client.Event{Type: "ping", Project: "nowhere", Actors: map[string][]client.Actor{"to": {client.ContactID("anna")}}})
	require.NoError(t, err)
	require.Empty(t, noFlow.Messages)

	// Anna's events, newest first, two per page.
	var evs []string
	for ev, err := range c.Events(ctx, client.EventFilter{Contact: "anna", PageSize: 2}) {
		require.NoError(t, err)
		evs = append(evs, ev.ID)
	}
	require.Equal(t, []string{noFlow.ID, sent[2], sent[1], sent[0]}, evs)

	// Her messages, and one event's.
	msgs := collect(t, c.Messages(ctx, client.MessageFilter{Contact: "anna", PageSize: 1}))
	require.Len(t, msgs, 3)
	require.Equal(t, "anna@example.org", msgs[0].To.Email)
	byEvent := collect(t, c.Messages(ctx, client.MessageFilter{Event: other.ID}))
	require.Len(t, byEvent, 1)
	require.Equal(t, "ben@example.org", byEvent[0].To.Email)
	queued := collect(t, c.Messages(ctx, client.MessageFilter{Statuses: []client.MessageStatus{client.StatusQueued}}))
	require.Len(t, queued, 4)

	m, err := c.Message(ctx, msgs[0].ID)
	require.NoError(t, err)
	require.Equal(t, "Ping 2", m.Subject)
	require.Equal(t, client.StatusPlanned, m.Timeline[0].Status)
	m, err = c.Message(ctx, "01956f2a-3c47-7b11-8e21-0c9d4a6b3f12")
	require.Nil(t, m)
	require.ErrorIs(t, err, client.ErrNotFound)

	// Why did anna get nothing for the last one? In the language asked
	// for per call, the client's own otherwise.
	de, err := c.Explain(ctx, noFlow.ID, "de")
	require.NoError(t, err)
	require.Equal(t, "de", de.Language)
	require.True(t, slices.ContainsFunc(de.Steps, func(s client.ExplainStep) bool { return s.Code == client.StepProjectUnknown }))
	en, err := c.Explain(ctx, noFlow.ID, "en")
	require.NoError(t, err)
	require.Equal(t, "en", en.Language)
	require.NotEqual(t, de.Summary, en.Summary)
	german := client.MustNew(e.URL, e.Key, client.WithLanguage("de"))
	ex, err := german.Explain(ctx, noFlow.ID, "")
	require.NoError(t, err)
	require.Equal(t, de.Summary, ex.Summary)
	ex, err = c.Explain(ctx, "01956f2a-3c47-7b11-8e21-0c9d4a6b3f12", "de")
	require.Nil(t, ex)
	require.ErrorIs(t, err, client.ErrNotFound)

	// A dry run explains and sends nothing.
	dry, err := c.DryRun(ctx, ping(1, client.ContactID("anna")), "de")
	require.NoError(t, err)
	require.Equal(t, "de", dry.Language)
	require.Empty(t, dry.EventID)
	require.Len(t, dry.Messages, 1)
	require.Len(t, collect(t, c.Messages(ctx, client.MessageFilter{Contact: "anna"})), 3, "the dry run saved nothing")

	// A bad filter is the iterator's error, yielded once.
	n := 0
	for m, err := range c.Messages(ctx, client.MessageFilter{Contact: "anna", PageSize: 1001}) {
		n++
		require.Nil(t, m)
		require.ErrorIs(t, err, client.ErrValidation)
		require.Equal(t, "limit", client.FieldErrors(err)[0].Field)
	}
	require.Equal(t, 1, n)
}

// TestIngestKeyAsksWhyNot: a host application with an ingest key answers
// "why did anna get no e-mail?" and is refused the whole history.
func TestIngestKeyAsksWhyNot(t *testing.T) {
	t.Parallel()
	e, admin := start(t)
	ctx := context.Background()
	res, err := admin.SendEvent(ctx, &client.Event{Type: "ping", Project: "nowhere", Actors: map[string][]client.Actor{"to": {person("anna")}}})
	require.NoError(t, err)
	var key struct {
		Secret string `json:"secret"`
	}
	require.NoError(t, admin.Do(ctx, "POST", "/v1/keys", map[string]any{"name": "Buchung", "scopes": []string{"ingest"}}, &key))
	c := client.MustNew(e.URL, key.Secret, client.WithLanguage("de"))

	var last *client.StoredEvent
	for ev, err := range c.Events(ctx, client.EventFilter{Contact: "anna"}) {
		require.NoError(t, err)
		last = ev
		break
	}
	require.Equal(t, res.ID, last.ID)
	require.Empty(t, collect(t, c.Messages(ctx, client.MessageFilter{Contact: "anna"})))
	ex, err := c.Explain(ctx, last.ID, "")
	require.NoError(t, err)
	require.Equal(t, "de", ex.Language)
	require.NotEmpty(t, ex.Summary)

	for _, err := range c.Messages(ctx, client.MessageFilter{}) {
		require.ErrorIs(t, err, client.ErrForbidden)
	}
	for _, err := range c.Events(ctx, client.EventFilter{Project: "p"}) {
		require.ErrorIs(t, err, client.ErrForbidden)
	}
}

func TestConfirmations(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	ctx := context.Background()
	var ids []string
	for i, who := range []string{"a", "b", "c", "d"} {
		res, err := c.SendEvent(ctx, &client.Event{Type: "booking", Project: "p", Actors: map[string][]client.Actor{"to": {person(who)}},
			Data: map[string]any{"n": i}})
		require.NoError(t, err)
		require.Equal(t, client.StatusAwaitingConfirmation, res.Messages[0].Status)
		require.NotNil(t, res.Messages[0].ExpiresAt)
		ids = append(ids, res.Messages[0].ID)
	}
	pending := collect(t, c.Confirmations(ctx, client.ConfirmationFilter{Project: "p", PageSize: 3}))
	require.Len(t, pending, 4)

	// One at a time; deciding again is a conflict.
	require.NoError(t, c.ApproveMessage(ctx, ids[0], "Maria Schulz"))
	require.ErrorIs(t, c.ApproveMessage(ctx, ids[0], "Maria Schulz"), client.ErrConflict)
	require.ErrorIs(t, c.DeclineMessage(ctx, "01956f2a-3c47-7b11-8e21-0c9d4a6b3f12", ""), client.ErrNotFound)
	require.NoError(t, c.DeclineMessage(ctx, ids[1], ""))

	// Many at once: each message's outcome, failures as errors.
	unknown := "01956f2a-3c47-7b11-8e21-0c9d4a6b3f12"
	ds, err := c.Approve(ctx, []string{ids[2], ids[0], unknown}, "Maria Schulz")
	require.NoError(t, err)
	require.Len(t, ds, 3)
	require.True(t, ds[0].Applied)
	require.NoError(t, ds[0].Err)
	require.Equal(t, client.StatusQueued, ds[0].Status)
	require.False(t, ds[1].Applied)
	require.ErrorIs(t, ds[1].Err, client.ErrConflict, "already approved")
	require.ErrorIs(t, ds[2].Err, client.ErrNotFound)
	require.Equal(t, unknown, ds[2].ID)

	ds, err = c.Decline(ctx, []string{ids[3]}, "")
	require.NoError(t, err)
	require.Equal(t, client.StatusDeclined, ds[0].Status)
	require.Empty(t, collect(t, c.Confirmations(ctx, client.ConfirmationFilter{})))

	m, err := c.Message(ctx, ids[2])
	require.NoError(t, err)
	i := slices.IndexFunc(m.Timeline, func(e client.TimelineEntry) bool { return e.Status == client.StatusApproved })
	require.GreaterOrEqual(t, i, 0)
	require.Equal(t, "Maria Schulz", m.Timeline[i].Actor)

	// No ids: the request's error.
	ds, err = c.Approve(ctx, nil, "")
	require.Nil(t, ds)
	require.ErrorIs(t, err, client.ErrValidation)
}

func TestSendManual(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	ctx := context.Background()
	m := &client.ManualMessage{Template: "ping", Recipients: []string{"email:Büro <buero@example.org>"}, Data: map[string]any{"n": 7}}
	res, err := c.SendManual(ctx, m)
	require.NoError(t, err)
	require.Len(t, res.Messages, 1)
	require.Equal(t, "buero@example.org", res.Messages[0].To.Email)
	require.Empty(t, m.IdempotencyKey)
	stored, err := c.Event(ctx, res.ID)
	require.NoError(t, err)
	require.Equal(t, client.SourceManual, stored.Source)
	require.True(t, strings.HasPrefix(stored.IdempotencyKey, "go-"))

	res, err = c.SendManual(ctx, &client.ManualMessage{Template: "nope", Recipients: []string{"contact:x"}})
	require.Nil(t, res)
	require.ErrorIs(t, err, client.ErrValidation)
	require.NotNil(t, errAsAPI(t, err).Field("template"))
}

func errAsAPI(t *testing.T, err error) *client.Error {
	t.Helper()
	var e *client.Error
	require.True(t, errors.As(err, &e), "%v is no *client.Error", err)
	return e
}

// TestDoForAdminOperations: Do reaches what the client has no method for.
func TestDoForAdminOperations(t *testing.T) {
	t.Parallel()
	_, c := start(t)
	ctx := context.Background()
	var flow struct {
		Key string `json:"key"`
	}
	require.NoError(t, c.Do(ctx, "GET", "/v1/flows/f", nil, &flow))
	require.Equal(t, "f", flow.Key)
	err := c.Put(ctx, "/v1/projects/q", map[string]any{"flow": "missing"})
	require.ErrorIs(t, err, client.ErrValidation)
	require.ErrorIs(t, c.Do(ctx, "DELETE", "/v1/flows/nope", nil, nil), client.ErrNotFound)
	err = c.Do(ctx, "PATCH", "/v1/flows/f", nil, nil)
	require.Equal(t, http.StatusMethodNotAllowed, errAsAPI(t, err).Status)
	require.Equal(t, "/problems/method-not-allowed", errAsAPI(t, err).Type)
	require.Contains(t, err.Error(), fmt.Sprint(http.StatusMethodNotAllowed))
}
