package schedule

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestRepeatRoundTrip: each choice of the builder becomes the cron (or
// every_minutes) it says, fires when it says, and reads back as the same
// choice.
func TestRepeatRoundTrip(t *testing.T) {
	t.Parallel()
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	from := time.Date(2028, 2, 28, 12, 0, 0, 0, berlin) // a Monday before 29 February
	tests := []struct {
		name     string
		in       Repeat
		cron     string
		every    int
		wantNext time.Time
	}{
		{"daily at 06:00", Repeat{Kind: RepeatDaily, Hour: 6}, "0 6 * * *", 0, time.Date(2028, 2, 29, 6, 0, 0, 0, berlin)},
		{"every 20 minutes", Repeat{Kind: RepeatMinutes, Minutes: 20}, "", 20, time.Date(2028, 2, 28, 12, 20, 0, 0, berlin)},
		{"mondays at 07:00", Repeat{Kind: RepeatWeekly, Hour: 7, Weekday: 1}, "0 7 * * 1", 0, time.Date(2028, 3, 6, 7, 0, 0, 0, berlin)},
		{"sundays at 23:59", Repeat{Kind: RepeatWeekly, Hour: 23, Minute: 59, Weekday: 0}, "59 23 * * 0", 0, time.Date(2028, 3, 5, 23, 59, 0, 0, berlin)},
		{"the 1st at 06:30", Repeat{Kind: RepeatMonthly, Hour: 6, Minute: 30, MonthDay: 1}, "30 6 1 * *", 0, time.Date(2028, 3, 1, 6, 30, 0, 0, berlin)},
		{"the 28th at midnight", Repeat{Kind: RepeatMonthly, MonthDay: 28}, "0 0 28 * *", 0, time.Date(2028, 3, 28, 0, 0, 0, 0, berlin)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, ok := tc.in.Check()
			require.True(t, ok)
			cron, every := tc.in.Rule()
			require.Equal(t, tc.cron, cron)
			require.Equal(t, tc.every, every)
			var r *Rule
			if every > 0 {
				r, err = Every(every)
			} else {
				r, err = ParseCron(cron, berlin)
			}
			require.NoError(t, err)
			require.Equal(t, tc.wantNext.UTC(), r.Next(from).UTC())
			back, ok := RepeatOf(cron, every)
			require.True(t, ok)
			require.Equal(t, tc.in, back)
		})
	}
}

// TestRepeatOfLeavesOtherRulesToCron: rules the builder cannot express
// exactly are not read as a choice (they open under "advanced").
func TestRepeatOfLeavesOtherRulesToCron(t *testing.T) {
	t.Parallel()
	for _, cron := range []string{"*/20 * * * *", "0 6 * * 1-5", "0 6,18 * * *", "0 6 1 1 *", "0 6 29 * *", "0 6 31 * *",
		"@daily", "0 6 1 * 1", "0 24 * * *", "60 6 * * *", "0 6 * * 7", "0 6 * *", "00 006 * * *", ""} {
		_, ok := RepeatOf(cron, 0)
		require.False(t, ok, cron)
	}
	_, ok := RepeatOf("", 10081)
	require.False(t, ok, "longer than a week")
	_, ok = RepeatOf("", 10080)
	require.True(t, ok, "exactly a week")
}

// TestRepeatCheck names the value out of range, at the edges.
func TestRepeatCheck(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   Repeat
		want string
	}{
		{Repeat{Kind: "hourly"}, "kind"},
		{Repeat{Kind: RepeatMinutes}, "minutes"},
		{Repeat{Kind: RepeatMinutes, Minutes: 10081}, "minutes"},
		{Repeat{Kind: RepeatDaily, Hour: 24}, "time"},
		{Repeat{Kind: RepeatDaily, Minute: 60}, "time"},
		{Repeat{Kind: RepeatWeekly, Weekday: 7}, "weekday"},
		{Repeat{Kind: RepeatMonthly, MonthDay: 0}, "monthday"},
		{Repeat{Kind: RepeatMonthly, MonthDay: 29}, "monthday"},
		{Repeat{Kind: RepeatMonthly, MonthDay: 28, Hour: 23, Minute: 59}, ""},
	}
	for _, tc := range tests {
		got, ok := tc.in.Check()
		require.Equal(t, tc.want, got, "%+v", tc.in)
		require.Equal(t, tc.want == "", ok)
	}
}
