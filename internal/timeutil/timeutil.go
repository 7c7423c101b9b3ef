// Package timeutil interprets the dates and times that arrive in attributes and
// event data (JSON strings, numbers, time.Time) and does the calendar arithmetic
// that templates, conditions and schedules share: days until a date, age,
// birthdays (including 29 February in common years), all in a given time zone.
package timeutil

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// Date is a calendar day without a time of day or zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the calendar day of t in loc.
func DateOf(t time.Time, loc *time.Location) Date {
	if loc != nil {
		t = t.In(loc)
	}
	y, m, d := t.Date()
	return Date{y, m, d}
}

// Time returns midnight of the day in loc (UTC when loc is nil).
func (d Date) Time(loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// AddDays returns the day n days later (earlier for negative n).
func (d Date) AddDays(n int) Date {
	return DateOf(d.Time(time.UTC).AddDate(0, 0, n), time.UTC)
}

// String formats the day as YYYY-MM-DD.
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// DaysBetween returns the number of calendar days from a to b (negative when b
// is before a). It is exact across daylight-saving changes because it counts
// days on the UTC calendar.
func DaysBetween(a, b Date) int {
	return int(math.Round(b.Time(time.UTC).Sub(a.Time(time.UTC)).Hours() / 24))
}

// ErrNoValue is returned by Parse for nil and empty values.
var ErrNoValue = errors.New("no date value")

// layouts are tried in order for string values. Date-only layouts come last
// so that a full timestamp is never truncated.
var timestampLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04",
}

var dateLayouts = []string{
	"2006-01-02",
	"02.01.2006",
}

// Parse interprets v as a point in time or a calendar date. Accepted: time.Time,
// Date, strings in RFC 3339, "2006-01-02T15:04:05" (taken in loc),
// "2006-01-02" or "02.01.2006" (date only), and numbers as Unix seconds.
// dateOnly reports that v named a day rather than an instant; then t is
// midnight of that day in loc.
func Parse(v any, loc *time.Location) (t time.Time, dateOnly bool, err error) {
	if loc == nil {
		loc = time.UTC
	}
	switch x := v.(type) {
	case nil:
		return time.Time{}, false, ErrNoValue
	case time.Time:
		return x, false, nil
	case *time.Time:
		if x == nil {
			return time.Time{}, false, ErrNoValue
		}
		return *x, false, nil
	case Date:
		return x.Time(loc), true, nil
	case string:
		return parseString(x, loc)
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return time.Time{}, false, fmt.Errorf("%q is not a date", x.String())
		}
		return unix(f), false, nil
	case float64:
		return unix(x), false, nil
	case float32:
		return unix(float64(x)), false, nil
	case int:
		return time.Unix(int64(x), 0).UTC(), false, nil
	case int64:
		return time.Unix(x, 0).UTC(), false, nil
	case uint64:
		if x > math.MaxInt64 {
			return time.Time{}, false, fmt.Errorf("%d is out of range for a date", x)
		}
		return time.Unix(int64(x), 0).UTC(), false, nil
	}
	return time.Time{}, false, fmt.Errorf("a value of type %T is not a date", v)
}

func unix(f float64) time.Time {
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC()
}

func parseString(s string, loc *time.Location) (time.Time, bool, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false, ErrNoValue
	}
	if t, ok := parseISODate(s, loc); ok {
		return t, true, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, false, nil
	}
	for _, l := range timestampLayouts[1:] {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t, false, nil
		}
	}
	for _, l := range dateLayouts {
		if t, err := time.ParseInLocation(l, s, loc); err == nil {
			return t, true, nil
		}
	}
	return time.Time{}, false, fmt.Errorf("%q is not a date (use YYYY-MM-DD, DD.MM.YYYY or RFC 3339)", s)
}

// parseISODate is the fast path for the commonest value, "2006-01-02";
// anything else (or an impossible day) is left to the layouts.
func parseISODate(s string, loc *time.Location) (time.Time, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	num := func(part string) (int, bool) {
		n := 0
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return 0, false
			}
			n = n*10 + int(part[i]-'0')
		}
		return n, true
	}
	y, ok1 := num(s[:4])
	m, ok2 := num(s[5:7])
	d, ok3 := num(s[8:])
	if !ok1 || !ok2 || !ok3 || m < 1 || m > 12 || d < 1 || d > time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day() {
		return time.Time{}, false
	}
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, loc), true
}

// ParseDate interprets v as a calendar day: a date-only value names its day;
// an instant is converted to its day in loc.
func ParseDate(v any, loc *time.Location) (Date, error) {
	t, dateOnly, err := Parse(v, loc)
	if err != nil {
		return Date{}, err
	}
	if dateOnly {
		return Date{t.Year(), t.Month(), t.Day()}, nil
	}
	return DateOf(t, loc), nil
}

// LeapDayPolicy says on which day a 29 February birthday falls in a common
// year.
type LeapDayPolicy string

const (
	// LeapDayFeb28 celebrates on 28 February in common years (the default:
	// the birthday stays in the person's birth month).
	LeapDayFeb28 LeapDayPolicy = "feb28"
	// LeapDayMar1 celebrates on 1 March in common years.
	LeapDayMar1 LeapDayPolicy = "mar1"
)

// Valid reports whether p is a known policy.
func (p LeapDayPolicy) Valid() bool { return p == LeapDayFeb28 || p == LeapDayMar1 }

// IsLeapYear reports whether year has a 29 February.
func IsLeapYear(year int) bool {
	return year%4 == 0 && (year%100 != 0 || year%400 == 0)
}

// AnniversaryIn returns the day on which the anniversary of d falls in year,
// moving 29 February according to policy in common years.
func AnniversaryIn(d Date, year int, policy LeapDayPolicy) Date {
	if d.Month == time.February && d.Day == 29 && !IsLeapYear(year) {
		if policy == LeapDayMar1 {
			return Date{year, time.March, 1}
		}
		return Date{year, time.February, 28}
	}
	return Date{year, d.Month, d.Day}
}

// NextAnniversary returns the first anniversary of d on or after today.
func NextAnniversary(d Date, today Date, policy LeapDayPolicy) Date {
	a := AnniversaryIn(d, today.Year, policy)
	if DaysBetween(today, a) < 0 {
		a = AnniversaryIn(d, today.Year+1, policy)
	}
	return a
}

// IsBirthday reports whether today is daysBefore days before the birthday of
// someone born on birth (daysBefore 0: the birthday itself). It works across
// month and year ends.
func IsBirthday(birth, today Date, daysBefore int, policy LeapDayPolicy) bool {
	if daysBefore < 0 {
		return false
	}
	target := today.AddDays(daysBefore)
	return AnniversaryIn(birth, target.Year, policy) == target
}

// Age returns the completed years from birth to today (0 before the first
// birthday, negative never). Someone born on 29 February turns a year older
// on 28 February in common years, the day their birthday is celebrated by
// default (LeapDayFeb28), so greeting and age agree.
func Age(birth, today Date) int {
	age := today.Year - birth.Year
	if DaysBetween(today, AnniversaryIn(birth, today.Year, LeapDayFeb28)) > 0 {
		age--
	}
	if age < 0 {
		return 0
	}
	return age
}
