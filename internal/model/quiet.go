package model

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// QuietHours say when non-urgent e-mail is held, in local wall-clock
// time, as rules separated by ";" (docs/throttles.md, "Quiet hours"):
//
//   - quiet form: "22:00-07:00" (every day; a window may cross
//     midnight), "Mon-Fri 18:00-08:00; Sat-Sun" (a window that starts on
//     those days; days alone are quiet all day);
//   - business-hours form, keyword open first: "open Mon-Fri
//     08:00-18:00; Sat 09:00-12:00": e-mail goes out only inside these
//     windows, the rest of the week is quiet.
//
// Days are Mon Tue Wed Thu Fri Sat Sun or Mo Di Mi Do Fr Sa So, in any
// case, alone or as a range (Mon-Fri, Fri-Mon wraps), several joined by
// ",". The empty value has none.
type QuietHours string

// ContactQuietHoursAttribute is the contact attribute that holds a
// contact's own quiet hours ("22:00-07:00"); they replace the
// workspace's for that contact.
const ContactQuietHoursAttribute = "quiet_hours"

// Bounds of a quiet-hours value, so that a client cannot make parsing
// cost more than a real timetable needs.
const (
	// MaxQuietHoursLength is the longest value, in bytes.
	MaxQuietHoursLength = 256
	// MaxQuietHoursRules is the most rules: two a day for a week.
	MaxQuietHoursRules = 14
)

// minutesPerWeek is the length of the week QuietWeek measures, from
// Monday 00:00 local wall-clock time.
const minutesPerWeek = 7 * 24 * 60

// QuietWeek is parsed quiet hours: the quiet spans of the week, in
// minutes after Monday 00:00 local wall-clock time, sorted, disjoint
// and not touching (a span up to the end of Sunday and one from Monday
// 00:00 are kept apart; HeldUntil chains them). Built once by Parse.
type QuietWeek struct {
	spans []quietSpan
}

// quietSpan is [start, end) in minutes of the week.
type quietSpan struct{ start, end int }

// quietDays maps the day names (English and German) to their index from
// Monday.
var quietDays = map[string]int{
	"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6,
	"mo": 0, "di": 1, "mi": 2, "do": 3, "fr": 4, "sa": 5, "so": 6,
}

// Parse reads q into its quiet spans. An error names the rule (when
// there are several) and says how to write it.
func (q QuietHours) Parse() (QuietWeek, error) {
	if len(q) > MaxQuietHoursLength {
		return QuietWeek{}, fmt.Errorf("is longer than %d bytes", MaxQuietHoursLength)
	}
	if q == "" {
		return QuietWeek{}, nil
	}
	s := strings.TrimSpace(string(q))
	// The en dash of "08:00–18:00", as people type it in documents.
	s = strings.ReplaceAll(s, "–", "-")
	open := false
	if rest, ok := cutKeyword(s, "open"); ok {
		open, s = true, rest
	}
	rules := strings.Split(s, ";")
	if len(rules) > MaxQuietHoursRules {
		return QuietWeek{}, fmt.Errorf("has %d rules; at most %d", len(rules), MaxQuietHoursRules)
	}
	var spans []quietSpan
	for i, r := range rules {
		r = strings.TrimSpace(r)
		if rest, ok := cutKeyword(r, "open"); ok {
			if !open {
				return QuietWeek{}, ruleError(len(rules), i, r, fmt.Errorf(
					"\"open\" comes once, at the start, and makes every rule opening hours: open Mon-Fri 08:00-18:00; Sat 09:00-12:00"))
			}
			r = rest // "open" repeated in opening hours says nothing new
		}
		got, err := parseQuietRule(r)
		if err != nil {
			return QuietWeek{}, ruleError(len(rules), i, r, err)
		}
		spans = append(spans, got...)
	}
	spans = mergeSpans(spans)
	if open {
		spans = complementSpans(spans)
	}
	if len(spans) == 1 && spans[0] == (quietSpan{0, minutesPerWeek}) {
		return QuietWeek{}, fmt.Errorf("%q leaves no time to send: e-mail would never go out; %s", string(q), quietExample(open))
	}
	return QuietWeek{spans: spans}, nil
}

// quietExample is the example an error ends with, in the form the user
// chose.
func quietExample(open bool) string {
	if open {
		return "e.g. open Mon-Fri 08:00-18:00"
	}
	return "e.g. Mon-Fri 18:00-08:00; Sat-Sun"
}

// cutKeyword cuts the word kw (any case) and the space after it from
// the start of s.
func cutKeyword(s, kw string) (string, bool) {
	if len(s) > len(kw) && strings.EqualFold(s[:len(kw)], kw) && (s[len(kw)] == ' ' || s[len(kw)] == '\t') {
		return strings.TrimSpace(s[len(kw):]), true
	}
	return s, false
}

// ruleError names the rule of a value with several.
func ruleError(n, i int, rule string, err error) error {
	if n == 1 {
		return err
	}
	return fmt.Errorf("rule %d (%q): %w", i+1, rule, err)
}

// parseQuietRule reads one rule: a window, days, or days and a window.
// A day-qualified window starts on those days; one that crosses
// midnight ends on the next.
func parseQuietRule(r string) ([]quietSpan, error) {
	if r == "" {
		return nil, fmt.Errorf("a rule is empty; separate rules with a single \";\"")
	}
	days := []int{0, 1, 2, 3, 4, 5, 6}
	window := r
	if i := strings.IndexAny(r, "0123456789"); i != 0 {
		if i < 0 {
			i = len(r)
		}
		var err error
		if days, err = parseQuietDays(r[:i]); err != nil {
			if i == len(r) && !namesADay(r) {
				// Neither a time nor a day ("nachts irgendwann"): not
				// a misspelt day but no rule at all.
				return nil, fmt.Errorf("%q is not a rule; write a window like 22:00-07:00, days like Sat-Sun, or both: Mon-Fri 18:00-08:00", r)
			}
			return nil, err
		}
		window = strings.TrimSpace(r[i:])
	}
	start, end := 0, 24*60
	if window != "" {
		a, b, ok := strings.Cut(window, "-")
		if !ok {
			return nil, fmt.Errorf("%q is not a rule; write a window like 22:00-07:00, days like Sat-Sun, or both: Mon-Fri 18:00-08:00", r)
		}
		var err error
		if start, err = parseClock(a); err == nil {
			end, err = parseClock(b)
		}
		if err != nil {
			return nil, err
		}
		if start == end {
			return nil, fmt.Errorf("%q starts where it ends; write the days alone for a whole day, or leave it empty for no quiet hours", window)
		}
		if end < start { // crosses midnight: ends the next day
			end += 24 * 60
		}
	}
	var spans []quietSpan
	for _, d := range days {
		s, e := d*24*60+start, d*24*60+end
		if e > minutesPerWeek { // Sunday into Monday
			spans = append(spans, quietSpan{0, e - minutesPerWeek})
			e = minutesPerWeek
		}
		spans = append(spans, quietSpan{s, e})
	}
	return spans, nil
}

// parseQuietDays reads "Mon-Fri", "Sat,Sun", "Fri-Mon" (a range wraps
// over the weekend) into day indexes from Monday.
func parseQuietDays(s string) ([]int, error) {
	var out []int
	for _, written := range strings.Split(s, ",") {
		g := strings.Join(strings.Fields(written), "") // "mo - fr" is "mo-fr"
		a, b, isRange := strings.Cut(g, "-")
		from, ok1 := quietDays[strings.ToLower(a)]
		to, ok2 := from, true
		if isRange {
			to, ok2 = quietDays[strings.ToLower(b)]
		}
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("%q is not a day; write Mon Tue Wed Thu Fri Sat Sun (or Mo Di Mi Do Fr Sa So), a range like Mon-Fri, several joined by \",\"", strings.TrimSpace(written))
		}
		for d := from; ; d = (d + 1) % 7 {
			if !slices.Contains(out, d) {
				out = append(out, d)
			}
			if d == to {
				break
			}
		}
	}
	return out, nil
}

// namesADay reports whether any word of s is a day's name.
func namesADay(s string) bool {
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '-' || r == '\t' }) {
		if _, ok := quietDays[strings.ToLower(w)]; ok {
			return true
		}
	}
	return false
}

// mergeSpans sorts spans and joins those that overlap or touch.
func mergeSpans(spans []quietSpan) []quietSpan {
	slices.SortFunc(spans, func(a, b quietSpan) int { return a.start - b.start })
	var out []quietSpan
	for _, s := range spans {
		if n := len(out); n > 0 && s.start <= out[n-1].end {
			out[n-1].end = max(out[n-1].end, s.end)
			continue
		}
		out = append(out, s)
	}
	return out
}

// complementSpans returns the week outside the sorted, disjoint spans.
func complementSpans(spans []quietSpan) []quietSpan {
	var out []quietSpan
	at := 0
	for _, s := range spans {
		if s.start > at {
			out = append(out, quietSpan{at, s.start})
		}
		at = s.end
	}
	if at < minutesPerWeek {
		out = append(out, quietSpan{at, minutesPerWeek})
	}
	return out
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
	if _, err := q.Parse(); err != nil {
		return []FieldProblem{{field, err.Error()}}
	}
	return nil
}

// HeldUntil parses q and returns QuietWeek.HeldUntil; the zero time
// when q does not parse (it was checked when saved).
func (q QuietHours) HeldUntil(t time.Time, loc *time.Location) time.Time {
	w, err := q.Parse()
	if err != nil {
		return time.Time{}
	}
	return w.HeldUntil(t, loc)
}

// HeldUntil returns when a message that is ready at t may go out in loc:
// the zero time when t is open, else the start of the first open minute
// after the run of quiet time that holds t, across days and chained
// windows (Friday 18:00 to Monday 08:00). A moment is quiet when its
// local weekday and wall-clock time (hour and minute) lie in a quiet
// span. The release is the first moment whose wall-clock time is the
// end time, on the day it falls; an end time the clocks skip (the spring
// DST change) is moved forward by the gap (02:30 becomes 03:30), as
// time.Date does. So 22:00-07:00 always releases at 07:00 local time,
// whatever the length of the night.
func (w QuietWeek) HeldUntil(t time.Time, loc *time.Location) time.Time {
	if len(w.spans) == 0 {
		return time.Time{}
	}
	lt := t.In(loc)
	day := (int(lt.Weekday()) + 6) % 7 // from Monday
	now := day*24*60 + lt.Hour()*60 + lt.Minute()
	i, found := slices.BinarySearchFunc(w.spans, now, func(s quietSpan, m int) int {
		switch {
		case s.end <= m:
			return -1
		case s.start > m:
			return 1
		}
		return 0
	})
	if !found {
		return time.Time{}
	}
	end := w.spans[i].end
	if end == minutesPerWeek && w.spans[0].start == 0 { // on into Monday
		end += w.spans[0].end
	}
	ahead := lt.Hour()*60 + lt.Minute() + end - now // minutes from today's midnight
	y, m, d := lt.Date()
	open := time.Date(y, m, d+ahead/(24*60), ahead%(24*60)/60, ahead%60, 0, 0, loc)
	if !open.After(t) {
		// A window inside the repeated autumn hour, met the second time:
		// its end resolves to the first pass, already over. Not held.
		return time.Time{}
	}
	return open.UTC()
}
