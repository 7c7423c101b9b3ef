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

// TestStyledDatesMemo formats the same date strings in turn for different
// locales and zones with one state, as a pooled instance does across
// renders, and compares each with a fresh state's result: the memo of
// styled dates never answers for another zone, locale or format.
func TestStyledDatesMemo(t *testing.T) {
	t.Parallel()
	berlin, tokyo := mustLoad(t, "Europe/Berlin"), mustLoad(t, "Asia/Tokyo")
	values := []string{"2026-04-15", "2026-01-20", "2026-04-15T23:30:00Z", "2026-01-01T00:30:00+02:00", " 2026-04-15", "kein Datum"}
	locales := []string{"de", "de-AT", "en", "en-GB"}
	zones := []*time.Location{berlin, time.UTC, tokyo}
	type call struct {
		v, locale string
		loc       *time.Location
		fn        int
	}
	// Two orders: the functions innermost (dateShort and dateTime of one
	// value meet in the memo), and the zones innermost (one value and
	// function in three zones meet).
	var byFn, byZone []call
	for _, v := range values {
		for _, locale := range locales {
			for _, loc := range zones {
				for fn := range 4 {
					byFn = append(byFn, call{v, locale, loc, fn})
				}
			}
		}
		for fn := range 4 {
			for _, locale := range locales {
				for _, loc := range zones {
					byZone = append(byZone, call{v, locale, loc, fn})
				}
			}
		}
	}
	fns := func(s *state) []func(any) (string, error) {
		return []func(any) (string, error){s.dateShort, s.dateLong, s.timeOfDay, s.dateTime}
	}
	shared := &state{}
	for _, c := range append(byFn, byZone...) {
		opts := Options{Locale: c.locale, Location: c.loc, Now: testNow}.withDefaults()
		fresh := &state{}
		fresh.reset(context.Background(), opts)
		want, wantErr := fns(fresh)[c.fn](c.v)
		shared.reset(context.Background(), opts)
		for range 2 { // the second from the memo
			got, err := fns(shared)[c.fn](c.v)
			require.Equal(t, wantErr, err)
			require.Equal(t, want, got, "%+v", c)
		}
	}
}
