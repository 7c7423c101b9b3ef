package model

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// QuietHours is a daily window, in local wall-clock time, in which
// non-urgent e-mail is held until the window ends: "22:00-07:00" (it
// crosses midnight) or "12:00-13:00". Business hours are the quiet hours
// from closing to opening ("18:00-08:00"). The empty value has none.
type QuietHours string

// ContactQuietHoursAttribute is the contact attribute that holds a
// contact's own quiet hours ("22:00-07:00"); they replace the
// workspace's for that contact.
const ContactQuietHoursAttribute = "quiet_hours"

// Parse returns the window's start and end as minutes after midnight.
func (q QuietHours) Parse() (start, end int, err error) {
	a, b, ok := strings.Cut(string(q), "-")
	if !ok {
		return 0, 0, fmt.Errorf("%q is not a window; write start-end, e.g. 22:00-07:00", string(q))
	}
	if start, err = parseClock(a); err == nil {
		end, err = parseClock(b)
	}
	if err == nil && start == end {
		err = fmt.Errorf("%q starts where it ends; leave it empty for no quiet hours", string(q))
	}
	return start, end, err
}

// parseClock reads "HH:MM" (00:00 to 23:59) as minutes after midnight.
func parseClock(s string) (int, error) {
	s = strings.TrimSpace(s)
	h, m, ok := strings.Cut(s, ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || len(h) != 2 || len(m) != 2 || err1 != nil || err2 != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return 0, fmt.Errorf("%q is not a time of day; write HH:MM, e.g. 07:00", s)
	}
	return hh*60 + mm, nil
}

// Check returns the problem of q under field, or nil.
func (q QuietHours) Check(field string) []FieldProblem {
	if q == "" {
		return nil
	}
	if _, _, err := q.Parse(); err != nil {
		return []FieldProblem{{field, err.Error()}}
	}
	return nil
}

// HeldUntil returns when a message that is ready at t may go out under
// the quiet hours q in loc: the zero time when t is outside the window,
// else the window's end. A moment is quiet when its local wall-clock time
// (hour and minute) lies in [start, end). The end is the first moment
// whose wall-clock time is the end time, on the day it falls; an end
// time the clocks skip (the spring DST change) is moved forward by the
// gap (02:30 becomes 03:30), as time.Date does. So 22:00-07:00 always
// releases at 07:00 local time, whatever the length of the night.
func (q QuietHours) HeldUntil(t time.Time, loc *time.Location) time.Time {
	start, end, err := q.Parse()
	if err != nil {
		return time.Time{}
	}
	lt := t.In(loc)
	now := lt.Hour()*60 + lt.Minute()
	var quiet bool
	if start < end {
		quiet = now >= start && now < end
	} else {
		quiet = now >= start || now < end
	}
	if !quiet {
		return time.Time{}
	}
	y, m, d := lt.Date()
	if now >= end { // the window crosses midnight and ends tomorrow
		d++
	}
	open := time.Date(y, m, d, end/60, end%60, 0, 0, loc)
	if !open.After(t) {
		// A window inside the repeated autumn hour, met the second time:
		// its end resolves to the first pass, already over. Not held.
		return time.Time{}
	}
	return open.UTC()
}
