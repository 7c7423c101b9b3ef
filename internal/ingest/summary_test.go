package ingest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/pgtest"
	"github.com/herold-dev/herold/internal/store"
	"github.com/herold-dev/herold/internal/store/postgres"
)

// news is an event of the fixture's "news" notification (category news).
func news(to ...string) *Input {
	return &Input{Type: "news", Project: "p", Actors: map[string][]string{"to": to}, Data: map[string]any{"job": "Messe"}}
}

// frequency records the contact's frequency for category as the API does,
// the workspace allowing daily and weekly summaries of category.
func (f *fixture) frequency(contactID, category, value string) {
	f.t.Helper()
	if f.ws.Vocabulary.CategoryDetails == nil {
		f.ws.Vocabulary.CategoryDetails = map[string]model.CategoryDetail{}
	}
	f.ws.Vocabulary.CategoryDetails[category] = model.CategoryDetail{Frequencies: []string{"daily", "weekly"}}
	_, err := f.st.PreferenceApply(f.ctx, &store.PreferenceApplyParams{WorkspaceID: f.ws.ID, ContactID: contactID,
		Sets:   []model.PreferenceSet{{Category: category, Setting: model.SettingFrequency, Value: value}},
		Source: model.PrefByAPI, Actor: "test", At: f.clock.Now()})
	require.NoError(f.t, err)
}

// onBothDatabases runs fn on SQLite and on PostgreSQL.
func onBothDatabases(t *testing.T, fn func(t *testing.T, f *fixture)) {
	t.Run("sqlite", func(t *testing.T) { t.Parallel(); fn(t, newFixture(t)) })
	t.Run("postgres", func(t *testing.T) { t.Parallel(); fn(t, newPostgresFixture(t)) })
}

// newPostgresFixture is newFixture on a fresh PostgreSQL database.
func newPostgresFixture(t *testing.T) *fixture {
	t.Helper()
	st, err := postgres.Open(context.Background(), pgtest.NewDatabase(t), postgres.Options{MaxConns: 8})
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	require.NoError(t, st.Migrate(context.Background()))
	return newFixtureOn(t, st)
}

// atOnce accepts 12 events from as many goroutines.
func (f *fixture) atOnce(t *testing.T, in func() *Input) []*Result {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var out []*Result
	for range 12 {
		wg.Go(func() {
			res, err := f.g.Accept(f.ctx, f.ws, in())
			require.NoError(t, err)
			mu.Lock()
			out = append(out, res)
			mu.Unlock()
		})
	}
	wg.Wait()
	require.Len(t, out, 12)
	return out
}

// Twelve news events at once to a contact who chose a daily summary
// make one summary with all twelve items and no message, on SQLite and
// PostgreSQL; the summary closes at 08:00 in Berlin the next morning.
func TestSummaryConcurrentEventsMakeOneSummary(t *testing.T) {
	t.Parallel()
	onBothDatabases(t, func(t *testing.T, f *fixture) {
		f.contacts(contact("anna", "news"))
		f.frequency("anna", "news", model.FrequencyDaily)
		f.clock.Set(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
		for _, res := range f.atOnce(t, func() *Input { return news("anna") }) {
			require.Empty(t, res.Messages, "collected into the summary")
		}
		due, err := f.st.DigestListDue(f.ctx, &store.DigestDueParams{Now: time.Date(2026, 3, 3, 6, 59, 0, 0, time.UTC), Limit: 10})
		require.NoError(t, err)
		require.Empty(t, due, "open until 08:00 Berlin")
		due, err = f.st.DigestListDue(f.ctx, &store.DigestDueParams{Now: time.Date(2026, 3, 3, 7, 0, 0, 0, time.UTC), Limit: 10})
		require.NoError(t, err)
		require.Len(t, due, 1, "one summary")
		m, err := f.closeSummary(due[0].ID, time.Date(2026, 3, 3, 7, 0, 0, 0, time.UTC))
		require.NoError(t, err)
		require.Equal(t, "Ihre Zusammenfassung: 12 Benachrichtigungen", m.Subject, m.Reason)
		require.Equal(t, "news", m.Category, "the category's preference and unsubscribe links follow on delivery")
		require.Equal(t, model.MsgQueued, m.Status)
	})
}

// closeSummary closes one due digest as the service's job does.
func (f *fixture) closeSummary(id string, now time.Time) (*model.Message, error) {
	var m *model.Message
	err := f.st.WithTx(f.ctx, func(tx store.Tx) error {
		var err error
		m, err = f.g.CloseDigest(f.ctx, tx, f.ws, id, now)
		return err
	})
	return m, err
}

// A throttle rule with roll-up, 3 per day, and twelve events at once:
// three messages go, nine are rolled into exactly one summary that
// closes when the window ends, on SQLite and PostgreSQL.
func TestRollUpConcurrentEventsMakeOneSummary(t *testing.T) {
	t.Parallel()
	onBothDatabases(t, func(t *testing.T, f *fixture) {
		f.contacts(contact("anna"))
		f.throttlePing(model.ThrottleRule{Max: 3, Window: "24h", RollUp: true})
		f.clock.Set(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
		counts := map[string]int{}
		for _, res := range f.atOnce(t, func() *Input { return ping("anna") }) {
			require.Len(t, res.Messages, 1)
			counts[string(res.Messages[0].Status)+" "+res.Messages[0].Reason]++
		}
		require.Equal(t, map[string]int{"queued ": 3, "suppressed rolled_up": 9}, counts)
		end := time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)
		due, err := f.st.DigestListDue(f.ctx, &store.DigestDueParams{Now: end.Add(-time.Millisecond), Limit: 10})
		require.NoError(t, err)
		require.Empty(t, due, "open until the window ends")
		due, err = f.st.DigestListDue(f.ctx, &store.DigestDueParams{Now: end, Limit: 10})
		require.NoError(t, err)
		require.Len(t, due, 1, "one roll-up summary")
		m, err := f.closeSummary(due[0].ID, end)
		require.NoError(t, err)
		require.Equal(t, "9 weitere Benachrichtigungen", m.Subject, m.Reason)
		require.Equal(t, "transactional", m.Category)
		require.Equal(t, "ping", m.Notification)
	})
}

// A contact who opts out of the category after items were collected
// gets no summary: it is kept as suppressed with the reason.
func TestSummaryRespectsAnOptOutMadeMeanwhile(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.contacts(contact("anna", "news"))
	f.frequency("anna", "news", model.FrequencyDaily)
	f.clock.Set(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	for range 2 {
		res, err := f.g.Accept(f.ctx, f.ws, news("anna"))
		require.NoError(t, err)
		require.Empty(t, res.Messages)
	}
	_, err := f.st.PreferenceApply(f.ctx, &store.PreferenceApplyParams{WorkspaceID: f.ws.ID, ContactID: "anna",
		Sets:   []model.PreferenceSet{{Category: "news", Setting: model.ChannelEmail, Value: model.ValueOut}},
		Source: model.PrefByOneClick, Actor: "anna@example.org", At: f.clock.Now()})
	require.NoError(t, err)
	closeAt := time.Date(2026, 3, 3, 7, 0, 0, 0, time.UTC)
	due, err := f.st.DigestListDue(f.ctx, &store.DigestDueParams{Now: closeAt, Limit: 10})
	require.NoError(t, err)
	require.Len(t, due, 1)
	m, err := f.closeSummary(due[0].ID, closeAt)
	require.NoError(t, err)
	require.Equal(t, model.MsgSuppressed, m.Status)
	require.Equal(t, string(model.ReasonOptedOut), m.Reason)
}
