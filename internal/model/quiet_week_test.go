package model

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Quiet hours by weekday and business hours: the hold runs to the first
// open minute after the run of quiet time, across days and chained
// windows, at the local wall-clock time, also over DST weekends.
func TestQuietHoursByWeekday(t *testing.T) {
	const office = "open Mon-Fri 08:00-18:00"
	checkHeldInBerlin(t, []heldCase{
		// 2026-03-27 is a Friday; the clocks spring forward on Sunday 29.
		{"Friday evening, spring DST weekend", office, "2026-03-27 18:00", "2026-03-30 08:00"},
		{"Friday a minute before closing", office, "2026-03-27 17:59", ""},
		{"Saturday", office, "2026-03-28 10:00", "2026-03-30 08:00"},
		{"Sunday in the skipped hour's night", office, "2026-03-29 03:30", "2026-03-30 08:00"},
		{"Sunday 23:59", office, "2026-03-29 23:59", "2026-03-30 08:00"},
		{"Monday a minute before opening", office, "2026-03-30 07:59", "2026-03-30 08:00"},
		{"Monday exactly at opening", office, "2026-03-30 08:00", ""},
		{"Tuesday night", office, "2026-03-31 22:00", "2026-04-01 08:00"},
		// 2026-10-23 is a Friday; the clocks fall back on Sunday 25.
		{"Friday evening, autumn DST weekend", office, "2026-10-23 19:00", "2026-10-26 08:00"},
		{"the repeated hour", office, "2026-10-25 02:30", "2026-10-26 08:00"},
		// 29 February 2028 is a Tuesday.
		{"29 February, before opening", office, "2028-02-29 06:00", "2028-02-29 08:00"},
		{"29 February, after closing", office, "2028-02-29 18:30", "2028-03-01 08:00"},
		{"29 February, open", office, "2028-02-29 12:00", ""},
		{"Saturday before 29 February", office, "2028-02-26 09:00", "2028-02-28 08:00"},
		// Several windows: the Saturday morning opens the weekend.
		{"Friday evening with a Saturday morning", "open Mon-Fri 08:00-18:00; Sat 09:00-12:00", "2026-06-12 20:00", "2026-06-13 09:00"},
		{"Saturday noon with a Saturday morning", "open Mon-Fri 08:00-18:00; Sat 09:00-12:00", "2026-06-13 12:00", "2026-06-15 08:00"},
		{"German days, mixed case", "OPEN mo-FR 08:00-18:00", "2026-06-13 12:00", "2026-06-15 08:00"},
		{"en dash", "open Mon–Fri 08:00–18:00", "2026-06-13 12:00", "2026-06-15 08:00"},
		{"open repeated", "open Mon-Thu 08:00-18:00; open Fri 08:00-14:00", "2026-06-12 14:00", "2026-06-15 08:00"},
		// Quiet form: nights on weekdays chained to a quiet weekend.
		// A window starts on its days: Sunday is not among Mon-Fri, so
		// the night into Monday is not quiet; 18:00-08:00 every day is.
		{"weekday night into the weekend", "Mon-Fri 18:00-08:00; Sat-Sun", "2026-06-12 18:00", "2026-06-15 00:00"},
		{"Monday early, day-qualified", "Mon-Fri 18:00-08:00; Sat-Sun", "2026-06-15 03:00", ""},
		{"nightly and the weekend", "18:00-08:00; Sat-Sun", "2026-06-12 18:00", "2026-06-15 08:00"},
		{"weekday night", "Mon-Fri 18:00-08:00; Sat-Sun", "2026-06-10 23:00", "2026-06-11 08:00"},
		{"weekday day", "Mon-Fri 18:00-08:00; Sat-Sun", "2026-06-10 12:00", ""},
		{"a range over the weekend", "Fri-Mon", "2026-06-14 12:00", "2026-06-16 00:00"},
		{"days with commas", "Sat,Sun", "2026-06-13 00:00", "2026-06-15 00:00"},
		{"days with commas, Friday", "Sat,Sun", "2026-06-12 23:59", ""},
		{"a Sunday window into Monday", "Sun 22:00-06:00", "2026-06-15 05:59", "2026-06-15 06:00"},
		{"a Sunday window, Monday night not quiet", "Sun 22:00-06:00", "2026-06-15 22:00", ""},
		{"every day and a quiet Sunday", "22:00-07:00; So", "2026-06-13 23:00", "2026-06-15 07:00"},
	})
	berlin := LoadLocation("Europe/Berlin")
	// The DST weekends in UTC: Friday 18:00 CET (17:00 UTC) to Monday
	// 08:00 CEST (06:00 UTC) is 61 h; in October 18:00 CEST (16:00 UTC)
	// to 08:00 CET (07:00 UTC) is 63 h.
	office2 := QuietHours(office)
	require.Equal(t, time.Date(2026, 3, 30, 6, 0, 0, 0, time.UTC), office2.HeldUntil(time.Date(2026, 3, 27, 17, 0, 0, 0, time.UTC), berlin))
	require.Equal(t, time.Date(2026, 10, 26, 7, 0, 0, 0, time.UTC), office2.HeldUntil(time.Date(2026, 10, 23, 16, 0, 0, 0, time.UTC), berlin))
	// Both passes of the repeated hour (02:30 CEST and 02:30 CET) are quiet.
	require.Equal(t, time.Date(2026, 10, 26, 7, 0, 0, 0, time.UTC), office2.HeldUntil(time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC), berlin))
	require.Equal(t, time.Date(2026, 10, 26, 7, 0, 0, 0, time.UTC), office2.HeldUntil(time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC), berlin))
	// An opening the clocks skip moves forward by the gap: 02:30 on the
	// spring Sunday is 03:30 CEST (01:30 UTC).
	require.Equal(t, time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC),
		QuietHours("open Sun 02:30-12:00; Mon-Sat").HeldUntil(time.Date(2026, 3, 28, 23, 30, 0, 0, time.UTC), berlin))
	// A contact in New York, the same instant as Friday 23:00 in Berlin:
	// 17:00 in New York, still open there until 18:00.
	ny := LoadLocation("America/New_York")
	friday := time.Date(2026, 6, 12, 21, 0, 0, 0, time.UTC)
	require.True(t, office2.HeldUntil(friday, ny).IsZero())
	require.Equal(t, time.Date(2026, 6, 15, 6, 0, 0, 0, time.UTC), office2.HeldUntil(friday, berlin))
	require.Equal(t, time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC), office2.HeldUntil(friday.Add(time.Hour), ny))
}

// Every value of the old form keeps its meaning; bad values say what
// is wrong, in which rule, and how to write it.
func TestQuietHoursGrammar(t *testing.T) {
	for _, good := range []string{"", "22:00-07:00", "12:00-13:00", "Mon-Fri 18:00-08:00; Sat-Sun", "open Mon-Fri 08:00-18:00; Sat 09:00-12:00",
		"Sa,So", "Fri-Mon 20:00-06:00", "open Mon-Sun", " open  mo - fr  08:00 - 18:00 ; sa 09:00-12:00 "} {
		require.Empty(t, QuietHours(good).Check("quiet_hours"), good)
	}
	for _, c := range []struct{ q, detail string }{
		{"22:00", `"22:00" is not a rule; write a window like 22:00-07:00, days like Sat-Sun, or both: Mon-Fri 18:00-08:00`},
		{"25:00-07:00", `"25:00" is not a time of day; write HH:MM, e.g. 07:00`},
		{"07:00-07:00", `"07:00-07:00" starts where it ends; write the days alone for a whole day, or leave it empty for no quiet hours`},
		{"Mon-Fri 18:00-08:00; Sat 25:00-12:00", `rule 2 ("Sat 25:00-12:00"): "25:00" is not a time of day; write HH:MM, e.g. 07:00`},
		{"Mon-Fry 18:00-08:00; Sat", `rule 1 ("Mon-Fry 18:00-08:00"): "Mon-Fry" is not a day; write Mon Tue Wed Thu Fri Sat Sun (or Mo Di Mi Do Fr Sa So), a range like Mon-Fri, several joined by ","`},
		{"Mo, Dii 18:00-08:00", `"Dii" is not a day; write Mon Tue Wed Thu Fri Sat Sun (or Mo Di Mi Do Fr Sa So), a range like Mon-Fri, several joined by ","`},
		{"Mo - Fry", `"Mo - Fry" is not a day; write Mon Tue Wed Thu Fri Sat Sun (or Mo Di Mi Do Fr Sa So), a range like Mon-Fri, several joined by ","`},
		{"nachts irgendwann", `"nachts irgendwann" is not a rule; write a window like 22:00-07:00, days like Sat-Sun, or both: Mon-Fri 18:00-08:00`},
		{"22:00-07:00;", `rule 2 (""): a rule is empty; separate rules with a single ";"`},
		{"  ", `a rule is empty; separate rules with a single ";"`}, // only "" is none
		{"Mon-Sun", `"Mon-Sun" leaves no time to send: e-mail would never go out; e.g. Mon-Fri 18:00-08:00; Sat-Sun`},
		{"Mon-Fri 00:00-12:00; 12:00-00:00; Sat-Sun", `"Mon-Fri 00:00-12:00; 12:00-00:00; Sat-Sun" leaves no time to send: e-mail would never go out; e.g. Mon-Fri 18:00-08:00; Sat-Sun`},
		{"Sat; open Mon-Fri 08:00-18:00", `rule 2 ("open Mon-Fri 08:00-18:00"): "open" comes once, at the start, and makes every rule opening hours: open Mon-Fri 08:00-18:00; Sat 09:00-12:00`},
		{strings.Repeat("Sat;", 15) + "Sat", "has 16 rules; at most 14"},
	} {
		p := QuietHours(c.q).Check("quiet_hours")
		require.Len(t, p, 1, c.q)
		require.Equal(t, FieldProblem{"quiet_hours", c.detail}, p[0], c.q)
	}
	// At the bounds: 14 rules and 256 bytes are fine.
	require.Empty(t, QuietHours(strings.Repeat("Sat;", 13)+"Sun").Check("quiet_hours"))
	v := strings.Repeat("Sat,", 63) + "Sun"
	v += strings.Repeat(" ", MaxQuietHoursLength-len(v))
	require.Empty(t, QuietHours(v).Check("quiet_hours"))
	require.Equal(t, []FieldProblem{{"quiet_hours", "is longer than 256 bytes"}}, QuietHours(v+" ").Check("quiet_hours"))
}

// heldCase is a hold to check: quiet hours q, a local time now and the
// local time it is held until ("" = not held).
type heldCase struct{ name, q, now, want string }

// checkHeldInBerlin checks each case in Europe/Berlin, times written
// "2006-01-02 15:04".
func checkHeldInBerlin(t *testing.T, cases []heldCase) {
	t.Helper()
	berlin := LoadLocation("Europe/Berlin")
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, berlin)
		require.NoError(t, err)
		return tm
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := QuietHours(c.q).HeldUntil(at(c.now), berlin)
			if c.want == "" {
				require.True(t, got.IsZero(), "held until %v", got)
				return
			}
			require.Equal(t, at(c.want).UTC(), got)
		})
	}
}
