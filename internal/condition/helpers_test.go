package condition

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/timeutil"
)

func TestHelpers(t *testing.T) {
	t.Parallel()
	berlinDay := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, berlin) }
	lateMarch1UTC := time.Date(2026, 3, 1, 23, 30, 0, 0, time.UTC) // already 2 March in Berlin
	newYork := mustLoad("America/New_York")
	tests := []struct {
		name    string
		in      string
		now     time.Time
		loc     *time.Location
		policy  timeutil.LeapDayPolicy // Env option, optional
		want    bool
		wantErr string
	}{
		// days_until, days_since
		{name: "days until a date string", in: "days_until(object.expires_on) == 19", want: true},
		{name: "days until today", in: "days_until('2026-03-01') == 0", want: true},
		{name: "days until yesterday", in: "days_until('2026-02-28') == -1", want: true},
		{name: "days until a German date", in: "days_until('02.03.2026') == 1", want: true},
		{name: "days until a timestamp", in: "days_until(timestamp('2026-03-10T08:00:00Z')) == 9", want: true},
		{name: "days until unix seconds", in: fmt.Sprintf("days_until(%d) == 2", time.Date(2026, 3, 3, 12, 0, 0, 0, time.UTC).Unix()), want: true},
		{name: "days since", in: "days_since('2026-02-01') == 28 && days_since('2026-03-05') == -4", want: true},
		{name: "days since a German date in data", in: "days_since(contact.joined) == 3652", want: true},
		{name: "days across DST start", in: "days_until('2026-03-30') == 1", now: berlinDay(2026, 3, 29, 0), want: true},

		// hours_since, hours_until
		{name: "hours since a timestamp", in: "hours_since(object.due_at) == 50", want: true},
		{name: "hours until", in: "hours_until('2026-03-01T12:00:00Z') == 2", want: true},
		{name: "whole hours truncate", in: "hours_until('2026-03-01T11:59:00Z') == 1 && hours_since('2026-03-01T08:01:00Z') == 1", want: true},
		{name: "hours since midnight of a date", in: "hours_since('2026-03-01') == 11", want: true},
		{name: "appointment in two hours", in: "hours_until(data.starts_at) == 2", now: berlinDay(2026, 6, 1, 9), want: true},

		// is_birthday
		{name: "birthday today", in: "is_birthday('1980-03-01', 0)", want: true},
		{name: "birthday is a timestamp", in: "is_birthday(timestamp('1980-03-01T00:00:00Z'), 0)", want: true},
		{name: "birthday tomorrow", in: "is_birthday('1980-03-02', 1) && !is_birthday('1980-03-02', 0)", want: true},
		{name: "birthday across year end", in: "is_birthday('1990-01-01', 1) && !is_birthday('1990-01-01', 0)", now: berlinDay(2025, 12, 31, 12), want: true},
		{name: "a week before, across year end", in: "is_birthday('1990-01-03', 7)", now: berlinDay(2025, 12, 27, 12), want: true},
		{name: "across month end", in: "is_birthday('1990-03-02', 2)", now: berlinDay(2026, 2, 28, 12), want: true},
		{name: "leap day on 28 Feb by default", in: "is_birthday('2000-02-29', 0)", now: berlinDay(2026, 2, 28, 12), want: true},
		{name: "leap day not on 1 Mar by default", in: "is_birthday('2000-02-29', 0)", now: berlinDay(2026, 3, 1, 12), want: false},
		{name: "leap day on 1 Mar by argument", in: "is_birthday('2000-02-29', 0, 'mar1') && !is_birthday('2000-02-29', 1, 'mar1')", now: berlinDay(2026, 3, 1, 12), want: true},
		{name: "leap day not on 28 Feb by argument", in: "is_birthday('2000-02-29', 0, 'mar1')", now: berlinDay(2026, 2, 28, 12), want: false},
		{name: "leap day on 1 Mar by option", in: "is_birthday('2000-02-29', 0)", now: berlinDay(2026, 3, 1, 12), policy: timeutil.LeapDayMar1, want: true},
		{name: "argument overrides option", in: "is_birthday('2000-02-29', 0, 'feb28')", now: berlinDay(2026, 2, 28, 12), policy: timeutil.LeapDayMar1, want: true},
		{name: "leap day in a leap year", in: "is_birthday('2000-02-29', 0) && is_birthday('2000-02-29', 0, 'mar1')", now: berlinDay(2028, 2, 29, 12), want: true},
		{name: "days before a leap day", in: "is_birthday('2000-02-29', 1) && is_birthday('2000-02-29', 2, 'mar1')", now: berlinDay(2026, 2, 27, 12), want: true},
		{name: "days_before from data", in: "is_birthday('1980-03-31', object.lead_days)", want: true},

		// age, date
		{name: "age before the birthday", in: "age(contact.birthday) == 45", want: true},
		{name: "age on the birthday", in: "age(contact.birthday) == 46", now: berlinDay(2026, 5, 17, 0), want: true},
		{name: "age of a leap-day child on 28 February", in: "age('2000-02-29') == 26", now: berlinDay(2026, 2, 28, 12), want: true},
		{name: "age of a leap-day child the day before", in: "age('2000-02-29') == 25", now: berlinDay(2026, 2, 27, 12), want: true},
		{name: "date of a German date", in: "date('01.03.2026') == today", want: true},
		{name: "date of a timestamp", in: "date('2026-03-01T10:00:00Z') == now", want: true},
		{name: "date compares with now", in: "date(object.due_at) < now", want: true},

		// the evaluation's zone
		{name: "Berlin is a day ahead", in: "days_until('2026-03-02') == 0 && is_birthday('1990-03-02', 0)", now: lateMarch1UTC, loc: berlin, want: true},
		{name: "UTC is not", in: "days_until('2026-03-02') == 1 && is_birthday('1990-03-02', 1)", now: lateMarch1UTC, loc: time.UTC, want: true},
		{name: "today follows the zone", in: "today == timestamp('2026-03-02T00:00:00+01:00')", now: lateMarch1UTC, loc: berlin, want: true},
		{name: "today in UTC", in: "today == timestamp('2026-03-01T00:00:00Z')", now: lateMarch1UTC, loc: time.UTC, want: true},
		{name: "recipient zone", in: "days_until('2026-03-02') == 1 && today == timestamp('2026-03-01T00:00:00-05:00')", now: lateMarch1UTC, loc: newYork, want: true},
		{name: "nil zone is the workspace's", in: "days_until('2026-03-02') == 0", now: lateMarch1UTC, want: true},
		{name: "date-only values are days in the zone", in: "hours_until('2026-03-02') == 0", now: lateMarch1UTC, loc: berlin, want: true},

		// errors
		{name: "not a date", in: "days_until('soon') < 3", wantErr: `days_until: "soon" is not a date`},
		{name: "text field not a date", in: "age(contact.name) > 18", wantErr: `age: "Anna" is not a date`},
		{name: "null", in: "days_since(null) > 3", wantErr: "days_since: the value is empty, not a date"},
		{name: "empty string", in: "hours_since('') > 3", wantErr: "hours_since: the value is empty, not a date"},
		{name: "a list", in: "days_until(object.levels) > 3", wantErr: "days_until: a value of type list is not a date"},
		{name: "a fractional days_before", in: "is_birthday(contact.birthday, data.amount)", wantErr: "cannot apply 'is_birthday' to contact.birthday (string) and data.amount (double)"},
		{name: "policy from data", in: "is_birthday(contact.birthday, 0, contact.name)", wantErr: `unknown leap-day policy "Anna"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var opts []Option
			if tt.policy != "" {
				opts = append(opts, WithLeapDayPolicy(tt.policy))
			}
			env := setup(t, opts...)
			p, err := env.Compile(tt.in)
			require.NoError(t, err)
			now := tt.now
			if now.IsZero() {
				now = march1
			}
			data := with(sample(t, now, true), "data", map[string]any{"starts_at": "2026-06-01T11:00:00+02:00"})
			loc := tt.loc
			if loc == nil && tt.now.IsZero() {
				loc = berlin
			}
			res, err := p.Eval(context.Background(), data, loc)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, res.Match, "values: %v", res.Values)
		})
	}
}

func TestHelpersNeedAClock(t *testing.T) {
	t.Parallel()
	env := setup(t)
	tests := []struct {
		name    string
		in      map[string]any
		want    bool
		wantErr string
	}{
		{name: "no now, no today", in: map[string]any{}, wantErr: "days_until needs the current date, which is not available here"},
		{name: "only today", in: map[string]any{model.RootToday: time.Date(2026, 3, 1, 0, 0, 0, 0, berlin)}, want: true},
		{name: "only now", in: map[string]any{model.RootNow: time.Date(2026, 3, 1, 0, 0, 0, 0, berlin)}, want: true},
	}
	p, err := env.Compile("days_until('2026-03-03') == 2")
	require.NoError(t, err)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res, err := p.Eval(context.Background(), tt.in, nil)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, res.Match)
		})
	}
}
