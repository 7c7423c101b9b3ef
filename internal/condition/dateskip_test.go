package condition

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/timeutil"
)

// scanVars is the data model a schedule's scan starts from at now.
func scanVars(now time.Time) map[string]any {
	return model.NewData(model.DataInput{Workspace: &model.Workspace{Timezone: "Europe/Berlin"}, Now: now})
}

func TestDateSkipFindsTheBirthdayTerm(t *testing.T) {
	t.Parallel()
	env := setup(t)
	tests := []struct {
		name  string
		in    string
		root  string
		field string // "": nothing can be left out
	}{
		{"the birthday preset", "has(contact.birthday) && is_birthday(contact.birthday, 0)", "contact", "birthday"},
		{"alone, days before", "is_birthday(contact.born_on, 3)", "contact", "born_on"},
		{"policy given, terms after it", "is_birthday(contact.birthday, 0, 'mar1') && contact.membership_status == 'active' && 1/0 == 1",
			"contact", "birthday"},
		{"several has tests first", "has(contact.x) && (has(contact.birthday) && is_birthday(contact.birthday, 0))", "contact", "birthday"},
		{"an object's field", "has(object.founded) && is_birthday(object.founded, 0)", "object", "founded"},
		{"asked for another root", "is_birthday(object.founded, 0)", "contact", ""},
		{"a term before it that may cost", "contact.membership_status == 'active' && is_birthday(contact.birthday, 0)", "contact", ""},
		{"a macro before it", "contact.tags.all(t, t != 'x') && is_birthday(contact.birthday, 0)", "contact", ""},
		{"a literal before it", "true && is_birthday(contact.birthday, 0)", "contact", ""},
		{"or", "is_birthday(contact.birthday, 0) || contact.vip == true", "contact", ""},
		{"negated", "has(contact.birthday) && !is_birthday(contact.birthday, 0)", "contact", ""},
		{"a nested field", "is_birthday(contact.dates.birthday, 0)", "contact", ""},
		{"an index", "is_birthday(contact['birthday'], 0)", "contact", ""},
		{"days before from the data", "is_birthday(contact.birthday, contact.lead)", "contact", ""},
		{"a date helper", "has(contact.birthday) && days_until(contact.birthday) == 0", "contact", ""},
	}
	vars := scanVars(time.Date(2026, 12, 6, 5, 0, 0, 0, time.UTC))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := env.Compile(tt.in)
			require.NoError(t, err)
			skip, ok := p.DateSkip(tt.root, vars, berlin)
			if tt.field == "" {
				require.False(t, ok, "%+v", skip)
				return
			}
			require.True(t, ok)
			require.Equal(t, tt.field, skip.Field)
		})
	}
}

func TestDateSkipDays(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		in     string
		policy timeutil.LeapDayPolicy
		now    time.Time
		loc    *time.Location
		keep   []string // the month-days of a common year not left out
	}{
		{"on the day", "is_birthday(contact.birthday, 0)", "", time.Date(2026, 12, 6, 5, 0, 0, 0, time.UTC), berlin, []string{"12-06"}},
		{"the day in the schedule's zone", "is_birthday(contact.birthday, 0)", "", time.Date(2026, 12, 5, 23, 30, 0, 0, time.UTC), berlin,
			[]string{"12-06"}},
		{"the day in UTC", "is_birthday(contact.birthday, 0)", "", time.Date(2026, 12, 5, 23, 30, 0, 0, time.UTC), time.UTC,
			[]string{"12-05"}},
		{"days before, over the year's end", "is_birthday(contact.birthday, 3)", "", time.Date(2026, 12, 30, 12, 0, 0, 0, time.UTC), berlin,
			[]string{"01-02"}},
		// 29 February is never in the list; on 28 February of a common
		// year it is due too, but it is not a day of every year.
		{"28 February of a common year", "is_birthday(contact.birthday, 0)", "", time.Date(2027, 2, 28, 12, 0, 0, 0, time.UTC), berlin,
			[]string{"02-28"}},
		{"1 March of a common year, mar1 by the environment", "is_birthday(contact.birthday, 0)", timeutil.LeapDayMar1,
			time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC), berlin, []string{"03-01"}},
		{"1 March of a common year, mar1 by the call", "is_birthday(contact.birthday, 0, 'mar1')", "",
			time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC), berlin, []string{"03-01"}},
		{"days before beyond the limit", fmt.Sprintf("is_birthday(contact.birthday, %d)", maxDaysBefore+1), "",
			time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC), berlin, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var opts []Option
			if tt.policy != "" {
				opts = append(opts, WithLeapDayPolicy(tt.policy))
			}
			p, err := setup(t, opts...).Compile(tt.in)
			require.NoError(t, err)
			skip, ok := p.DateSkip("contact", scanVars(tt.now), tt.loc)
			require.True(t, ok)
			var keep []string
			for d := (timeutil.Date{Year: 2001, Month: 1, Day: 1}); d.Year == 2001; d = d.AddDays(1) {
				if md := d.String()[5:]; !slices.Contains(skip.MonthDays, md) {
					keep = append(keep, md)
				}
			}
			require.Equal(t, tt.keep, keep)
			require.NotContains(t, skip.MonthDays, "02-29")
		})
	}
}

// TestDateSkipIsExact evaluates the condition for birthdays on every day
// of a leap and of common years, at instants around the leap day, the
// year's end and midnight: wherever DateSkip leaves a birthday out, the
// condition is false without an error.
func TestDateSkipIsExact(t *testing.T) {
	t.Parallel()
	conds := []struct {
		in     string
		policy timeutil.LeapDayPolicy
	}{
		{"has(contact.birthday) && is_birthday(contact.birthday, 0)", ""},
		{"has(contact.birthday) && is_birthday(contact.birthday, 0)", timeutil.LeapDayMar1},
		{"is_birthday(contact.birthday, 1, 'mar1') && contact.membership_status == 'active'", ""},
		{"is_birthday(contact.birthday, 7)", ""},
	}
	instants := []time.Time{
		time.Date(2027, 2, 27, 12, 0, 0, 0, time.UTC),
		time.Date(2027, 2, 28, 12, 0, 0, 0, time.UTC),
		time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC),
		time.Date(2028, 2, 28, 12, 0, 0, 0, time.UTC),
		time.Date(2028, 2, 29, 12, 0, 0, 0, time.UTC),
		time.Date(2028, 2, 29, 23, 30, 0, 0, time.UTC),  // 1 March in Berlin
		time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC), // 1 January in Berlin
		time.Date(2100, 2, 28, 12, 0, 0, 0, time.UTC),   // not a leap year
	}
	for _, c := range conds {
		var opts []Option
		if c.policy != "" {
			opts = append(opts, WithLeapDayPolicy(c.policy))
		}
		p, err := setup(t, opts...).Compile(c.in)
		require.NoError(t, err)
		for _, now := range instants {
			vars := scanVars(now)
			skip, ok := p.DateSkip("contact", vars, berlin)
			require.True(t, ok)
			m, err := p.Matcher(vars, berlin)
			require.NoError(t, err)
			due := 0
			for _, year := range []int{1900, 1996, 2000, 2001} {
				for d := (timeutil.Date{Year: year, Month: 1, Day: 1}); d.Year == year; d = d.AddDays(1) {
					birthday := d.String()
					vars[model.RootContact] = map[string]any{"birthday": birthday, "membership_status": "active"}
					match, err := m.Match(context.Background(), vars)
					require.NoError(t, err, birthday)
					if match {
						due++
					}
					if slices.Contains(skip.MonthDays, birthday[5:]) {
						require.False(t, match, "%s at %s (%s): left out but due", birthday, now, c.in)
					}
				}
			}
			require.NotZero(t, due, "%s at %s: someone is due", c.in, now)
		}
	}
}
