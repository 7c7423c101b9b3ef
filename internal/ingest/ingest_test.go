package ingest

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/clock"
	"github.com/herold-dev/herold/internal/condition"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
	"github.com/herold-dev/herold/internal/store/sqlite"
)

var start = time.Date(2026, 2, 28, 23, 30, 0, 0, time.UTC) // 00:30 on 1 March in Berlin

// fixture is an Ingester on a real SQLite file with a workspace whose
// project "p" uses flow "f": event "ping" mails the contacts in role "to"
// (template "t"), event "news" the same in consent category "news".
type fixture struct {
	t       testing.TB
	ctx     context.Context
	st      store.Store
	ws      *model.Workspace
	clock   *clock.Fake
	g       *Ingester
	notices atomic.Int32
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "herold.db"), sqlite.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	require.NoError(t, st.Migrate(context.Background()))
	return newFixtureOn(t, st)
}

// newFixtureOn is newFixture on a migrated, empty store.
func newFixtureOn(t testing.TB, st store.Store) *fixture {
	t.Helper()
	ctx := context.Background()
	ws := &model.Workspace{Key: "acme", Name: "Acme", DefaultLocale: "de", Timezone: "Europe/Berlin",
		Sender: model.Sender{From: "Acme <news@acme.example>"}, AllowedSenders: []string{"acme.example"}, RetentionDays: 30, ConfirmationExpiryHours: 168,
		CreatedAt: start, UpdatedAt: start}
	require.NoError(t, st.WorkspaceInsert(ctx, ws))
	_, err := st.TemplateUpsert(ctx, ws.ID, &model.Template{Key: "t", Name: "T", CreatedAt: start, UpdatedAt: start,
		Locales: map[string]model.TemplateContent{"de": {Subject: "Hallo {{ .recipient.name }}", Text: "Job: {{ .data.job }}"}}})
	require.NoError(t, err)
	flow := &model.Flow{Key: "f", Name: "F", CreatedAt: start, UpdatedAt: start, Notifications: []model.Notification{
		{Key: "ping", EventType: "ping", Template: "t", Recipients: []model.Recipient{"role:to"}, Status: model.StatusActive,
			Category: model.CategoryTransactional, Channel: model.ChannelEmail},
		{Key: "news", EventType: "news", Template: "t", Recipients: []model.Recipient{"role:to"}, Status: model.StatusActive,
			Category: "news", Channel: model.ChannelEmail},
	}}
	_, err = st.FlowUpsert(ctx, ws.ID, flow)
	require.NoError(t, err)
	_, err = st.ProjectUpsert(ctx, ws.ID, &model.Project{Key: "p", Name: "P", Flow: "f", Members: map[string][]string{},
		CreatedAt: start, UpdatedAt: start})
	require.NoError(t, err)
	env, err := condition.New()
	require.NoError(t, err)
	f := &fixture{t: t, ctx: ctx, st: st, ws: ws, clock: clock.NewFake(start)}
	f.g, err = New(Config{Store: st, Clock: f.clock, Conditions: env, Notify: func() { f.notices.Add(1) }})
	require.NoError(t, err)
	return f
}

func contact(id string, consents ...string) *model.Contact {
	if consents == nil {
		consents = []string{}
	}
	return &model.Contact{ID: id, Email: id + "@example.org", Name: "Person " + id, Attributes: map[string]any{},
		Consents: consents}
}

func ping(to ...string) *Input {
	return &Input{Type: "ping", Project: "p", Actors: map[string][]string{"to": to}, Data: map[string]any{"job": "Messe"}}
}

func (f *fixture) contacts(cs ...*model.Contact) {
	f.t.Helper()
	require.NoError(f.t, f.st.ContactUpsertMany(f.ctx, f.ws.ID, cs))
}

func TestAcceptPlansRendersStoresAndQueues(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.contacts(contact("anna"), contact("ben"))
	res, err := f.g.Accept(f.ctx, f.ws, ping("anna", "ben", "nobody"))
	require.NoError(t, err)
	require.False(t, res.Duplicate)
	require.Len(t, res.Messages, 2, "an unknown contact gets no message")
	require.Equal(t, int32(1), f.notices.Load(), "delivery is told once")

	ev, err := f.st.EventGet(f.ctx, f.ws.ID, res.Event.ID)
	require.NoError(t, err)
	require.True(t, ev.ReceivedAt.Equal(start) && ev.OccurredAt.Equal(start), "times from the injected clock")
	require.NotEmpty(t, ev.Trace)
	m, err := f.st.MessageGet(f.ctx, f.ws.ID, res.Messages[0].ID)
	require.NoError(t, err)
	require.Equal(t, model.MsgQueued, m.Status)
	require.Equal(t, "Hallo Person anna", m.Subject)
	require.Equal(t, "Job: Messe", m.Text)
	require.Equal(t, m.ID+"@acme.example", m.MessageID)
	require.Equal(t, []model.MessageStatus{model.MsgPlanned, model.MsgQueued}, []model.MessageStatus{m.Timeline[0].Status, m.Timeline[1].Status})
	claimed, err := f.st.MessageClaim(f.ctx, &store.MessageClaimParams{Owner: "x", Now: start, LeaseUntil: start.Add(time.Minute), Limit: 10})
	require.NoError(t, err)
	require.Len(t, claimed, 2, "queued messages are their own delivery queue, due at once")
}

// Every source keeps the time the event happened: a manual send used to
// drop it.
func TestOccurredAtKeptOnEveryPath(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.contacts(contact("anna"))
	happened := start.Add(-26 * time.Hour)
	one := ping("anna")
	one.OccurredAt = happened
	batch := ping("anna")
	batch.OccurredAt = happened
	manual := &Input{Type: "manual", Project: "p", Actors: map[string][]string{"to": {"anna"}}, OccurredAt: happened,
		Source: model.SourceManual, Manual: &model.Notification{Key: "manual", EventType: "manual", Template: "t",
			Recipients: []model.Recipient{"role:to"}, Status: model.StatusActive, Category: model.CategoryTransactional,
			Channel: model.ChannelEmail}}
	r1, err := f.g.Accept(f.ctx, f.ws, one)
	require.NoError(t, err)
	r2, err := f.g.AcceptMany(f.ctx, f.ws, []*Input{batch}, nil)
	require.NoError(t, err)
	r3, err := f.g.Accept(f.ctx, f.ws, manual)
	require.NoError(t, err)
	for _, r := range []*Result{r1, r2[0], r3} {
		ev, err := f.st.EventGet(f.ctx, f.ws.ID, r.Event.ID)
		require.NoError(t, err)
		require.True(t, ev.OccurredAt.Equal(happened), "%s: occurred_at %v", ev.Source, ev.OccurredAt)
		require.True(t, ev.ReceivedAt.Equal(start))
	}
	require.Len(t, r3.Messages, 1, "the manual notification, not the flow")
	require.Equal(t, "manual", r3.Messages[0].Notification)
	require.Equal(t, model.SourceManual, r3.Event.Source)
}

func TestIdempotencyWithinAndAcrossGroups(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.contacts(contact("anna"))
	a, b := ping("anna"), ping("anna")
	a.IdempotencyKey, b.IdempotencyKey = "k-1", "k-1"
	res, err := f.g.AcceptMany(f.ctx, f.ws, []*Input{a, b}, nil)
	require.NoError(t, err)
	require.False(t, res[0].Duplicate)
	require.True(t, res[1].Duplicate, "the same key twice in one group is one event")
	require.Equal(t, res[0].Event.ID, res[1].Event.ID)
	again, err := f.g.Accept(f.ctx, f.ws, b)
	require.NoError(t, err)
	require.True(t, again.Duplicate)
	require.Equal(t, res[0].Event.ID, again.Event.ID)
	require.Equal(t, res[0].Messages[0].ID, again.Messages[0].ID, "the first result, with its messages")
	list, err := f.st.EventList(f.ctx, &store.EventListParams{WorkspaceID: f.ws.ID, Limit: 10})
	require.NoError(t, err)
	require.Len(t, list, 1)
}

// Concurrent requests with one key, committed in groups: one event.
func TestConcurrentSameKeyIsOneEvent(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.g.Start()
	t.Cleanup(f.g.Stop)
	f.contacts(contact("anna"))
	var wg sync.WaitGroup
	ids := make([]string, 24)
	errs := make([]error, 24)
	for i := range ids {
		wg.Go(func() {
			in := ping("anna")
			in.IdempotencyKey = "booking-4711"
			res, err := f.g.Accept(f.ctx, f.ws, in)
			if err == nil {
				ids[i] = res.Event.ID
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i := range ids {
		require.NoError(t, errs[i])
		require.Equal(t, ids[0], ids[i])
	}
	list, err := f.st.EventList(f.ctx, &store.EventListParams{WorkspaceID: f.ws.ID, Limit: 100})
	require.NoError(t, err)
	require.Len(t, list, 1)
}

func TestDryRunStoresNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.contacts(contact("anna"), contact("ben"))
	in := ping("anna", "ben")
	in.Contacts = []*model.Contact{contact("ben")}
	res, err := f.g.DryRun(f.ctx, f.ws, in)
	require.NoError(t, err)
	require.Len(t, res.Messages, 2)
	require.Equal(t, "Hallo Person ben", res.Messages[1].Subject)
	list, err := f.st.EventList(f.ctx, &store.EventListParams{WorkspaceID: f.ws.ID, Limit: 10})
	require.NoError(t, err)
	require.Empty(t, list)
	require.Zero(t, f.notices.Load())
}

// A schedule's excluded record is recorded with the exclusion and plans
// nothing; its origin leads the trace.
func TestScheduleOriginAndExclusion(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.contacts(contact("anna"))
	origin := &model.Step{Code: model.StepScheduled, Params: map[string]string{"schedule": "s"}}
	ex := ping("anna")
	ex.Source, ex.Origin = model.SourceSchedule, origin
	ex.Exclusion = &model.Step{Code: model.StepScheduleExcluded, Params: map[string]string{"exclude": "true"}}
	ok := ping("anna")
	ok.Source, ok.Origin = model.SourceSchedule, origin
	res, err := f.g.AcceptMany(f.ctx, f.ws, []*Input{ex, ok}, nil)
	require.NoError(t, err)
	require.Empty(t, res[0].Messages)
	require.Equal(t, model.StepScheduled, res[0].Event.Trace[0].Code)
	require.Equal(t, model.StepScheduleExcluded, res[0].Event.Trace[len(res[0].Event.Trace)-1].Code)
	require.Len(t, res[1].Messages, 1)
	require.Equal(t, model.StepScheduled, res[1].Event.Trace[0].Code)
}

// What AcceptMany's then does commits with the events or not at all.
func TestAcceptManyThenIsPartOfTheTransaction(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.contacts(contact("anna"))
	boom := errors.New("boom")
	_, err := f.g.AcceptMany(f.ctx, f.ws, []*Input{ping("anna")}, func(store.Tx, []*Result) error { return boom })
	require.ErrorIs(t, err, boom)
	list, err := f.st.EventList(f.ctx, &store.EventListParams{WorkspaceID: f.ws.ID, Limit: 10})
	require.NoError(t, err)
	require.Empty(t, list, "nothing of the failed transaction stays")
	require.Zero(t, f.notices.Load())
}

// Consent and the daily counts: a newsletter to a contact without consent
// is suppressed and counted on the workspace's day.
func TestSuppressionsAreCountedOnTheWorkspacesDay(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.contacts(contact("anna"), contact("fan", "news"))
	news := ping("anna", "fan")
	news.Type = "news"
	res, err := f.g.Accept(f.ctx, f.ws, news)
	require.NoError(t, err)
	got := map[string]string{}
	for _, m := range res.Messages {
		got[m.To.ContactID] = fmt.Sprintf("%s %s", m.Status, m.Reason)
	}
	require.Equal(t, map[string]string{"anna": "suppressed no_consent", "fan": "queued "}, got)
	rows, err := f.st.StatsList(f.ctx, f.ws.ID, "2026-03-01", "2026-03-01")
	require.NoError(t, err)
	require.Equal(t, []store.StatsRow{{Day: "2026-03-01", Status: model.MsgSuppressed, Reason: "no_consent", Count: 1}}, rows)
}

// goneAfterLoad is the store of a request whose client goes away once the
// data its events need is loaded, while they are being planned.
type goneAfterLoad struct {
	store.Store
	cancel context.CancelFunc
}

func (s goneAfterLoad) SuppressionGetMany(ctx context.Context, ws int64, emails []string) (map[string]*model.Suppression, error) {
	out, err := s.Store.SuppressionGetMany(ctx, ws, emails)
	s.cancel()
	return out, err
}

// TestPlanningStopsWhenTheRequestIsGone: events whose request ends while
// they are planned (the client went away, the server's deadline passed)
// are not planned further, and nothing of them is stored or answered.
func TestPlanningStopsWhenTheRequestIsGone(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.contacts(contact("anna"))
	env, err := condition.New()
	require.NoError(t, err)
	for _, dry := range []bool{true, false} {
		ctx, cancel := context.WithCancel(f.ctx)
		g, err := New(Config{Store: goneAfterLoad{f.st, cancel}, Clock: f.clock, Conditions: env})
		require.NoError(t, err)
		ins := []*Input{ping("anna"), ping("anna"), ping("anna")}
		if dry {
			_, err = g.DryRun(ctx, f.ws, ins[0])
		} else {
			_, err = g.AcceptMany(ctx, f.ws, ins, nil)
		}
		require.ErrorIs(t, err, context.Canceled, "dry run %v", dry)
		cancel()
	}
	list, err := f.st.EventList(f.ctx, &store.EventListParams{WorkspaceID: f.ws.ID, Limit: 10})
	require.NoError(t, err)
	require.Empty(t, list)
}
