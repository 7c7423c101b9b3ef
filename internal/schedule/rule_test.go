package schedule

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func berlin(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	return loc
}

// runs lists the activations of r in (from, to].
func runs(r *Rule, from, to time.Time) []time.Time {
	var out []time.Time
	for t := r.Next(from); !t.IsZero() && !t.After(to); t = r.Next(t) {
		out = append(out, t)
	}
	return out
}

func TestCronAcrossDaylightSaving(t *testing.T) {
	t.Parallel()
	loc := berlin(t)
	r, err := ParseCron("30 2 * * *", loc)
	require.NoError(t, err)

	// Spring forward 2026-03-29: 02:00 CET jumps to 03:00 CEST; 02:30 does
	// not exist and the job runs once, at 03:30.
	got := runs(r, time.Date(2026, 3, 28, 12, 0, 0, 0, loc), time.Date(2026, 3, 30, 12, 0, 0, 0, loc))
	require.Len(t, got, 2)
	require.Equal(t, time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC), got[0].UTC(), "03:30 CEST")
	require.Equal(t, "03:30", got[0].In(loc).Format("15:04"))
	require.Equal(t, time.Date(2026, 3, 30, 0, 30, 0, 0, time.UTC), got[1].UTC(), "02:30 CEST the next day")

	// Fall back 2026-10-25: 03:00 CEST goes back to 02:00 CET; 02:30
	// happens twice and the job runs once, at the first.
	got = runs(r, time.Date(2026, 10, 24, 12, 0, 0, 0, loc), time.Date(2026, 10, 26, 12, 0, 0, 0, loc))
	require.Len(t, got, 2)
	require.Equal(t, time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC), got[0].UTC(), "02:30 CEST, the first 02:30")
	require.Equal(t, time.Date(2026, 10, 26, 1, 30, 0, 0, time.UTC), got[1].UTC(), "02:30 CET the next day")
}

func TestCronDailyKeepsLocalTime(t *testing.T) {
	t.Parallel()
	loc := berlin(t)
	r, err := ParseCron("0 6 * * *", loc)
	require.NoError(t, err)
	for _, at := range runs(r, time.Date(2026, 3, 25, 0, 0, 0, 0, loc), time.Date(2026, 4, 2, 0, 0, 0, 0, loc)) {
		require.Equal(t, "06:00", at.In(loc).Format("15:04"), "%v", at)
	}
	// Weekdays only, with names.
	r, err = ParseCron("0 8 * * mon-fri", loc)
	require.NoError(t, err)
	got := runs(r, time.Date(2026, 3, 6, 9, 0, 0, 0, loc), time.Date(2026, 3, 13, 9, 0, 0, 0, loc)) // Fri → Fri
	require.Len(t, got, 5)
	require.Equal(t, time.Monday, got[0].In(loc).Weekday())
}

func TestEveryMinutes(t *testing.T) {
	t.Parallel()
	r, err := Every(20)
	require.NoError(t, err)
	start := time.Date(2026, 3, 29, 0, 5, 0, 0, time.UTC)
	got := runs(r, start, start.Add(3*time.Hour))
	require.Len(t, got, 9, "every 20 minutes for 3 hours, across the DST jump")
	require.Equal(t, time.Date(2026, 3, 29, 0, 20, 0, 0, time.UTC), got[0])
	for i := 1; i < len(got); i++ {
		require.Equal(t, 20*time.Minute, got[i].Sub(got[i-1]))
	}
	_, err = Every(0)
	require.Error(t, err)
}

func TestParseCronErrors(t *testing.T) {
	t.Parallel()
	for _, expr := range []string{"", "61 * * * *", "* * *", "@every 5m", "CRON_TZ=UTC 0 6 * * *", "0 6 * * * *", "0 25 * * *"} {
		_, err := ParseCron(expr, time.UTC)
		require.Error(t, err, "%q must be rejected", expr)
	}
	_, err := ParseCron("@daily", time.UTC)
	require.NoError(t, err)
}

func TestCheckCatchesUpOnce(t *testing.T) {
	t.Parallel()
	loc := berlin(t)
	r, err := ParseCron("0 6 * * *", loc)
	require.NoError(t, err)
	slot := time.Date(2026, 3, 2, 6, 0, 0, 0, loc)

	d := r.Check(slot, slot.Add(-time.Minute))
	require.False(t, d.Run)

	d = r.Check(slot, slot.Add(time.Minute))
	require.True(t, d.Run)
	require.False(t, d.CatchUp)
	require.True(t, slot.Equal(d.Slot))
	require.True(t, time.Date(2026, 3, 3, 6, 0, 0, 0, loc).Equal(d.Next), "%v", d.Next)

	// Down for three days: one run, marked as catch-up, and the next slot
	// is in the future.
	now := time.Date(2026, 3, 5, 9, 0, 0, 0, loc)
	d = r.Check(slot, now)
	require.True(t, d.Run)
	require.True(t, d.CatchUp)
	require.True(t, time.Date(2026, 3, 6, 6, 0, 0, 0, loc).Equal(d.Next), "%v", d.Next)
	require.False(t, r.Check(d.Next, now).Run)
}
