package schedule

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"

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
	// Hours: overdue by more than, still open after, appointment within.
	Hours int `json:"hours,omitempty"`
	// StatusField and DoneStatuses: records whose status is in the list
	// are done (overdue, still_open). Defaults "status" and
	// ["done", "closed", "cancelled"].
	StatusField  string   `json:"status_field,omitempty"`
	DoneStatuses []string `json:"done_statuses,omitempty"`
	// ExcludeField and ExcludeValues exclude contacts whose attribute has
	// one of the values (birthday: membership_status in [cancelled]).
	ExcludeField  string   `json:"exclude_field,omitempty"`
	ExcludeValues []string `json:"exclude_values,omitempty"`
	// ConsentCategory, when set, excludes contacts without that consent
	// (birthday mail is consent mail).
	ConsentCategory string `json:"consent_category,omitempty"`
}

// Apply fills s from a preset. Fields the caller set on s (time rule,
// event type, project, report, ...) are kept; source, condition, exclusion
// and occurrence key come from the preset unless set.
func Apply(s *model.Schedule, p PresetParams) error {
	var f filled
	switch p.Kind {
	case PresetBirthday:
		f = birthday(p)
	case PresetDateReached:
		f = dateReached(p)
	case PresetDateWithinLead:
		f = withinLead(p)
	case PresetOverdue:
		f = overdue(p)
	case PresetStillOpen:
		f = stillOpen(p)
	case PresetAppointment:
		f = appointment(p)
	default:
		return fmt.Errorf("%q is not a preset; use one of %s", p.Kind, strings.Join(Presets, ", "))
	}
	if f.source.Kind == model.SourceObjects && p.Collection == "" {
		return fmt.Errorf("the %s preset needs a collection", p.Kind)
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
	if p.ConsentCategory != "" {
		excl = append(excl, fmt.Sprintf("!(%s in contact.consents)", strconv.Quote(p.ConsentCategory)))
	}
	return filled{
		source:     model.ScheduleSource{Kind: model.SourceContacts},
		condition:  fmt.Sprintf("has(%s) && is_birthday(%s, %d)", field, field, p.DaysBefore),
		exclude:    strings.Join(excl, " || "),
		occurrence: "birthday-{{ .contact.id }}-{{ .today.Year }}",
		cron:       "0 6 * * *", eventType: "contact.birthday",
	}
}

func dateReached(p PresetParams) filled {
	field := "object." + cmp.Or(p.Field, "expires_on")
	return filled{
		source:     objects(p),
		condition:  fmt.Sprintf("has(%s) && days_since(%s) >= 0", field, field),
		occurrence: fmt.Sprintf("reached-{{ .object.id }}-{{ %s }}", "."+field),
		cron:       "0 6 * * *", eventType: p.Collection + ".date_reached",
	}
}

func withinLead(p PresetParams) filled {
	field := "object." + cmp.Or(p.Field, "expires_on")
	lead := strconv.Itoa(cmp.Or(p.LeadDays, 30))
	if p.LeadField != "" {
		lead = "object." + p.LeadField
	}
	return filled{
		source: objects(p),
		condition: fmt.Sprintf("has(%s) && days_until(%s) >= 0 && days_until(%s) <= %s",
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

func overdue(p PresetParams) filled {
	field := "object." + cmp.Or(p.Field, "due_at")
	sf, list := done(p)
	return filled{
		source: objects(p),
		condition: fmt.Sprintf("has(%s) && hours_since(%s) > %d && !(has(%s) && %s in %s)",
			field, field, p.Hours, sf, sf, list),
		occurrence: fmt.Sprintf("overdue-{{ .object.id }}-{{ %s }}", "."+field),
		every:      20, eventType: p.Collection + ".overdue",
	}
}

func stillOpen(p PresetParams) filled {
	field := "object." + cmp.Or(p.Field, "created_at")
	sf, list := done(p)
	return filled{
		source: objects(p),
		condition: fmt.Sprintf("has(%s) && hours_since(%s) > %d && !(has(%s) && %s in %s)",
			field, field, p.Hours, sf, sf, list),
		occurrence: "open-{{ .object.id }}",
		every:      60, eventType: p.Collection + ".still_open",
	}
}

func appointment(p PresetParams) filled {
	field := "object." + cmp.Or(p.Field, "starts_at")
	return filled{
		source:     objects(p),
		condition:  fmt.Sprintf("has(%s) && hours_until(%s) >= 0 && hours_until(%s) <= %d", field, field, field, p.Hours),
		occurrence: fmt.Sprintf("reminder-{{ .object.id }}-{{ %s }}", "."+field),
		every:      15, eventType: p.Collection + ".reminder",
	}
}
