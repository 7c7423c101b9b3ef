package model

import "time"

// Schedule is a time rule over a source (contacts or an object collection)
// that emits one event per matching record (zeitgesteuerter Versand).
type Schedule struct {
	Key         string `json:"key"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Enabled schedules run on their time rule; disabled ones only by hand.
	Enabled bool `json:"enabled"`

	// Cron is a five-field cron expression ("0 6 * * *"), evaluated in
	// Timezone. Exactly one of Cron and EveryMinutes is set.
	Cron string `json:"cron,omitempty"`
	// EveryMinutes runs the schedule every N minutes (aligned to the clock).
	EveryMinutes int `json:"every_minutes,omitempty"`
	// Timezone is an IANA zone; empty means the workspace's.
	Timezone string `json:"timezone,omitempty"`

	// Source is what a run scans.
	Source ScheduleSource `json:"source"`
	// Condition (CEL) selects the records that are due.
	Condition string `json:"condition"`
	// ConsentCategory (optional, contact sources) excludes contacts that
	// opted out of the category or lack its consent, by the same rule a
	// notification of that category applies (Contact.Suppression).
	ConsentCategory string `json:"consent_category,omitempty"`
	// Exclude (CEL, optional) marks due records that must not get a
	// message (a cancelled membership, missing consent); they are recorded
	// as excluded events with the values the rule saw.
	Exclude string `json:"exclude,omitempty"`

	// EventType is the type of the emitted events.
	EventType string `json:"event_type"`
	// Project is the project of the emitted events (its flow decides).
	Project string `json:"project"`
	// Role is the role the matched contact gets in the event (contact
	// sources). Default "contact".
	Role string `json:"role,omitempty"`
	// OccurrenceKey is a template (e.g.
	// "birthday-{{ .contact.id }}-{{ .today.Year }}") rendered per match:
	// each key fires at most once.
	OccurrenceKey string `json:"occurrence_key"`
	// LeapDay is where 29 February birthdays fall in common years:
	// "feb28" (default) or "mar1".
	LeapDay string `json:"leap_day,omitempty"`

	// ReportTo receives a report after each run: "contact:ID" or
	// "email:ADDRESS". Empty: no report.
	ReportTo Recipient `json:"report_to,omitempty"`
	// ReportChannels are the channels the report goes out on: "email",
	// "inapp" (the report_to contact's feed) or both. Default ["email"].
	ReportChannels []string `json:"report_channels"`
	// ReportTemplate is the template of the report; default the
	// workspace's "schedule-report" template, else the built-in one.
	ReportTemplate string `json:"report_template,omitempty"`

	// Preset names the preset the schedule was made from (informative).
	Preset string `json:"from_preset,omitempty"`

	// NextRunAt is when the time rule next fires.
	NextRunAt *time.Time `json:"next_run_at,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// Source kinds.
const (
	SourceContacts = "contacts"
	SourceObjects  = "objects"
)

// ScheduleSource is what a schedule scans.
type ScheduleSource struct {
	// Kind is "contacts" or "objects".
	Kind string `json:"kind"`
	// Collection names the objects' collection (objects only).
	Collection string `json:"collection,omitempty"`
}

// Run triggers.
const (
	TriggerScheduled = "scheduled"
	TriggerCatchUp   = "catch_up"
	TriggerManual    = "manual"
)

// Run statuses.
const (
	RunQueued   = "queued"
	RunRunning  = "running"
	RunFinished = "finished"
	RunFailed   = "failed"
)

// ScheduleRun is one run of a schedule with its counts.
type ScheduleRun struct {
	ID       string `json:"id"`
	Schedule string `json:"schedule"`
	// Trigger is "scheduled", "catch_up" or "manual".
	Trigger string `json:"trigger"`
	// Slot is the time-rule slot the run stands for (nil for manual runs).
	Slot       *time.Time `json:"slot,omitempty"`
	Status     string     `json:"status"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
	// Scanned counts records read; Matched those the condition selected;
	// Excluded those the exclusion removed; Emitted the events created;
	// Skipped the matches whose occurrence had fired before; Errors the
	// records that could not be evaluated.
	Scanned  int `json:"scanned"`
	Matched  int `json:"matched"`
	Excluded int `json:"excluded"`
	Emitted  int `json:"emitted"`
	Skipped  int `json:"skipped"`
	Errors   int `json:"errors"`
	// ErrorSamples are the first errors, for the report.
	ErrorSamples []string `json:"error_samples"`
	// Failure is set when the run as a whole failed.
	Failure string `json:"failure,omitempty"`
	// ReportMessage is the id of the report message, if one was sent.
	ReportMessage string `json:"report_message,omitempty"`
	// Cursor is the last record the run committed; a run continues after
	// it.
	Cursor string `json:"-"`
	// Owner is the runner whose lease this copy of the run was claimed
	// under: updates through it apply only while that lease holds.
	Owner string `json:"-"`
}
