package render

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestStyledDatesMatchLayouts checks that date_short, date_long, time and
// datetime, which format without time.Format, print exactly what
// formatLayout prints for their Go layouts: for every locale style, on
// every day of a leap year at changing hours and minutes, and in years
// whose widths time.Format treats apart.
func TestStyledDatesMatchLayouts(t *testing.T) {
	t.Parallel()
	var times []time.Time
	for d := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() == 2024; d = d.AddDate(0, 0, 1) {
		times = append(times, d.Add(time.Duration(d.YearDay()%24)*time.Hour+time.Duration(d.YearDay()%60)*time.Minute))
	}
	for h := range 24 {
		times = append(times, time.Date(2025, 12, 31, h, 59, 0, 0, time.UTC), time.Date(2025, 1, 1, h, 0, 0, 0, time.UTC))
	}
	for _, y := range []int{-12345, -1, 0, 1, 9, 99, 999, 1000, 9999, 10000, 123456} {
		times = append(times, time.Date(y, 7, 4, 13, 5, 0, 0, time.UTC))
	}
	for _, locale := range []string{"", "de", "de-AT", "de-CH", "en", "en-US", "en-GB", "fr", "xx"} {
		s := &state{}
		s.reset(context.Background(), Options{Locale: locale, Location: time.UTC, Now: testNow}.withDefaults())
		st, names := s.locale.style(), s.locale.names()
		for _, tm := range times {
			for _, c := range []struct {
				fn     func(any) (string, error)
				layout string
			}{
				{s.dateShort, st.short.layout}, {s.dateLong, st.long.layout}, {s.timeOfDay, st.clock.layout},
				{s.dateTime, st.short.layout + " " + st.clock.layout},
			} {
				got, err := c.fn(tm)
				require.NoError(t, err)
				require.Equal(t, formatLayout(tm, c.layout, names), got, "locale %q, %s, layout %q", locale, tm, c.layout)
			}
		}
	}
}
