package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

func init() {
	pipelineCases = append(pipelineCases, storeCase{"Schedules", testSchedules})
}

func sampleSchedule(key string, next *time.Time) *model.Schedule {
	return &model.Schedule{
		Key: key, Name: "Geburtstage", Enabled: true, Cron: "0 6 * * *", Timezone: "Europe/Berlin",
		Source:    model.ScheduleSource{Kind: model.SourceContacts},
		Condition: "has(contact.birthday) && is_birthday(contact.birthday, 0)",
		Exclude:   "contact.membership_status == 'cancelled'", EventType: "contact.birthday", Project: "verein",
		Role: "member", OccurrenceKey: "birthday-{{ .contact.id }}-{{ .today.Year }}", LeapDay: "mar1",
		ReportTo: "email:vorstand@verein.example", ReportTemplate: "report", Preset: "birthday", ConsentCategory: "birthday",
		ReportChannels: []string{"email", "inapp"}, NextRunAt: next, CreatedAt: base, UpdatedAt: base,
	}
}

func testSchedules(t *testing.T, b *bundle) {
	next := base.Add(time.Hour)
	s := sampleSchedule("birthdays", &next)
	created, err := b.s.ScheduleUpsert(b.ctx, b.ws.ID, s)
	require.NoError(t, err)
	require.True(t, created)
	got, err := b.s.ScheduleGet(b.ctx, b.ws.ID, "birthdays")
	require.NoError(t, err)
	require.Equal(t, s, got)
	_, err = b.s.ScheduleGet(b.ctx, b.other.ID, "birthdays")
	require.ErrorIs(t, err, store.ErrNotFound)

	s2 := sampleSchedule("birthdays", &next)
	s2.Enabled, s2.CreatedAt, s2.UpdatedAt = false, base.Add(time.Hour), base.Add(time.Hour)
	created, err = b.s.ScheduleUpsert(b.ctx, b.ws.ID, s2)
	require.NoError(t, err)
	require.False(t, created)
	require.Equal(t, base, s2.CreatedAt)

	// Due: only enabled schedules whose next run has come, in any workspace.
	due := base.Add(-time.Minute)
	require.NoError(t, upsert(b, b.other.ID, sampleSchedule("qual", &due)))
	require.NoError(t, upsert(b, b.ws.ID, sampleSchedule("later", ptr(base.Add(48*time.Hour)))))
	refs, err := b.s.ScheduleDue(b.ctx, base.Add(2*time.Hour), 10)
	require.NoError(t, err)
	require.Equal(t, []store.ScheduleRef{{WorkspaceID: b.other.ID, Key: "qual"}}, refs, "the disabled one is not due")

	// Advancing is compare-and-set on the previous value.
	newNext := base.Add(24 * time.Hour)
	ok, err := b.s.ScheduleSetNext(b.ctx, b.other.ID, "qual", &due, &newNext)
	require.NoError(t, err)
	require.True(t, ok)
	ok, err = b.s.ScheduleSetNext(b.ctx, b.other.ID, "qual", &due, &newNext)
	require.NoError(t, err)
	require.False(t, ok, "a second due check must not advance it again")
	ok, err = b.s.ScheduleSetNext(b.ctx, b.ws.ID, "qual", &newNext, &due)
	require.NoError(t, err)
	require.False(t, ok, "another workspace cannot touch it")

	// Runs.
	slot := base
	run := &model.ScheduleRun{ID: "run-1", Schedule: "birthdays", Trigger: model.TriggerScheduled, Slot: &slot,
		Status: model.RunRunning, StartedAt: base, ErrorSamples: []string{}}
	require.NoError(t, b.s.ScheduleRunInsert(b.ctx, b.ws.ID, run))
	fin := base.Add(time.Minute)
	run.Status, run.FinishedAt, run.Scanned, run.Matched, run.Excluded, run.Emitted, run.Skipped, run.Errors =
		model.RunFinished, &fin, 1000, 5, 1, 3, 1, 1
	run.ErrorSamples = []string{"contact m-17: contact has no field 'birthday'"}
	run.Cursor = "m-500"
	require.NoError(t, b.s.ScheduleRunUpdate(b.ctx, b.ws.ID, run))
	gotRun, err := b.s.ScheduleRunGet(b.ctx, b.ws.ID, "run-1")
	require.NoError(t, err)
	require.Equal(t, run, gotRun)
	_, err = b.s.ScheduleRunGet(b.ctx, b.other.ID, "run-1")
	require.ErrorIs(t, err, store.ErrNotFound)
	require.NoError(t, b.s.ScheduleRunInsert(b.ctx, b.ws.ID, &model.ScheduleRun{ID: "run-2", Schedule: "birthdays",
		Trigger: model.TriggerManual, Status: model.RunRunning, StartedAt: base}))
	runs, err := b.s.ScheduleRunList(b.ctx, &store.RunListParams{WorkspaceID: b.ws.ID, Schedule: "birthdays", Limit: 10})
	require.NoError(t, err)
	require.Len(t, runs, 2)
	require.Equal(t, "run-2", runs[0].ID, "newest first")

	list, err := b.s.ScheduleList(b.ctx, &store.ListParams{WorkspaceID: b.ws.ID, Limit: 10})
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.NoError(t, b.s.ScheduleDelete(b.ctx, b.ws.ID, "birthdays"))
	_, err = b.s.ScheduleRunGet(b.ctx, b.ws.ID, "run-1")
	require.ErrorIs(t, err, store.ErrNotFound, "runs go with their schedule")
	require.ErrorIs(t, b.s.ScheduleDelete(b.ctx, b.ws.ID, "birthdays"), store.ErrNotFound)
}

func upsert(b *bundle, ws int64, s *model.Schedule) error {
	_, err := b.s.ScheduleUpsert(b.ctx, ws, s)
	return err
}

func ptr[T any](v T) *T { return &v }
