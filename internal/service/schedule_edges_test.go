package service

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/clock"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/schedule"
	"github.com/herold-dev/herold/internal/store"
)

// edges is a service on a real SQLite file with a fake clock, a workspace
// in Berlin and a project, for the schedule edge tests.
type edges struct {
	t   *testing.T
	ctx context.Context
	s   *Service
	clk *clock.Fake
	ws  *model.Workspace
}

func newEdges(t *testing.T, now time.Time) *edges {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewFake(now)
	s, err := New(Config{Store: openSQLite(t), Clock: clk})
	require.NoError(t, err)
	created, err := s.WorkspaceCreate(ctx, WorkspaceCreateParams{Key: "verein", AllowedSenders: []string{"verein.example"},
		WorkspaceSettings: WorkspaceSettings{Timezone: "Europe/Berlin", Sender: model.Sender{From: "Verein <info@verein.example>"}}})
	require.NoError(t, err)
	_, err = s.ProjectPut(ctx, created.Workspace, &model.Project{Key: "verein", Name: "Verein"})
	require.NoError(t, err)
	return &edges{t: t, ctx: ctx, s: s, clk: clk, ws: created.Workspace}
}

func (e *edges) object(collection, id string, attrs map[string]any) {
	e.t.Helper()
	_, err := e.s.ObjectPut(e.ctx, e.ws, &model.Object{Collection: collection, ID: id, Attributes: attrs})
	require.NoError(e.t, err)
}

func (e *edges) preset(key string, p schedule.PresetParams) {
	e.t.Helper()
	_, err := e.s.SchedulePut(e.ctx, e.ws, &model.Schedule{Key: key, Project: "verein"}, &p)
	require.NoError(e.t, err)
}

// due lists the objects the schedule would take at the fake clock's now.
func (e *edges) due(key string) []string {
	e.t.Helper()
	p, err := e.s.SchedulePreviewAt(e.ctx, e.ws, key, time.Time{})
	require.NoError(e.t, err)
	require.Zero(e.t, p.Errors, p.Samples)
	out := []string{}
	for _, m := range p.Matches {
		out = append(out, m.Object)
	}
	slices.Sort(out)
	return out
}

// run runs the schedule at the fake clock's now and returns the run.
func (e *edges) run(key string) *model.ScheduleRun {
	e.t.Helper()
	run, err := e.s.ScheduleRunNow(e.ctx, e.ws, key)
	require.NoError(e.t, err)
	now := e.clk.Now()
	c, err := e.s.store.ScheduleRunClaim(e.ctx, &store.RunClaimParams{Owner: "test", Now: now, LeaseUntil: now.Add(time.Hour)})
	require.NoError(e.t, err)
	require.Equal(e.t, run.ID, c.ID)
	require.NoError(e.t, e.s.executeRun(e.ctx, c))
	run, err = e.s.store.ScheduleRunGet(e.ctx, e.ws.ID, run.ID)
	require.NoError(e.t, err)
	require.Equal(e.t, model.RunFinished, run.Status, run.Failure)
	return run
}

// fired reports whether the schedule emitted an event for occurrence.
func (e *edges) fired(key, occurrence string) bool {
	e.t.Helper()
	_, err := e.s.store.EventGetByIdempotencyKey(e.ctx, e.ws.ID, schedulePrefix+key+":"+occurrence)
	if errors.Is(err, store.ErrNotFound) {
		return false
	}
	require.NoError(e.t, err)
	return true
}

func berlinLoc(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	return loc
}

// TestOverdueComparesDurationsExactly: a nightly run at 02:00 takes a task
// 24 h 1 min and 24.5 h overdue, not one exactly 24 h or 23 h 59 min
// overdue; "90m" counts minutes; the old "hours" form still works.
func TestOverdueComparesDurationsExactly(t *testing.T) {
	t.Parallel()
	loc := berlinLoc(t)
	now := time.Date(2026, 12, 6, 2, 0, 0, 0, loc)
	e := newEdges(t, now)
	for id, ago := range map[string]time.Duration{
		"exactly-24h": 24 * time.Hour, "24h-1m": 24*time.Hour - time.Minute,
		"24h+1m": 24*time.Hour + time.Minute, "24.5h": 24*time.Hour + 30*time.Minute,
		"24h+1s": 24*time.Hour + time.Second, "91m": 91 * time.Minute, "90m": 90 * time.Minute,
	} {
		e.object("tasks", id, map[string]any{"due_at": now.Add(-ago).UTC().Format(time.RFC3339), "status": "open"})
	}
	e.object("tasks", "done-48h", map[string]any{"due_at": now.Add(-48 * time.Hour).Format(time.RFC3339), "status": "done"})
	e.preset("overdue", schedule.PresetParams{Kind: schedule.PresetOverdue, Collection: "tasks", Duration: "24h"})
	require.Equal(t, []string{"24.5h", "24h+1m", "24h+1s"}, e.due("overdue"))

	e.preset("old-form", schedule.PresetParams{Kind: schedule.PresetOverdue, Collection: "tasks", Hours: 24})
	require.Equal(t, []string{"24.5h", "24h+1m", "24h+1s"}, e.due("old-form"))

	e.preset("ninety", schedule.PresetParams{Kind: schedule.PresetStillOpen, Collection: "tasks", Field: "due_at", Duration: "90m"})
	require.Equal(t, []string{"24.5h", "24h+1m", "24h+1s", "24h-1m", "91m", "exactly-24h"}, e.due("ninety"))

	_, err := e.s.SchedulePut(e.ctx, e.ws, &model.Schedule{Key: "bad", Project: "verein"},
		&schedule.PresetParams{Kind: schedule.PresetOverdue, Collection: "tasks", Duration: "ein Tag"})
	requireFieldError(t, err, "preset.duration")
}

// TestPresetErrorsNameTheirParameter: a preset that cannot be applied is
// refused with the path of each wrong parameter, all of them at once, and
// nothing is saved.
func TestPresetErrorsNameTheirParameter(t *testing.T) {
	t.Parallel()
	e := newEdges(t, time.Date(2026, 12, 6, 2, 0, 0, 0, berlinLoc(t)))
	for _, tc := range []struct {
		name string
		in   schedule.PresetParams
		want []FieldError
	}{
		{"day unit", schedule.PresetParams{Kind: schedule.PresetOverdue, Collection: "tasks", Duration: "1d"},
			[]FieldError{{Field: "preset.duration", Code: CodeInvalid, Detail: `"1d" is not a duration; write e.g. "24h", "90m" or "1h30m"`}}},
		{"no duration", schedule.PresetParams{Kind: schedule.PresetAppointment, Collection: "appointments"},
			[]FieldError{{Field: "preset.duration", Code: CodeInvalid, Detail: `the appointment preset needs a duration between 1m and 8784h (366 days), e.g. "24h"`}}},
		{"hours too many", schedule.PresetParams{Kind: schedule.PresetStillOpen, Collection: "tasks", Hours: 9000},
			[]FieldError{{Field: "preset.hours", Code: CodeInvalid, Detail: `the still_open preset needs a duration between 1m and 8784h (366 days), e.g. "24h"`}}},
		{"no collection, bad duration", schedule.PresetParams{Kind: schedule.PresetOverdue, Duration: "1d"}, []FieldError{
			{Field: "preset.collection", Code: CodeInvalid, Detail: "the overdue preset needs a collection"},
			{Field: "preset.duration", Code: CodeInvalid, Detail: `"1d" is not a duration; write e.g. "24h", "90m" or "1h30m"`}}},
		{"unknown kind", schedule.PresetParams{Kind: "geburtstag"}, []FieldError{{Field: "preset.kind", Code: CodeInvalid,
			Detail: `"geburtstag" is not a preset; use one of birthday, date_reached, date_within_lead, overdue, still_open, appointment`}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.s.SchedulePut(e.ctx, e.ws, &model.Schedule{Key: "bad", Project: "verein"}, &tc.in)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			require.Equal(t, tc.want, ve.Fields)
		})
	}
	_, err := e.s.ScheduleGet(e.ctx, e.ws, "bad")
	require.Error(t, err, "nothing was saved")
}

// TestAppointmentRemindsOnlyWhatIsAhead: a 15-minute reminder takes an
// appointment in 15 and in 14 minutes, not one in 16 minutes nor one that
// started a minute ago (or starts right now), and runs every 15 minutes; a
// 10-minute lead runs every 10.
func TestAppointmentRemindsOnlyWhatIsAhead(t *testing.T) {
	t.Parallel()
	loc := berlinLoc(t)
	now := time.Date(2026, 12, 6, 9, 0, 0, 0, loc)
	e := newEdges(t, now)
	for id, in := range map[string]time.Duration{
		"started-1m-ago": -time.Minute, "starts-now": 0, "in-14m": 14 * time.Minute,
		"in-15m": 15 * time.Minute, "in-16m": 16 * time.Minute,
	} {
		e.object("appointments", id, map[string]any{"starts_at": now.Add(in).Format(time.RFC3339)})
	}
	e.preset("reminder", schedule.PresetParams{Kind: schedule.PresetAppointment, Collection: "appointments", Duration: "15m"})
	require.Equal(t, []string{"in-14m", "in-15m"}, e.due("reminder"))
	sc, err := e.s.ScheduleGet(e.ctx, e.ws, "reminder")
	require.NoError(t, err)
	require.Equal(t, 15, sc.EveryMinutes)

	e.preset("short", schedule.PresetParams{Kind: schedule.PresetAppointment, Collection: "appointments", Duration: "10m"})
	sc, err = e.s.ScheduleGet(e.ctx, e.ws, "short")
	require.NoError(t, err)
	require.Equal(t, 10, sc.EveryMinutes, "a run every 10 minutes leaves no start between two runs")
}

// TestExpiredSinceThePreviousRun: the first run takes what expired today,
// not a qualification expired in 2025; after a two-day outage the catch-up
// takes the two missed days once; a look-back reaches back on purpose.
func TestExpiredSinceThePreviousRun(t *testing.T) {
	t.Parallel()
	loc := berlinLoc(t)
	e := newEdges(t, time.Date(2026, 12, 1, 6, 0, 0, 0, loc))
	for id, day := range map[string]string{
		"old": "2025-01-01", "nov30": "2026-11-30", "dec1": "2026-12-01", "dec2": "2026-12-02",
		"dec3": "2026-12-03", "dec4": "2026-12-04", "dec5": "2026-12-05",
	} {
		e.object("qualifications", id, map[string]any{"expires_on": day})
	}
	e.preset("expired", schedule.PresetParams{Kind: schedule.PresetDateReached, Collection: "qualifications"})
	require.Equal(t, []string{"dec1"}, e.due("expired"), "first run: today only")
	r := e.run("expired")
	require.Equal(t, 1, r.Emitted)
	require.True(t, e.fired("expired", "reached-dec1-2026-12-01"))

	// The next morning: only 2 December.
	e.clk.Set(time.Date(2026, 12, 2, 6, 0, 0, 0, loc))
	require.Equal(t, []string{"dec2"}, e.due("expired"))
	require.Equal(t, 1, e.run("expired").Emitted)

	// Down on 3 and 4 December; back on the 5th: 3, 4 and 5 December, once.
	e.clk.Set(time.Date(2026, 12, 5, 6, 0, 0, 0, loc))
	require.Equal(t, []string{"dec3", "dec4", "dec5"}, e.due("expired"))
	r = e.run("expired")
	require.Equal(t, 3, r.Emitted)
	require.Zero(t, r.Skipped)
	for _, id := range []string{"dec3", "dec4", "dec5"} {
		require.True(t, e.fired("expired", "reached-"+id+"-2026-12-0"+id[3:]), id)
	}
	require.False(t, e.fired("expired", "reached-old-2025-01-01"))
	require.False(t, e.fired("expired", "reached-nov30-2026-11-30"))

	e.preset("look-back", schedule.PresetParams{Kind: schedule.PresetDateReached, Collection: "qualifications", LookBackDays: 5})
	require.Equal(t, []string{"dec1", "dec2", "dec3", "dec4", "dec5", "nov30"}, e.due("look-back"))
}

// TestExpiryDayGetsOneMail: with both presets on a qualification, the
// member gets the lead-time mail on the days before and only the "expired"
// mail on the expiry day.
func TestExpiryDayGetsOneMail(t *testing.T) {
	t.Parallel()
	loc := berlinLoc(t)
	e := newEdges(t, time.Date(2027, 2, 27, 6, 0, 0, 0, loc))
	e.object("qualifications", "q1", map[string]any{"expires_on": "2027-03-01", "lead_days": 2})
	e.preset("soon", schedule.PresetParams{Kind: schedule.PresetDateWithinLead, Collection: "qualifications", LeadField: "lead_days"})
	e.preset("expired", schedule.PresetParams{Kind: schedule.PresetDateReached, Collection: "qualifications"})
	for _, day := range []struct {
		at            time.Time
		soon, expired []string
	}{
		{time.Date(2027, 2, 26, 6, 0, 0, 0, loc), []string{}, []string{}},
		{time.Date(2027, 2, 27, 6, 0, 0, 0, loc), []string{"q1"}, []string{}},
		{time.Date(2027, 2, 28, 6, 0, 0, 0, loc), []string{"q1"}, []string{}},
		{time.Date(2027, 3, 1, 6, 0, 0, 0, loc), []string{}, []string{"q1"}},
		{time.Date(2027, 3, 2, 6, 0, 0, 0, loc), []string{}, []string{}},
	} {
		e.clk.Set(day.at)
		require.Equal(t, day.soon, e.due("soon"), "lead time on %s", day.at.Format(time.DateOnly))
		require.Equal(t, day.expired, e.due("expired"), "expired on %s", day.at.Format(time.DateOnly))
		e.run("expired")
	}
}

// TestScheduleConditionMatchesItsSource: a contacts schedule that reads
// object.… (or an objects schedule that reads contact.…) is rejected at
// save with the field that is wrong.
func TestScheduleConditionMatchesItsSource(t *testing.T) {
	t.Parallel()
	e := newEdges(t, time.Date(2026, 12, 6, 6, 0, 0, 0, time.UTC))
	put := func(sc *model.Schedule) error {
		sc.Project, sc.Cron, sc.EventType, sc.OccurrenceKey = "verein", "0 6 * * *", "x.due", "k-{{ .today.Year }}"
		_, err := e.s.SchedulePut(e.ctx, e.ws, sc, nil)
		return err
	}
	contacts := model.ScheduleSource{Kind: model.SourceContacts}
	objects := model.ScheduleSource{Kind: model.SourceObjects, Collection: "tasks"}
	requireFieldError(t, put(&model.Schedule{Key: "a", Source: contacts, Condition: "has(object.due_at)"}), "condition")
	requireFieldError(t, put(&model.Schedule{Key: "b", Source: contacts, Condition: "true", Exclude: "event.type == 'x'"}), "exclude")
	requireFieldError(t, put(&model.Schedule{Key: "c", Source: objects, Condition: "contact.email != ''"}), "condition")
	require.NoError(t, put(&model.Schedule{Key: "d", Source: contacts,
		Condition: "has(contact.birthday) && workspace.key == 'verein' && date(contact.birthday) >= data.since"}))
	require.NoError(t, put(&model.Schedule{Key: "e", Source: objects, Condition: "has(object.due_at)"}))
}

// requireFieldError checks that err is a validation error naming field.
func requireFieldError(t *testing.T, err error, field string) {
	t.Helper()
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	for _, f := range ve.Fields {
		if f.Field == field {
			return
		}
	}
	require.Failf(t, "no error for the field", "want %s in %+v", field, ve.Fields)
}

// TestEdgesOnDaylightSavingAndLeapDays: "24h" is 24 real hours also on
// the day clocks fall back (a day of 25 hours), and an expiry on
// 29 February 2028 is reached on that day and announced the day before;
// on the day clocks jump forward "expired" still takes that day.
func TestEdgesOnDaylightSavingAndLeapDays(t *testing.T) {
	t.Parallel()
	loc := berlinLoc(t)
	// 2026-10-25 06:00 CET; 24 h before is 2026-10-24 07:00 CEST.
	now := time.Date(2026, 10, 25, 6, 0, 0, 0, loc)
	e := newEdges(t, now)
	e.object("tasks", "wall-clock-day", map[string]any{"due_at": "2026-10-24T06:00:00+02:00"}) // 25 h
	e.object("tasks", "real-24h", map[string]any{"due_at": "2026-10-24T07:00:00+02:00"})       // 24 h
	e.preset("overdue", schedule.PresetParams{Kind: schedule.PresetOverdue, Collection: "tasks", Duration: "24h"})
	require.Equal(t, []string{"wall-clock-day"}, e.due("overdue"))

	e.object("qualifications", "leap", map[string]any{"expires_on": "2028-02-29", "lead_days": 1})
	e.object("qualifications", "spring", map[string]any{"expires_on": "2027-03-28"})
	e.preset("soon", schedule.PresetParams{Kind: schedule.PresetDateWithinLead, Collection: "qualifications", LeadField: "lead_days"})
	e.preset("expired", schedule.PresetParams{Kind: schedule.PresetDateReached, Collection: "qualifications"})
	e.clk.Set(time.Date(2027, 3, 28, 6, 0, 0, 0, loc)) // clocks jumped at 02:00
	require.Equal(t, []string{"spring"}, e.due("expired"))
	e.clk.Set(time.Date(2028, 2, 28, 6, 0, 0, 0, loc))
	require.Equal(t, []string{"leap"}, e.due("soon"))
	require.Equal(t, []string{}, e.due("expired"))
	e.clk.Set(time.Date(2028, 2, 29, 6, 0, 0, 0, loc))
	require.Equal(t, []string{}, e.due("soon"))
	require.Equal(t, []string{"leap"}, e.due("expired"))
}

// TestScheduleConsentCategoryIsTheNotificationRule: a birthday preset's
// consent category excludes a member who opted out (even with consent)
// and one without consent, exactly as a notification of that category
// would suppress them (Contact.Suppression), in the preview and in the
// run; explain says why in the reader's language.
func TestScheduleConsentCategoryIsTheNotificationRule(t *testing.T) {
	t.Parallel()
	loc := berlinLoc(t)
	e := newEdges(t, time.Date(2026, 12, 6, 6, 0, 0, 0, loc))
	members := []*model.Contact{
		{ID: "anna", Email: "anna@example.org", Consents: []string{"birthday"}, Attributes: map[string]any{"birthday": "1990-12-06"}},
		{ID: "bert", Email: "bert@example.org", Consents: []string{"birthday"}, OptOuts: []string{"birthday"}, Attributes: map[string]any{"birthday": "1985-12-06"}},
		{ID: "carl", Email: "carl@example.org", Attributes: map[string]any{"birthday": "1970-12-06"}},
	}
	res, err := e.s.ContactBulkUpsert(e.ctx, e.ws, members)
	require.NoError(t, err)
	require.Empty(t, res.Errors)
	_, err = e.s.SchedulePut(e.ctx, e.ws, &model.Schedule{Key: "birthdays", Project: "verein"},
		&schedule.PresetParams{Kind: schedule.PresetBirthday, ConsentCategory: "birthday"})
	require.NoError(t, err)

	p, err := e.s.SchedulePreviewAt(e.ctx, e.ws, "birthdays", time.Time{})
	require.NoError(t, err)
	excluded := map[string]bool{}
	for _, m := range p.Matches {
		excluded[m.Contact] = m.Excluded
		// The same verdict a notification of the category reaches.
		for _, c := range members {
			if c.ID == m.Contact {
				require.Equal(t, c.Suppression("birthday", "") != "", m.Excluded, m.Contact)
			}
		}
	}
	require.Equal(t, map[string]bool{"anna": false, "bert": true, "carl": true}, excluded)

	r := e.run("birthdays")
	require.Equal(t, 1, r.Emitted)
	require.Equal(t, 2, r.Excluded)
	out, err := e.s.store.ScheduleRunOutcome(e.ctx, e.ws.ID, r.ID)
	require.NoError(t, err)
	require.Equal(t, map[string]int{"opted_out": 1, "no_consent": 1}, out.Excluded)

	ev, err := e.s.store.EventGetByIdempotencyKey(e.ctx, e.ws.ID, schedulePrefix+"birthdays:birthday-bert-2026")
	require.NoError(t, err)
	for lang, want := range map[string]string{
		"de": "Nichts wurde gesendet: Der zeitgesteuerte Versand birthdays schließt diesen Kontakt aus, weil er birthday-Nachrichten abbestellt hat.",
		"en": "Nothing was sent: schedule birthdays excludes this contact because they opted out of birthday messages.",
	} {
		ex, err := e.s.ExplainEvent(e.ctx, e.ws, ev.ID, lang)
		require.NoError(t, err)
		var texts []string
		for _, st := range ex.Steps {
			texts = append(texts, st.Text)
		}
		require.Contains(t, texts, want, lang)
	}
}

// TestReportWaitsForTheMail: a run whose mail is still queued does not
// report at once; the periodic check sends the report when the wait is
// over, saying how much is still queued, and only once.
func TestReportWaitsForTheMail(t *testing.T) {
	t.Parallel()
	loc := berlinLoc(t)
	e := newEdges(t, time.Date(2026, 12, 6, 6, 0, 0, 0, loc))
	_, err := e.s.TemplatePut(e.ctx, e.ws, &model.Template{Key: "greeting", Locales: map[string]model.TemplateContent{
		"de": {Subject: "Alles Gute", Text: "Herzlichen Glückwunsch"}}})
	require.NoError(t, err)
	_, err = e.s.FlowPut(e.ctx, e.ws, &model.Flow{Key: "verein", Notifications: []model.Notification{{Key: "greeting",
		EventType: "contact.birthday", Template: "greeting", Recipients: []model.Recipient{"role:member"}, Category: "birthday"}}})
	require.NoError(t, err)
	_, err = e.s.ProjectPut(e.ctx, e.ws, &model.Project{Key: "verein", Name: "Verein", Flow: "verein"})
	require.NoError(t, err)
	res, err := e.s.ContactBulkUpsert(e.ctx, e.ws, []*model.Contact{
		{ID: "anna", Email: "anna@example.org", Consents: []string{"birthday"}, Attributes: map[string]any{"birthday": "1990-12-06"}}})
	require.NoError(t, err)
	require.Empty(t, res.Errors)
	_, err = e.s.SchedulePut(e.ctx, e.ws, &model.Schedule{Key: "birthdays", Project: "verein", Role: "member",
		ReportTo: "email:vorstand@verein.example"}, &schedule.PresetParams{Kind: schedule.PresetBirthday})
	require.NoError(t, err)

	r := e.run("birthdays")
	out, err := e.s.store.ScheduleRunOutcome(e.ctx, e.ws.ID, r.ID)
	require.NoError(t, err)
	require.Equal(t, []store.MessageCount{{Status: model.MsgQueued, Count: 1}}, out.Messages)
	require.Empty(t, r.ReportMessage, "anna's greeting is still queued (no delivery here)")
	e.clk.Advance(reportWait - time.Minute)
	require.NoError(t, e.s.RunDueSchedules(e.ctx))
	r, err = e.s.store.ScheduleRunGet(e.ctx, e.ws.ID, r.ID)
	require.NoError(t, err)
	require.Empty(t, r.ReportMessage, "a minute before the wait is over")

	e.clk.Advance(time.Minute)
	require.NoError(t, e.s.RunDueSchedules(e.ctx))
	r, err = e.s.store.ScheduleRunGet(e.ctx, e.ws.ID, r.ID)
	require.NoError(t, err)
	require.NotEmpty(t, r.ReportMessage)
	m, err := e.s.store.MessageGet(e.ctx, e.ws.ID, r.ReportMessage)
	require.NoError(t, err)
	require.Contains(t, m.Text, "noch nicht alle versandt")
	require.Regexp(t, `Noch in der Warteschlange: +1`, m.Text)
	require.Equal(t, "vorstand@verein.example", m.To.Email)

	first := r.ReportMessage
	require.NoError(t, e.s.RunDueSchedules(e.ctx))
	r, err = e.s.store.ScheduleRunGet(e.ctx, e.ws.ID, r.ID)
	require.NoError(t, err)
	require.Equal(t, first, r.ReportMessage, "one report per run")
}
