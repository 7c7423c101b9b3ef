package model

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The one-line throttle form carries roll-up at its end, in every scope,
// and writes it back the same way.
func TestThrottleLineRollUp(t *testing.T) {
	for line, want := range map[string]ThrottleRule{
		"5/1h roll-up":                       {Max: 5, Window: "1h", RollUp: true},
		"2/24h notification roll-up":         {Max: 2, Window: "24h", Scope: ThrottleNotification, RollUp: true},
		"1/15m key {{ .object.id }} roll-up": {Max: 1, Window: "15m", Scope: ThrottleKey, Key: "{{ .object.id }}", RollUp: true},
		"5/1h":                               {Max: 5, Window: "1h"},
	} {
		require.Equal(t, want, ParseThrottle(line), line)
	}
	require.Equal(t, "5/1h category roll-up\n1/15m key {{ .object.id }} roll-up",
		FormatThrottle([]ThrottleRule{{Max: 5, Window: "1h", RollUp: true}, {Max: 1, Window: "15m", Scope: ThrottleKey, Key: "{{ .object.id }}", RollUp: true}}))
	require.NotEmpty(t, CheckThrottle("throttle", []ThrottleRule{ParseThrottle("roll-up")}), "roll-up alone is no rule")
}

// Frequency summaries close at 08:00 local: daily the next morning,
// weekly on the next Monday (an item at Monday 08:00 sharp waits a week).
func TestFrequencyDigestWindows(t *testing.T) {
	berlin := LoadLocation("Europe/Berlin")
	require.Nil(t, FrequencyDigest(FrequencyInstantly, SummarySchedule{}))
	require.Empty(t, FrequencyDigest(FrequencyDaily, SummarySchedule{}).Check())
	require.Empty(t, FrequencyDigest(FrequencyWeekly, SummarySchedule{}).Check())
	sat := time.Date(2026, 3, 28, 23, 30, 0, 0, berlin)
	require.Equal(t, time.Date(2026, 3, 29, 6, 0, 0, 0, time.UTC), FrequencyDigest(FrequencyDaily, SummarySchedule{}).Deadline(sat, berlin).UTC(),
		"08:00 CEST on the day the clocks go forward")
	require.Equal(t, time.Date(2026, 3, 30, 6, 0, 0, 0, time.UTC), FrequencyDigest(FrequencyWeekly, SummarySchedule{}).Deadline(sat, berlin).UTC())
	mon8 := time.Date(2026, 3, 30, 8, 0, 0, 0, berlin)
	require.Equal(t, time.Date(2026, 4, 6, 8, 0, 0, 0, berlin), FrequencyDigest(FrequencyWeekly, SummarySchedule{}).Deadline(mon8, berlin))
}

// A workspace's summary schedule moves the close: daily at 17:30 local
// in two zones on their spring DST days (17:30 stays 17:30 local, the
// UTC time moves), an item at 17:30 sharp waits for the next day, one a
// minute earlier goes the same day; weekly on Fridays across the autumn
// change.
func TestFrequencyDigestSchedule(t *testing.T) {
	berlin, newYork := LoadLocation("Europe/Berlin"), LoadLocation("America/New_York")
	s := SummarySchedule{At: "17:30", Weekday: "friday"}
	daily, weekly := FrequencyDigest(FrequencyDaily, s), FrequencyDigest(FrequencyWeekly, s)
	require.Empty(t, daily.Check())
	require.Empty(t, weekly.Check())

	// Berlin: the clocks go forward on Sunday 2026-03-29.
	require.Equal(t, time.Date(2026, 3, 29, 15, 30, 0, 0, time.UTC),
		daily.Deadline(time.Date(2026, 3, 28, 18, 0, 0, 0, berlin), berlin).UTC(), "17:30 CEST = 15:30 UTC")
	require.Equal(t, time.Date(2026, 3, 28, 16, 30, 0, 0, time.UTC),
		daily.Deadline(time.Date(2026, 3, 28, 17, 29, 0, 0, berlin), berlin).UTC(), "a minute before: the same day, 17:30 CET")
	require.Equal(t, time.Date(2026, 3, 29, 15, 30, 0, 0, time.UTC),
		daily.Deadline(time.Date(2026, 3, 28, 17, 30, 0, 0, berlin), berlin).UTC(), "17:30 sharp: the next day")
	// New York: the clocks go forward on Sunday 2026-03-08.
	require.Equal(t, time.Date(2026, 3, 8, 21, 30, 0, 0, time.UTC),
		daily.Deadline(time.Date(2026, 3, 7, 20, 0, 0, 0, newYork), newYork).UTC(), "17:30 EDT = 21:30 UTC")
	require.Equal(t, time.Date(2026, 3, 7, 22, 30, 0, 0, time.UTC),
		daily.Deadline(time.Date(2026, 3, 7, 9, 0, 0, 0, newYork), newYork).UTC(), "17:30 EST = 22:30 UTC")
	// Weekly on Fridays: Friday 17:31 waits a week, across the autumn
	// change in Berlin (2026-10-25).
	require.Equal(t, time.Date(2026, 10, 30, 16, 30, 0, 0, time.UTC),
		weekly.Deadline(time.Date(2026, 10, 23, 17, 31, 0, 0, berlin), berlin).UTC(), "17:30 CET")
	require.Equal(t, time.Date(2026, 10, 23, 15, 30, 0, 0, time.UTC),
		weekly.Deadline(time.Date(2026, 10, 19, 8, 0, 0, 0, berlin), berlin).UTC(), "the Friday of the same week, 17:30 CEST")

	// Empty fields are the defaults.
	require.Equal(t, "08:00", SummarySchedule{}.Time())
	require.Equal(t, "monday", SummarySchedule{}.Day())
	require.Equal(t, "tuesday", SummarySchedule{Weekday: "tuesday"}.Day())
	require.Empty(t, SummarySchedule{}.Check("summary_schedule"))
	require.Empty(t, SummarySchedule{At: "00:00", Weekday: "sunday"}.Check("summary_schedule"))
	require.Empty(t, SummarySchedule{At: "23:59"}.Check("summary_schedule"))
}

// Each wrong field of a summary schedule is named with its path.
func TestSummaryScheduleCheck(t *testing.T) {
	for _, tc := range []struct {
		s     SummarySchedule
		field string
	}{
		{SummarySchedule{At: "8:00"}, "summary_schedule.at"},
		{SummarySchedule{At: "24:00"}, "summary_schedule.at"},
		{SummarySchedule{At: "17:60"}, "summary_schedule.at"},
		{SummarySchedule{At: " 17:30"}, "summary_schedule.at"},
		{SummarySchedule{At: "5pm"}, "summary_schedule.at"},
		{SummarySchedule{Weekday: "Monday"}, "summary_schedule.weekday"},
		{SummarySchedule{Weekday: "montag"}, "summary_schedule.weekday"},
		{SummarySchedule{Weekday: "mon"}, "summary_schedule.weekday"},
	} {
		ps := tc.s.Check("summary_schedule")
		require.Len(t, ps, 1, "%+v", tc.s)
		require.Equal(t, tc.field, ps[0].Field, "%+v", tc.s)
	}
	require.Len(t, SummarySchedule{At: "x", Weekday: "y"}.Check("summary_schedule"), 2)
}
