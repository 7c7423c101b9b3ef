package schedule

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/herold-dev/herold/internal/model"
)

// Preset kinds.
const (
	PresetBirthday       = "birthday"
	PresetDateReached    = "date_reached"
	PresetDateWithinLead = "date_within_lead"
	PresetOverdue        = "overdue"
	PresetStillOpen      = "still_open"
	PresetAppointment    = "appointment"
)

// Presets lists the preset kinds.
var Presets = []string{PresetBirthday, PresetDateReached, PresetDateWithinLead, PresetOverdue, PresetStillOpen, PresetAppointment}

// PresetParams fill a preset. Only the fields a kind uses are read; the
// zero value of each is its documented default.
type PresetParams struct {
	Kind string `json:"kind"`
	// Collection of the objects (all kinds but birthday).
	Collection string `json:"collection,omitempty"`
	// Field is the date attribute: birthday ("birthday"), expires_on
	// ("expires_on"), due_at ("due_at"), created_at ("created_at"),
	// starts_at ("starts_at").
	Field string `json:"field,omitempty"`
	// DaysBefore: birthday N days before (0: on the day).
	DaysBefore int `json:"days_before,omitempty"`
	// LeadDays is a fixed lead time (date_within_lead); LeadField takes it
	// from the record instead (e.g. "lead_days"), which wins when set.
	LeadDays  int    `json:"lead_days,omitempty"`
	LeadField string `json:"lead_field,omitempty"`
	// Duration is the threshold of overdue ("overdue by more than"),
	// still_open ("open for more than") and appointment ("remind this
	// long before the start"), as a Go duration: "24h", "90m", "1h30m".
	// Compared exactly: a task 24 h 1 min overdue is more than "24h".
	Duration string `json:"duration,omitempty"`
	// Hours is the older form of Duration in whole hours (hours: 24 is
	// duration "24h"); Duration wins when both are given.
	Hours int `json:"hours,omitempty"`
	// LookBackDays: date_reached normally takes the dates reached since
	// the schedule's previous run (first run: since the start of today);
	// with a look-back it takes every date reached in the last N days.
	LookBackDays int `json:"look_back_days,omitempty"`
	// StatusField and DoneStatuses: records whose status is in the list
	// are done (overdue, still_open). Defaults "status" and
	// ["done", "closed", "cancelled"].
	StatusField  string   `json:"status_field,omitempty"`
	DoneStatuses []string `json:"done_statuses,omitempty"`
	// ExcludeField and ExcludeValues exclude contacts whose attribute has
	// one of the values (birthday: membership_status in [cancelled]).
	ExcludeField  string   `json:"exclude_field,omitempty"`
	ExcludeValues []string `json:"exclude_values,omitempty"`
	// ConsentCategory (birthday) sets the schedule's consent category:
	// contacts that opted out of it or lack its consent are excluded, by
	// the rule a notification of that category applies.
	ConsentCategory string `json:"consent_category,omitempty"`
}

// PresetError is a preset parameter that cannot be applied.
type PresetError struct {
	// Field names the parameter as PresetParams' JSON does ("kind",
	// "collection", "duration", "hours").
	Field  string
	Detail string
}

func (e *PresetError) Error() string { return e.Field + ": " + e.Detail }

// PresetErrors are every parameter of a preset that cannot be applied, so
// that one answer names them all.
type PresetErrors []*PresetError

func (es PresetErrors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "; ")
}

// Apply fills s from a preset. Fields the caller set on s (time rule,
// event type, project, report, ...) are kept; source, condition, exclusion
// and occurrence key come from the preset unless set. A preset that cannot
// be applied leaves s as it was and returns PresetErrors.
func Apply(s *model.Schedule, p PresetParams) error {
	var f filled
	var err *PresetError
	switch p.Kind {
	case PresetBirthday:
		f = birthday(p)
	case PresetDateReached:
		f = dateReached(p)
	case PresetDateWithinLead:
		f = withinLead(p)
	case PresetOverdue:
		f, err = overdue(p)
	case PresetStillOpen:
		f, err = stillOpen(p)
	case PresetAppointment:
		f, err = appointment(p)
	default:
		return PresetErrors{{Field: "kind", Detail: fmt.Sprintf("%q is not a preset; use one of %s", p.Kind, strings.Join(Presets, ", "))}}
	}
	var errs PresetErrors
	if f.source.Kind == model.SourceObjects && p.Collection == "" {
		errs = append(errs, &PresetError{Field: "collection", Detail: fmt.Sprintf("the %s preset needs a collection", p.Kind)})
	}
	if err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return errs
	}
	s.Preset = p.Kind
	if s.Source.Kind == "" {
		s.Source = f.source
	}
	s.Condition = cmp.Or(s.Condition, f.condition)
	s.Exclude = cmp.Or(s.Exclude, f.exclude)
	s.OccurrenceKey = cmp.Or(s.OccurrenceKey, f.occurrence)
	if s.Cron == "" && s.EveryMinutes == 0 {
		s.Cron, s.EveryMinutes = f.cron, f.every
	}
	s.EventType = cmp.Or(s.EventType, f.eventType)
	if p.Kind == PresetBirthday {
		s.ConsentCategory = cmp.Or(s.ConsentCategory, p.ConsentCategory)
	}
	return nil
}

type filled struct {
	source     model.ScheduleSource
	condition  string
	exclude    string
	occurrence string
	cron       string
	every      int
	eventType  string
}

func objects(p PresetParams) model.ScheduleSource {
	return model.ScheduleSource{Kind: model.SourceObjects, Collection: p.Collection}
}

// quoteList renders a CEL list of strings.
func quoteList(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = strconv.Quote(v)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func birthday(p PresetParams) filled {
	field := "contact." + cmp.Or(p.Field, "birthday")
	var excl []string
	if p.ExcludeField != "" && len(p.ExcludeValues) > 0 {
		ef := "contact." + p.ExcludeField
		excl = append(excl, fmt.Sprintf("(has(%s) && %s in %s)", ef, ef, quoteList(p.ExcludeValues)))
	}
	return filled{
		source:     model.ScheduleSource{Kind: model.SourceContacts},
		condition:  fmt.Sprintf("has(%s) && is_birthday(%s, %d)", field, field, p.DaysBefore),
		exclude:    strings.Join(excl, " || "),
		occurrence: "birthday-{{ .contact.id }}-{{ .today.Year }}",
		cron:       "0 6 * * *", eventType: "contact.birthday",
	}
}

// dateReached takes the dates reached since the previous run, data.since
// (see the service's schedule runs), up to now: a run after a two-day
// outage takes the two missed days, a first run only today. The expiry
// day itself belongs here, not to withinLead, so a member whose
// qualification expires today gets one mail ("has expired").
func dateReached(p PresetParams) filled {
	field := "object." + cmp.Or(p.Field, "expires_on")
	cond := fmt.Sprintf("has(%s) && date(%s) >= data.since && date(%s) <= now", field, field, field)
	if p.LookBackDays > 0 {
		cond = fmt.Sprintf("has(%s) && days_since(%s) >= 0 && days_since(%s) <= %d", field, field, field, p.LookBackDays)
	}
	return filled{
		source:     objects(p),
		condition:  cond,
		occurrence: fmt.Sprintf("reached-{{ .object.id }}-{{ %s }}", "."+field),
		cron:       "0 6 * * *", eventType: p.Collection + ".date_reached",
	}
}

// withinLead takes the dates 1 to lead days ahead; the day itself is
// dateReached's.
func withinLead(p PresetParams) filled {
	field := "object." + cmp.Or(p.Field, "expires_on")
	lead := strconv.Itoa(cmp.Or(p.LeadDays, 30))
	if p.LeadField != "" {
		lead = "object." + p.LeadField
	}
	return filled{
		source: objects(p),
		condition: fmt.Sprintf("has(%s) && days_until(%s) >= 1 && days_until(%s) <= %s",
			field, field, field, lead),
		occurrence: fmt.Sprintf("lead-{{ .object.id }}-{{ %s }}", "."+field),
		cron:       "0 6 * * *", eventType: p.Collection + ".due_soon",
	}
}

func done(p PresetParams) (string, string) {
	sf := "object." + cmp.Or(p.StatusField, "status")
	statuses := p.DoneStatuses
	if len(statuses) == 0 {
		statuses = []string{"done", "closed", "cancelled"}
	}
	return sf, quoteList(statuses)
}

// maxThreshold bounds a preset's duration: a year is more than any
// reminder needs.
const maxThreshold = 366 * 24 * time.Hour

// threshold returns the preset's duration (Duration, else Hours) as a CEL
// duration literal, and the duration; an error names the parameter given
// (duration when neither is).
func threshold(p PresetParams) (string, time.Duration, *PresetError) {
	d, field := time.Duration(p.Hours)*time.Hour, "hours"
	if p.Duration != "" || p.Hours == 0 {
		field = "duration"
	}
	if p.Duration != "" {
		var err error
		if d, err = time.ParseDuration(p.Duration); err != nil {
			return "", 0, &PresetError{Field: field, Detail: fmt.Sprintf("%q is not a duration; write e.g. \"24h\", \"90m\" or \"1h30m\"", p.Duration)}
		}
	}
	if d < time.Minute || d > maxThreshold {
		return "", 0, &PresetError{Field: field, Detail: fmt.Sprintf("the %s preset needs a duration between 1m and 8784h (366 days), e.g. \"24h\"", p.Kind)}
	}
	return fmt.Sprintf("duration(%q)", d.String()), d, nil
}

// overdue takes records whose date lies more than the duration before now,
// exactly (24 h 1 min is more than 24 h; 24 h is not).
func overdue(p PresetParams) (filled, *PresetError) {
	field := "object." + cmp.Or(p.Field, "due_at")
	sf, list := done(p)
	dur, _, err := threshold(p)
	return filled{
		source: objects(p),
		condition: fmt.Sprintf("has(%s) && now - date(%s) > %s && !(has(%s) && %s in %s)",
			field, field, dur, sf, sf, list),
		occurrence: fmt.Sprintf("overdue-{{ .object.id }}-{{ %s }}", "."+field),
		every:      20, eventType: p.Collection + ".overdue",
	}, err
}

func stillOpen(p PresetParams) (filled, *PresetError) {
	field := "object." + cmp.Or(p.Field, "created_at")
	sf, list := done(p)
	dur, _, err := threshold(p)
	return filled{
		source: objects(p),
		condition: fmt.Sprintf("has(%s) && now - date(%s) > %s && !(has(%s) && %s in %s)",
			field, field, dur, sf, sf, list),
		occurrence: "open-{{ .object.id }}",
		every:      60, eventType: p.Collection + ".still_open",
	}, err
}

// appointment reminds about what is still ahead: a start after now and at
// most the lead time away. It runs every 15 minutes, or as often as the
// lead time when that is shorter, so no start falls between two runs.
func appointment(p PresetParams) (filled, *PresetError) {
	field := "object." + cmp.Or(p.Field, "starts_at")
	dur, d, err := threshold(p)
	every := 15
	if m := int(d / time.Minute); m < every {
		every = max(m, 1)
	}
	return filled{
		source: objects(p),
		condition: fmt.Sprintf("has(%s) && date(%s) > now && date(%s) - now <= %s",
			field, field, field, dur),
		occurrence: fmt.Sprintf("reminder-{{ .object.id }}-{{ %s }}", "."+field),
		every:      every, eventType: p.Collection + ".reminder",
	}, err
}
