package schedule

import (
	"fmt"
	"strconv"
	"strings"
)

// The kinds of Repeat, as the cockpit's schedule builder offers them.
const (
	// RepeatDaily runs every day at a time ("täglich um 06:00").
	RepeatDaily = "daily"
	// RepeatMinutes runs every N minutes ("alle 20 Minuten").
	RepeatMinutes = "minutes"
	// RepeatWeekly runs on one weekday at a time ("montags um 07:00").
	RepeatWeekly = "weekly"
	// RepeatMonthly runs on one day of the month at a time ("am 1. des
	// Monats").
	RepeatMonthly = "monthly"
)

// MaxRepeatMonthDay is the last day of the month the builder offers: the
// 28th is in every month, so a monthly schedule never skips one.
const MaxRepeatMonthDay = 28

// Repeat is a time rule put as a choice instead of a cron expression. It
// covers the common rules; every other rule stays a cron expression.
type Repeat struct {
	Kind string
	// Hour and Minute are the time of day (daily, weekly, monthly).
	Hour, Minute int
	// Minutes is the interval of RepeatMinutes (1 to 10080).
	Minutes int
	// Weekday is 0 (Sunday) to 6 (Saturday), as in cron.
	Weekday int
	// MonthDay is 1 to MaxRepeatMonthDay.
	MonthDay int
}

// Rule returns the schedule fields the choice stands for: a cron
// expression, or every_minutes for RepeatMinutes. The values must be in
// range (see Check).
func (r Repeat) Rule() (cron string, everyMinutes int) {
	switch r.Kind {
	case RepeatMinutes:
		return "", r.Minutes
	case RepeatWeekly:
		return fmt.Sprintf("%d %d * * %d", r.Minute, r.Hour, r.Weekday), 0
	case RepeatMonthly:
		return fmt.Sprintf("%d %d %d * *", r.Minute, r.Hour, r.MonthDay), 0
	default:
		return fmt.Sprintf("%d %d * * *", r.Minute, r.Hour), 0
	}
}

// Check reports the first value out of range, naming it: "time",
// "minutes", "weekday", "monthday" or "kind".
func (r Repeat) Check() (field string, ok bool) {
	switch {
	case r.Kind != RepeatDaily && r.Kind != RepeatMinutes && r.Kind != RepeatWeekly && r.Kind != RepeatMonthly:
		return "kind", false
	case r.Kind == RepeatMinutes:
		if r.Minutes < 1 || r.Minutes > 7*24*60 {
			return "minutes", false
		}
		return "", true
	case r.Hour < 0 || r.Hour > 23 || r.Minute < 0 || r.Minute > 59:
		return "time", false
	case r.Kind == RepeatWeekly && (r.Weekday < 0 || r.Weekday > 6):
		return "weekday", false
	case r.Kind == RepeatMonthly && (r.MonthDay < 1 || r.MonthDay > MaxRepeatMonthDay):
		return "monthday", false
	}
	return "", true
}

// RepeatOf reads a schedule's rule as a choice; ok is false when the
// builder cannot express it exactly (ranges, lists, steps other than
// every_minutes, months, descriptors such as @daily), and the rule stays a
// cron expression.
func RepeatOf(cron string, everyMinutes int) (Repeat, bool) {
	if everyMinutes > 0 {
		r := Repeat{Kind: RepeatMinutes, Minutes: everyMinutes}
		_, ok := r.Check()
		return r, ok && strings.TrimSpace(cron) == ""
	}
	f := strings.Fields(cron)
	if len(f) != 5 || f[3] != "*" {
		return Repeat{}, false
	}
	var r Repeat
	var ok1, ok2 bool
	if r.Minute, ok1 = plainInt(f[0]); !ok1 {
		return Repeat{}, false
	}
	if r.Hour, ok2 = plainInt(f[1]); !ok2 {
		return Repeat{}, false
	}
	switch {
	case f[2] == "*" && f[4] == "*":
		r.Kind = RepeatDaily
	case f[2] == "*":
		r.Kind = RepeatWeekly
		if r.Weekday, ok1 = plainInt(f[4]); !ok1 {
			return Repeat{}, false
		}
	case f[4] == "*":
		r.Kind = RepeatMonthly
		if r.MonthDay, ok1 = plainInt(f[2]); !ok1 {
			return Repeat{}, false
		}
	default:
		return Repeat{}, false
	}
	_, ok := r.Check()
	return r, ok
}

// plainInt reads a field that is a plain decimal number (no range, list
// or step).
func plainInt(s string) (int, bool) {
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && len(s) <= 2
}
