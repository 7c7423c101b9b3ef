// Package schedule holds the pure parts of Herold's schedules: time rules
// (cron in a time zone, or every N minutes) with correct behaviour across
// daylight-saving changes, the presets that fill a schedule for the common
// cases, and occurrence keys. Running a schedule (scanning, emitting events,
// reporting) is the service's job.
package schedule

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Rule is a parsed time rule.
type Rule struct {
	spec  *cron.SpecSchedule
	every time.Duration
	loc   *time.Location
}

var parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseCron parses a five-field cron expression ("30 2 * * *", also
// "@daily", "@hourly", …) evaluated in loc.
func ParseCron(expr string, loc *time.Location) (*Rule, error) {
	expr = strings.TrimSpace(expr)
	if strings.HasPrefix(expr, "@every") {
		return nil, errors.New("use every_minutes instead of @every")
	}
	if strings.HasPrefix(expr, "TZ=") || strings.HasPrefix(expr, "CRON_TZ=") {
		return nil, errors.New("set the time zone in the timezone field, not in the expression")
	}
	s, err := parser.Parse(expr)
	if err != nil {
		return nil, fmt.Errorf("%q is not a cron expression (minute hour day-of-month month day-of-week, e.g. \"0 6 * * *\"): %v", expr, err)
	}
	spec, ok := s.(*cron.SpecSchedule)
	if !ok {
		return nil, fmt.Errorf("%q is not supported; use five cron fields", expr)
	}
	return &Rule{spec: spec, loc: loc}, nil
}

// Every returns a rule firing every n minutes, aligned to the clock
// (every 20 minutes: at :00, :20 and :40).
func Every(n int) (*Rule, error) {
	if n < 1 || n > 7*24*60 {
		return nil, errors.New("every_minutes must be between 1 and 10080 (one week)")
	}
	return &Rule{every: time.Duration(n) * time.Minute, loc: time.UTC}, nil
}

// Next returns the first activation strictly after t. A cron rule fires at
// wall-clock times in its zone: a time skipped by a daylight-saving jump
// fires once, right after the jump (02:30 on the spring-forward day runs at
// 03:30); a time that occurs twice fires once, at its first occurrence.
func (r *Rule) Next(t time.Time) time.Time {
	if r.every > 0 {
		return t.Truncate(r.every).Add(r.every)
	}
	local := t.In(r.loc)
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	for i := 0; i < 366*5; i++ {
		d := day.AddDate(0, 0, i)
		if !r.dayMatches(d) {
			continue
		}
		if next, ok := r.firstOnDay(d, t); ok {
			return next
		}
	}
	return time.Time{}
}

// dayMatches applies cron's day rules (day of month and day of week: if
// both are restricted, either matches).
func (r *Rule) dayMatches(d time.Time) bool {
	s := r.spec
	if 1<<uint(d.Month())&s.Month == 0 {
		return false
	}
	domMatch := 1<<uint(d.Day())&s.Dom > 0
	dowMatch := 1<<uint(d.Weekday())&s.Dow > 0
	const star = 1 << 63
	if s.Dom&star > 0 || s.Dow&star > 0 {
		return domMatch && dowMatch
	}
	return domMatch || dowMatch
}

// firstOnDay returns the earliest activation on calendar day d (UTC
// midnight standing for the local date) that is after t.
func (r *Rule) firstOnDay(d, t time.Time) (time.Time, bool) {
	var best time.Time
	found := false
	for h := 0; h < 24; h++ {
		if 1<<uint(h)&r.spec.Hour == 0 {
			continue
		}
		for m := 0; m < 60; m++ {
			if 1<<uint(m)&r.spec.Minute == 0 {
				continue
			}
			at := resolve(d.Year(), d.Month(), d.Day(), h, m, r.loc)
			if at.After(t) && (!found || at.Before(best)) {
				best, found = at, true
			}
		}
	}
	return best, found
}

// resolve turns a wall-clock time in loc into an instant: the earliest
// instant showing that wall time, or, for a time skipped by a jump, the
// instant the jump lands on plus the minutes into the gap.
func resolve(y int, mo time.Month, d, h, m int, loc *time.Location) time.Time {
	wall := time.Date(y, mo, d, h, m, 0, 0, time.UTC)
	var best time.Time
	found := false
	for _, probe := range []time.Duration{-36 * time.Hour, 36 * time.Hour} {
		_, off := wall.Add(probe).In(loc).Zone()
		at := wall.Add(-time.Duration(off) * time.Second)
		l := at.In(loc)
		if l.Hour() == h && l.Minute() == m && l.Day() == d {
			if !found || at.Before(best) {
				best, found = at, true
			}
		}
	}
	if found {
		return best
	}
	// In a gap: apply the offset before the jump; the instant then shows
	// the wall time moved forward by the gap (02:30 → 03:30).
	_, before := wall.Add(-36 * time.Hour).In(loc).Zone()
	return wall.Add(-time.Duration(before) * time.Second)
}

// Due is the outcome of a due check.
type Due struct {
	// Run is true when the schedule should run now.
	Run bool
	// Slot is the slot the run stands for (the earliest missed one).
	Slot time.Time
	// CatchUp is true when more than one slot was missed: the run stands
	// for all of them, once.
	CatchUp bool
	// Next is the next slot after now.
	Next time.Time
}

// Check decides whether a schedule whose next slot is next must run at now.
// Missed slots are caught up once, not once per slot.
func (r *Rule) Check(next, now time.Time) Due {
	if next.IsZero() || next.After(now) {
		if next.IsZero() {
			next = r.Next(now)
		}
		return Due{Next: next}
	}
	return Due{Run: true, Slot: next, CatchUp: !r.Next(next).After(now), Next: r.Next(now)}
}
