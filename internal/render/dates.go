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

// formatStyle formats v in one or two (joined by a space) of the locale's
// formats, as format does with their layouts but without time.Format.
func (s *state) formatStyle(v any, f styleLayout, then *styleLayout) (string, error) {
	n := len(f.layout)
	key := dateKey{plan: f.plan, loc: s.loc, names: s.locale.names()}
	if then != nil {
		n += 1 + len(then.layout)
		key.then = then.plan
	}
	key.in, _ = v.(string)
	if out, ok := s.dates.get(key); ok {
		if err := s.fits(n * 4); err != nil {
			return "", err
		}
		return s.out(out)
	}
	t, ok, err := s.when(v)
	if err != nil || !ok {
		return "", err
	}
	if err := s.fits(n * 4); err != nil {
		return "", err
	}
	if y := t.Year(); y < 0 || y > 9999 { // time.Format's widths differ
		layout := f.layout
		if then != nil {
			layout += " " + then.layout
		}
		return s.out(formatLayout(t, layout, s.locale.names()))
	}
	var buf [64]byte
	b := appendPlan(buf[:0], t, f.plan, key.names)
	if then != nil {
		b = appendPlan(append(b, ' '), t, then.plan, key.names)
	}
	out := string(b)
	if key.in != "" {
		s.dates.put(key, out)
	}
	return s.out(out)
}

// dateKey is what a styled date string depends on: the value (a string;
// other values are not kept), the plans, the zone and the month names.
type dateKey struct {
	in, plan, then string
	loc            *time.Location
	names          *nameSet
}

// dateMemo keeps the last few styled dates of an instance: a message
// prints the same dates in its subject, HTML and text, and the messages
// of an event print the same dates.
type dateMemo struct {
	keys [4]dateKey
	outs [4]string
	next int
}

func (m *dateMemo) get(k dateKey) (string, bool) {
	for i := range m.keys {
		if m.keys[i] == k {
			return m.outs[i], true
		}
	}
	return "", false
}

func (m *dateMemo) put(k dateKey, out string) {
	m.keys[m.next], m.outs[m.next] = k, out
	m.next = (m.next + 1) % len(m.keys)
}

func (s *state) date(layout, v any) (string, error) { return s.format(toString(layout), v) }
func (s *state) dateShort(v any) (string, error) {
	return s.formatStyle(v, s.locale.style().short, nil)
}
func (s *state) dateLong(v any) (string, error) { return s.formatStyle(v, s.locale.style().long, nil) }
func (s *state) timeOfDay(v any) (string, error) {
	return s.formatStyle(v, s.locale.style().clock, nil)
}

func (s *state) dateTime(v any) (string, error) {
	st := s.locale.style()
	return s.formatStyle(v, st.short, &st.clock)
}

// appendPlan appends t formatted by plan, a layout of one-letter codes
// (PHP's): Y the year in four digits (0 to 9999 only), m and d the month
// and day in two, j the day, M the month's name, H the hour (24) in two, h
// the hour (12), i the minute in two, P "AM" or "PM"; every other byte is
// copied. names gives month names (nil: Go's English ones).
func appendPlan(b []byte, t time.Time, plan string, names *nameSet) []byte {
	year, month, day := t.Date()
	hour, minute, _ := t.Clock()
	for i := 0; i < len(plan); i++ {
		switch c := plan[i]; c {
		case 'Y':
			b = append(b, byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10))
		case 'm':
			b = append2(b, int(month))
		case 'd':
			b = append2(b, day)
		case 'j':
			b = appendNum(b, day)
		case 'M':
			if names == nil {
				b = append(b, month.String()...)
			} else {
				b = append(b, names.months[month-1]...)
			}
		case 'H':
			b = append2(b, hour)
		case 'h':
			h := hour % 12
			if h == 0 {
				h = 12
			}
			b = appendNum(b, h)
		case 'i':
			b = append2(b, minute)
		case 'P':
			if hour >= 12 {
				b = append(b, "PM"...)
			} else {
				b = append(b, "AM"...)
			}
		default:
			b = append(b, c)
		}
	}
	return b
}

// append2 appends n (0 to 99) in two digits.
func append2(b []byte, n int) []byte { return append(b, byte('0'+n/10), byte('0'+n%10)) }

// appendNum appends n (0 to 99) without padding.
func appendNum(b []byte, n int) []byte {
	if n >= 10 {
		b = append(b, byte('0'+n/10))
	}
	return append(b, byte('0'+n%10))
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
