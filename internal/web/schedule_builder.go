package web

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/herold-dev/herold/internal/schedule"
)

// repeatAdvanced is the builder's choice "advanced": the rule is the cron
// expression (or every_minutes) as typed.
const repeatAdvanced = "advanced"

// repeatFields are the schedule builder's fields ("täglich um 06:00", "alle
// 20 Minuten", "montags um 07:00", "am 1. des Monats"): the form sends
// them as text, so they stay as typed when the form comes back with an
// error.
type repeatFields struct {
	// Repeat is a schedule.Repeat* kind or repeatAdvanced.
	Repeat        string
	At            string
	RepeatMinutes string
	Weekday       string
	MonthDay      string
}

// defaultRepeat is a new schedule's rule: daily at 06:00.
func defaultRepeat() repeatFields {
	return repeatFields{Repeat: schedule.RepeatDaily, At: "06:00", Weekday: "1", MonthDay: "1"}
}

// repeatFieldsOf opens a stored rule in the builder when it can express
// it exactly, and under "advanced" otherwise.
func repeatFieldsOf(cron string, everyMinutes int) repeatFields {
	rp, ok := schedule.RepeatOf(cron, everyMinutes)
	if !ok {
		f := defaultRepeat()
		f.Repeat = repeatAdvanced
		return f
	}
	f := repeatFields{Repeat: rp.Kind, At: fmt.Sprintf("%02d:%02d", rp.Hour, rp.Minute), Weekday: "1", MonthDay: "1"}
	switch rp.Kind {
	case schedule.RepeatMinutes:
		f.At, f.RepeatMinutes = "06:00", strconv.Itoa(rp.Minutes)
	case schedule.RepeatWeekly:
		f.Weekday = strconv.Itoa(rp.Weekday)
	case schedule.RepeatMonthly:
		f.MonthDay = strconv.Itoa(rp.MonthDay)
	}
	return f
}

// Advanced reports whether the rule is typed as cron instead of chosen;
// an empty choice (a form posted without the builder) is advanced too.
func (f repeatFields) Advanced() bool { return f.Repeat == "" || f.Repeat == repeatAdvanced }

// rule turns the builder's choice into cron or every_minutes; ok is false
// after adding a field error in the page's language.
func (f repeatFields) rule(l *localizer, errs fieldErrors) (cron string, every int, ok bool) {
	rp := schedule.Repeat{Kind: f.Repeat}
	atoi := func(s string) int {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return -1
		}
		return n
	}
	hh, mm, found := strings.Cut(strings.TrimSpace(f.At), ":")
	if !found || len(hh) == 0 || len(hh) > 2 || len(mm) != 2 {
		hh, mm = "-1", "-1"
	}
	rp.Hour, rp.Minute = atoi(hh), atoi(mm)
	rp.Minutes, rp.Weekday, rp.MonthDay = atoi(f.RepeatMinutes), atoi(f.Weekday), atoi(f.MonthDay)
	bad, ok := rp.Check()
	if !ok {
		switch bad {
		case "minutes":
			errs.add("repeat_minutes", l.T("web.repeat.bad_minutes"))
		case "weekday":
			errs.add("repeat_weekday", l.T("web.repeat.bad_weekday"))
		case "monthday":
			errs.add("repeat_monthday", l.T("web.repeat.bad_monthday", "max", schedule.MaxRepeatMonthDay))
		case "time":
			errs.add("repeat_at", l.T("web.repeat.bad_time"))
		default:
			errs.add("repeat", l.T("web.repeat.bad_kind"))
		}
		return "", 0, false
	}
	cron, every = rp.Rule()
	return cron, every, true
}

// Weekdays are cron's day numbers in the order a week is shown, Monday
// first.
var weekdays = []string{"1", "2", "3", "4", "5", "6", "0"}

// repeatKinds are the builder's choices in the order offered.
var repeatKinds = []string{schedule.RepeatDaily, schedule.RepeatMinutes, schedule.RepeatWeekly, schedule.RepeatMonthly, repeatAdvanced}

// RepeatText says a schedule's cron expression in words ("täglich um
// 06:00", "montags um 07:00"), or "" when the builder cannot express it
// (the page shows the cron expression alone then). every_minutes has its
// own words (web.schedules.every).
func (l *localizer) RepeatText(cron string) string {
	rp, ok := schedule.RepeatOf(cron, 0)
	if !ok {
		return ""
	}
	at := fmt.Sprintf("%02d:%02d", rp.Hour, rp.Minute)
	switch rp.Kind {
	case schedule.RepeatWeekly:
		return l.T("web.repeat.says_weekly", "day", l.T(fmt.Sprintf("web.repeat.day%d", rp.Weekday)), "at", at)
	case schedule.RepeatMonthly:
		return l.T("web.repeat.says_monthly", "n", rp.MonthDay, "at", at)
	}
	return l.T("web.repeat.says_daily", "at", at)
}
