package model

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestQuietHoursHeldUntil(t *testing.T) {
	berlin := LoadLocation("Europe/Berlin")
	night := QuietHours("22:00-07:00")
	checkHeldInBerlin(t, []heldCase{
		{"before the window", "22:00-07:00", "2026-06-10 21:59", ""},
		{"at the start", "22:00-07:00", "2026-06-10 22:00", "2026-06-11 07:00"},
		{"after midnight", "22:00-07:00", "2026-06-11 03:10", "2026-06-11 07:00"},
		{"a minute before the end", "22:00-07:00", "2026-06-11 06:59", "2026-06-11 07:00"},
		{"exactly at the end", "22:00-07:00", "2026-06-11 07:00", ""},
		{"same-day window", "12:00-13:00", "2026-06-11 12:30", "2026-06-11 13:00"},
		{"same-day window, after", "12:00-13:00", "2026-06-11 13:00", ""},
		// Spring DST change in Berlin: 02:00 CET jumps to 03:00 CEST; the
		// night is an hour shorter but still ends at 07:00 local time.
		{"spring DST night", "22:00-07:00", "2026-03-28 23:00", "2026-03-29 07:00"},
		{"spring DST, after the jump", "22:00-07:00", "2026-03-29 03:30", "2026-03-29 07:00"},
		// Autumn change: 03:00 CEST goes back to 02:00 CET, the night is an
		// hour longer and still ends at 07:00 local time.
		{"autumn DST night", "22:00-07:00", "2026-10-24 22:30", "2026-10-25 07:00"},
		{"29 February", "22:00-07:00", "2028-02-28 23:00", "2028-02-29 07:00"},
	})
	// The DST nights in UTC: 7 h on 29 March, 9 h on 25 October.
	require.Equal(t, time.Date(2026, 3, 29, 5, 0, 0, 0, time.UTC), night.HeldUntil(time.Date(2026, 3, 28, 21, 0, 0, 0, time.UTC), berlin))
	require.Equal(t, time.Date(2026, 10, 25, 6, 0, 0, 0, time.UTC), night.HeldUntil(time.Date(2026, 10, 24, 20, 0, 0, 0, time.UTC), berlin))
	// An end in the skipped hour (02:30 on 29 March) is moved forward by
	// the gap: 03:30 CEST.
	require.Equal(t, time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC),
		QuietHours("01:00-02:30").HeldUntil(time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC), berlin))
	// The repeated hour of the autumn change (02:30 CEST, then 02:30 CET)
	// is quiet both times.
	require.Equal(t, time.Date(2026, 10, 25, 6, 0, 0, 0, time.UTC), night.HeldUntil(time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC), berlin))
	require.Equal(t, time.Date(2026, 10, 25, 6, 0, 0, 0, time.UTC), night.HeldUntil(time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC), berlin))
}

func TestQuietHoursCheck(t *testing.T) {
	require.Empty(t, QuietHours("").Check("quiet_hours"))
	require.Empty(t, QuietHours("22:00-07:00").Check("quiet_hours"))
	for _, bad := range []string{"22-07", "22:00", "24:00-07:00", "22:00-07:60", "07:00-07:00", "7:00-08:00"} {
		p := QuietHours(bad).Check("quiet_hours")
		require.Len(t, p, 1, bad)
		require.Equal(t, "quiet_hours", p[0].Field)
	}
}

func TestThrottleCheckAndWindows(t *testing.T) {
	require.Empty(t, CheckThrottle("throttle", []ThrottleRule{{Max: 5, Window: "1h"}, {Max: 1, Window: "24h", Scope: ThrottleKey, Key: "{{.object.id}}"}}))
	p := CheckThrottle("notifications[0].throttle", []ThrottleRule{{Max: 0, Window: "1h"}, {Max: 1, Window: "30s"},
		{Max: 1, Window: "1h", Scope: "team"}, {Max: 1, Window: "1h", Scope: ThrottleKey}, {Max: 1, Window: "soon"}})
	fields := make([]string, len(p))
	for i := range p {
		fields[i] = p[i].Field
	}
	require.Equal(t, []string{"notifications[0].throttle[0].max", "notifications[0].throttle[1].window",
		"notifications[0].throttle[2].scope", "notifications[0].throttle[3].key", "notifications[0].throttle[4].window"}, fields)
	r := ThrottleRule{Max: 5, Window: "1h"}
	start, end := r.WindowAt(time.Date(2026, 3, 2, 9, 59, 59, 0, time.UTC))
	require.Equal(t, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), start)
	require.Equal(t, time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC), end)
	start, _ = r.WindowAt(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)) // exactly at the end: the next window
	require.Equal(t, time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC), start)
	require.Equal(t, "1 h", FormatWindow(time.Hour))
	require.Equal(t, "90 min", FormatWindow(90*time.Minute))
	require.Equal(t, "2 d", FormatWindow(48*time.Hour))
}
