package service

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/clock"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/pgtest"
	"github.com/herold-dev/herold/internal/schedule"
	"github.com/herold-dev/herold/internal/store"
	"github.com/herold-dev/herold/internal/store/postgres"
	"github.com/herold-dev/herold/internal/store/sqlite"
	"github.com/herold-dev/herold/internal/timeutil"
)

// countingStore counts the contacts scans read.
type countingStore struct {
	store.Store
	read atomic.Int64
}

func (c *countingStore) ContactScan(ctx context.Context, p *store.ContactScanParams) (*store.ContactScanPage, error) {
	page, err := c.Store.ContactScan(ctx, p)
	if err == nil {
		c.read.Add(int64(len(page.Contacts)))
	}
	return page, err
}

func openSQLite(t testing.TB) store.Store {
	s, err := sqlite.Open(filepath.Join(t.TempDir(), "herold.db"), sqlite.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	require.NoError(t, s.Migrate(context.Background()))
	return s
}

func openPostgres(t testing.TB) store.Store {
	s, err := postgres.Open(context.Background(), pgtest.NewDatabase(t), postgres.Options{MaxConns: 5})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	require.NoError(t, s.Migrate(context.Background()))
	return s
}

// TestScanLeavesOutOnlyWhatCannotMatch runs birthday schedules whose
// condition lets the store leave contacts out next to the same condition
// written so that it does not, over birthdays on every day of a leap and
// of common years and values that are no plain date, around 29 February
// and the year's end: previews and runs see the same matches, counts and
// errors, while the first reads a fraction of the contacts.
func TestScanLeavesOutOnlyWhatCannotMatch(t *testing.T) {
	t.Parallel()
	for name, open := range map[string]func(testing.TB) store.Store{"sqlite": openSQLite, "postgres": openPostgres} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			testScanSkip(t, &countingStore{Store: open(t)})
		})
	}
}

func testScanSkip(t *testing.T, st *countingStore) {
	ctx := context.Background()
	clk := clock.NewFake(time.Date(2027, 2, 28, 5, 0, 0, 0, time.UTC))
	s, err := New(Config{Store: st, Clock: clk})
	require.NoError(t, err)
	created, err := s.WorkspaceCreate(ctx, WorkspaceCreateParams{Key: "verein",
		WorkspaceSettings: WorkspaceSettings{Timezone: "Europe/Berlin"}})
	require.NoError(t, err)
	ws := created.Workspace
	_, err = s.ProjectPut(ctx, ws, &model.Project{Key: "verein", Name: "Verein"})
	require.NoError(t, err)

	contacts := scanContacts()
	res, err := s.ContactBulkUpsert(ctx, ws, contacts)
	require.NoError(t, err)
	require.Empty(t, res.Errors)

	put := func(key, cond, leapDay string) {
		t.Helper()
		_, err := s.SchedulePut(ctx, ws, &model.Schedule{Key: key, Project: "verein", Role: "member",
			Condition: cond, LeapDay: leapDay}, &schedule.PresetParams{Kind: schedule.PresetBirthday, ConsentCategory: "birthday"})
		require.NoError(t, err)
	}
	const preset = "has(contact.birthday) && is_birthday(contact.birthday, 0)"
	for _, policy := range []string{"", string(timeutil.LeapDayMar1)} {
		put("fast"+policy, "", policy)
		// "true &&" keeps the store from leaving anything out (see
		// condition.DateSkip), the result is the same.
		put("slow"+policy, "true && "+preset, policy)
		sc, err := s.ScheduleGet(ctx, ws, "fast"+policy)
		require.NoError(t, err)
		require.Equal(t, preset, sc.Condition)
	}

	for _, at := range []time.Time{
		time.Date(2027, 2, 28, 5, 0, 0, 0, time.UTC),
		time.Date(2027, 3, 1, 5, 0, 0, 0, time.UTC),
		time.Date(2028, 2, 28, 23, 30, 0, 0, time.UTC),  // 29 February in Berlin
		time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC), // 1 January in Berlin
		time.Date(2100, 2, 28, 12, 0, 0, 0, time.UTC),
	} {
		for _, policy := range []string{"", "mar1"} {
			st.read.Store(0)
			slow, err := s.SchedulePreviewAt(ctx, ws, "slow"+policy, at)
			require.NoError(t, err)
			require.Equal(t, int64(len(contacts)), st.read.Load())
			st.read.Store(0)
			fast, err := s.SchedulePreviewAt(ctx, ws, "fast"+policy, at)
			require.NoError(t, err)
			require.Less(t, st.read.Load(), int64(len(contacts)/10), "at %s the store left few out", at)
			require.NotZero(t, fast.Matched, "at %s someone is due", at)
			require.NotZero(t, fast.Errors, "the undecidable ones are counted")
			require.Equal(t, slow, fast, "preview at %s, leap_day %q", at, policy)
		}
	}

	// Runs on 28 February of a common year: the counts, the error samples
	// and where the runs stopped are the same.
	runs := map[string]*model.ScheduleRun{}
	for _, key := range []string{"slow", "fast"} {
		run, err := s.ScheduleRunNow(ctx, ws, key)
		require.NoError(t, err)
		c, err := st.ScheduleRunClaim(ctx, &store.RunClaimParams{Owner: "test", Now: clk.Now(), LeaseUntil: clk.Now().Add(time.Hour)})
		require.NoError(t, err)
		require.Equal(t, run.ID, c.ID)
		require.NoError(t, s.executeRun(ctx, c))
		runs[key], err = s.store.ScheduleRunGet(ctx, ws.ID, run.ID)
		require.NoError(t, err)
	}
	slow, fast := runs["slow"], runs["fast"]
	require.Equal(t, model.RunFinished, fast.Status, fast.Failure)
	require.Equal(t, len(contacts), fast.Scanned)
	require.NotZero(t, fast.Emitted)
	require.Equal(t,
		[]any{slow.Scanned, slow.Matched, slow.Emitted, slow.Excluded, slow.Skipped, slow.Errors, slow.ErrorSamples, slow.Cursor},
		[]any{fast.Scanned, fast.Matched, fast.Emitted, fast.Excluded, fast.Skipped, fast.Errors, fast.ErrorSamples, fast.Cursor})
}

// scanContacts are members born on every day of 1900 (a common year the
// leap rule skips), 2000 (a leap year) and 2001, every other one with the
// birthday consent, among values a birthday can be but a plain date, at
// positions spread over the scan's pages.
func scanContacts() []*model.Contact {
	var birthdays []any
	for _, year := range []int{1900, 2000, 2001} {
		for d := (timeutil.Date{Year: year, Month: 1, Day: 1}); d.Year == year; d = d.AddDays(1) {
			birthdays = append(birthdays, d.String())
		}
	}
	odd := []any{
		"1990-02-30", "1997-02-29", "199x-02-27", "kein Datum", "", " 1990-02-28", "0000-02-28", "0000-03-01",
		"1990-02-28T23:30:00Z", "1990-02-28T22:30:00Z", "2000-02-29T12:00:00+01:00", "28.02.1990", "01.03.1990",
		json.Number("636163200"), json.Number("1.5"), true, nil, []any{"1990-02-28"}, map[string]any{"d": "1990-02-28"},
	}
	for i, v := range odd {
		at := (i*97 + 13) % len(birthdays)
		birthdays = append(birthdays[:at], append([]any{v}, birthdays[at:]...)...)
	}
	cs := make([]*model.Contact, 0, len(birthdays)+1)
	for i, b := range birthdays {
		c := &model.Contact{ID: fmt.Sprintf("c-%04d", i), Email: fmt.Sprintf("c%d@example.org", i),
			Attributes: map[string]any{"birthday": b, "membership_status": "active"}}
		if i%2 == 0 {
			c.Consents = []string{"birthday"}
		}
		cs = append(cs, c)
	}
	// One without a birthday at all.
	return append(cs, &model.Contact{ID: "c-9999", Email: "c9999@example.org"})
}

func TestContactSkip(t *testing.T) {
	t.Parallel()
	s, err := New(Config{Store: openSQLite(t)})
	require.NoError(t, err)
	ws := &model.Workspace{Key: "verein", Timezone: "Europe/Berlin"}
	now := time.Date(2027, 2, 28, 5, 0, 0, 0, time.UTC)
	contacts := model.ScheduleSource{Kind: model.SourceContacts}
	tests := []struct {
		name   string
		source model.ScheduleSource
		cond   string
		field  string // "": nothing is left out
	}{
		{"an attribute", contacts, "has(contact.birthday) && is_birthday(contact.birthday, 0)", "birthday"},
		// The data model shows the contact's column, not the attribute.
		{"a fixed field", contacts, "is_birthday(contact.timezone, 0)", ""},
		{"objects", model.ScheduleSource{Kind: model.SourceObjects, Collection: "clubs"}, "is_birthday(object.founded, 0)", ""},
		{"no birthday term", contacts, "contact.membership_status == 'active'", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, err := s.compileSchedule(ws, &model.Schedule{Source: tt.source, Condition: tt.cond, OccurrenceKey: "k"})
			require.NoError(t, err)
			skip := contactSkip(cs, model.NewData(model.DataInput{Workspace: cs.ws, Now: now}))
			if tt.field == "" {
				require.Nil(t, skip)
				return
			}
			require.NotNil(t, skip)
			require.Equal(t, tt.field, skip.Field)
			require.Len(t, skip.MonthDays, 364, "every day of a common year but 28 February")
			require.NotContains(t, skip.MonthDays, "02-28")
		})
	}
}
