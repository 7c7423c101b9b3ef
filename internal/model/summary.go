package model

import (
	"fmt"
	"strings"
)

// Summaries are digests Herold builds itself, with a built-in template:
// a contact's daily or weekly frequency for a category, and the roll-up
// of a throttle rule's excess ("+3 more"). They are stored as digests
// under the reserved flow key SummaryFlow (a flow key cannot start with
// "~"), with the kind in the notification column, so that the digest
// machinery (one open row per key, one message at close) serves them.
const (
	// SummaryFlow marks a stored digest as a summary.
	SummaryFlow = "~summary"
	// SummaryDaily and SummaryWeekly collect a category's mail for a
	// contact who chose that frequency; the digest key is the category.
	SummaryDaily  = FrequencyDaily
	SummaryWeekly = FrequencyWeekly
	// SummaryRollUp collects the excess of a throttle rule with
	// RollUp until the rule's window ends.
	SummaryRollUp = "roll-up"
	// SummaryAt is the default local time at which frequency summaries
	// are sent, in the contact's time zone (SummarySchedule.At).
	SummaryAt = "08:00"
	// SummaryWeekday is the default day of weekly summaries
	// (SummarySchedule.Weekday).
	SummaryWeekday = "monday"
	// SummaryTemplate names the built-in template of summaries in
	// messages and history.
	SummaryTemplate = "~summary"
)

// ReasonRolledUp: a throttle rule with roll-up allowed no more messages
// now; the message is collected into the summary sent when the rule's
// window ends.
const ReasonRolledUp SuppressReason = "rolled_up"

// FrequencyDigest is the calendar window of a frequency summary under
// the workspace's schedule s: daily at s's time, or weekly on s's day at
// that time; nil for any other frequency (instantly: no summary).
func FrequencyDigest(frequency string, s SummarySchedule) *Digest {
	w := DigestWindow{Type: DigestCalendar, At: s.Time()}
	switch frequency {
	case FrequencyDaily:
		w.Every = "daily"
	case FrequencyWeekly:
		w.Every, w.Weekday = "weekly", s.Day()
	default:
		return nil
	}
	return &Digest{Window: w, ShowItems: MaxDigestShowItems}
}

// SummarySchedule is when a workspace's frequency summaries are sent:
// daily ones at At, weekly ones on Weekday at At, in each contact's time
// zone (else the workspace's). An empty field takes its default
// (SummaryAt, SummaryWeekday), so a workspace that never chose keeps
// 08:00 on Mondays and its configuration files leave the setting out.
// A summary already open keeps the closing time it got when it opened.
type SummarySchedule struct {
	// At is the local time of day, "HH:MM" (00:00 to 23:59).
	At string `json:"at,omitempty"`
	// Weekday is the day of weekly summaries, in English: "monday" …
	// "sunday".
	Weekday string `json:"weekday,omitempty"`
}

// Time is s's time of day, the default when none is set.
func (s SummarySchedule) Time() string {
	if s.At == "" {
		return SummaryAt
	}
	return s.At
}

// Day is s's day of weekly summaries, the default when none is set.
func (s SummarySchedule) Day() string {
	if s.Weekday == "" {
		return SummaryWeekday
	}
	return s.Weekday
}

// Check returns the problems of s, each with its path under field
// ("summary_schedule.at").
func (s SummarySchedule) Check(field string) []FieldProblem {
	var out []FieldProblem
	if s.At != "" {
		if _, err := parseClock(s.At); err != nil || strings.TrimSpace(s.At) != s.At {
			out = append(out, FieldProblem{field + ".at", fmt.Sprintf("%q is not a time of day; write HH:MM, e.g. 17:30", s.At)})
		}
	}
	if s.Weekday != "" {
		if _, ok := weekday(s.Weekday); !ok || strings.ToLower(s.Weekday) != s.Weekday {
			out = append(out, FieldProblem{field + ".weekday", fmt.Sprintf("%q is not a weekday; use monday, tuesday, wednesday, thursday, friday, saturday or sunday", s.Weekday)})
		}
	}
	return out
}
