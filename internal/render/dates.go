package render

import (
	"errors"
	"strings"
	"time"

	"github.com/herold-dev/herold/internal/timeutil"
)

// when interprets v as a date or an instant (see timeutil.Parse). Instants
// are moved to the recipient's zone; date-only values keep their day. ok
// is false for nil and empty values, which the date functions print as "".
func (s *state) when(v any) (t time.Time, ok bool, err error) {
	t, dateOnly, err := timeutil.Parse(v, s.loc)
	if errors.Is(err, timeutil.ErrNoValue) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, err
	}
	if !dateOnly {
		t = t.In(s.loc)
	}
	return t, true, nil
}

// format formats v with a Go layout and the locale's names.
func (s *state) format(layout string, v any) (string, error) {
	t, ok, err := s.when(v)
	if err != nil || !ok {
		return "", err
	}
	if err := s.fits(len(layout) * 4); err != nil {
		return "", err
	}
	return s.out(formatLayout(t, layout, s.locale.names()))
}

func (s *state) date(layout, v any) (string, error) { return s.format(toString(layout), v) }
func (s *state) dateShort(v any) (string, error)    { return s.format(s.locale.style().short, v) }
func (s *state) dateLong(v any) (string, error)     { return s.format(s.locale.style().long, v) }
func (s *state) timeOfDay(v any) (string, error)    { return s.format(s.locale.style().clock, v) }

func (s *state) dateTime(v any) (string, error) {
	st := s.locale.style()
	return s.format(st.short+" "+st.clock, v)
}

// today is the day of Options.Now in the recipient's zone.
func (s *state) today() timeutil.Date { return timeutil.DateOf(s.now, s.loc) }

// daysUntil counts calendar days from today to v (negative when v is past).
func (s *state) daysUntil(v any) (int, error) {
	d, err := timeutil.ParseDate(v, s.loc)
	if err != nil {
		return 0, err
	}
	return timeutil.DaysBetween(s.today(), d), nil
}

// daysSince counts calendar days from v to today.
func (s *state) daysSince(v any) (int, error) {
	n, err := s.daysUntil(v)
	return -n, err
}

// age is the completed years since v, e.g. a birthday.
func (s *state) age(v any) (int, error) {
	d, err := timeutil.ParseDate(v, s.loc)
	if err != nil {
		return 0, err
	}
	return timeutil.Age(d, s.today()), nil
}

// formatLayout is t.Format(layout) with month and weekday names taken from
// names (nil: Go's English names). It finds the name tokens the way the
// time package does ("Jan" and "Mon" count only when no lower-case letter
// follows) and formats the text between them with the time package.
func formatLayout(t time.Time, layout string, names *nameSet) string {
	if names == nil {
		return t.Format(layout)
	}
	var b strings.Builder
	start := 0
	for i := 0; i < len(layout); {
		n, name := nameToken(layout[i:], t, names)
		if n == 0 {
			i++
			continue
		}
		if name == "" { // a token that contains no name, skipped whole
			i += n
			continue
		}
		b.WriteString(t.Format(layout[start:i]))
		b.WriteString(name)
		i += n
		start = i
	}
	b.WriteString(t.Format(layout[start:]))
	return b.String()
}

// nameToken reports the length of a name token at the start of s and its
// localized value; a length with an empty value marks a token to skip.
func nameToken(s string, t time.Time, names *nameSet) (int, string) {
	switch {
	case strings.HasPrefix(s, "January"):
		return 7, names.months[t.Month()-1]
	case strings.HasPrefix(s, "Jan") && !startsLower(s[3:]):
		return 3, names.shortMonths[t.Month()-1]
	case strings.HasPrefix(s, "Monday"):
		return 6, names.days[t.Weekday()]
	case strings.HasPrefix(s, "Mon") && !startsLower(s[3:]):
		return 3, names.shortDays[t.Weekday()]
	case strings.HasPrefix(s, "PM"), strings.HasPrefix(s, "pm"):
		return 2, ""
	}
	return 0, ""
}

func startsLower(s string) bool { return s != "" && 'a' <= s[0] && s[0] <= 'z' }
