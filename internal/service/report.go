package service

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/herold-dev/herold/internal/explain"
	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// reportTemplate is the run report the workspace gets on first use, in
// German and English; it is an ordinary template the admin can change. Each
// language reads its own labels (status_text.de, …) so no English word
// appears in the German report.
var reportTemplate = model.Template{
	Key: ReportTemplateKey, Name: "Bericht zum zeitgesteuerten Versand / Schedule run report",
	Locales: map[string]model.TemplateContent{
		"de": {
			Subject: `{{ .data.schedule_name }}: {{ .data.run.mail.sent }} gesendet, {{ .data.run.mail.suppressed }} unterdrückt, {{ .data.run.errors }} Fehler`,
			Text: `Bericht zum zeitgesteuerten Versand "{{ .data.schedule_name }}" ({{ .data.schedule }})

Ergebnis:        {{ .data.run.status_text.de }}{{ if .data.run.failure }} – {{ .data.run.failure }}{{ end }}
Anlass:          {{ .data.run.trigger_text.de }}
Gestartet:       {{ .data.run.started_at | datetime }}
Beendet:         {{ .data.run.finished_at | datetime }}

Datensätze
  Geprüft:         {{ .data.run.scanned }}
  Zutreffend:      {{ .data.run.matched }}
  Schon erledigt:  {{ .data.run.skipped }}
  Ausgeschlossen:  {{ .data.run.excluded }}
{{ range .data.run.excluded_by }}    {{ .de }}: {{ .count }}
{{ end }}  Fehler:          {{ .data.run.errors }}
{{ range .data.run.error_samples }}    {{ . }}
{{ end }}
Nachrichten{{ if not .data.run.mail.done }} (Stand {{ .data.run.mail.at | datetime }}, noch nicht alle versandt){{ end }}
  Gesendet:                  {{ .data.run.mail.sent }}
  Unterdrückt:               {{ .data.run.mail.suppressed }}
{{ range .data.run.mail.suppressed_by }}    {{ .de }}: {{ .count }}
{{ end }}  Warten auf Bestätigung:    {{ .data.run.mail.awaiting_confirmation }}
  Abgelehnt oder abgelaufen: {{ .data.run.mail.declined }}
  Fehlgeschlagen:            {{ .data.run.mail.failed }}
  Noch in der Warteschlange: {{ .data.run.mail.queued }}

Details: {{ .data.link }}
`,
		},
		"en": {
			Subject: `{{ .data.schedule_name }}: {{ .data.run.mail.sent }} sent, {{ .data.run.mail.suppressed }} suppressed, {{ .data.run.errors }} errors`,
			Text: `Run report of schedule "{{ .data.schedule_name }}" ({{ .data.schedule }})

Result:    {{ .data.run.status_text.en }}{{ if .data.run.failure }} – {{ .data.run.failure }}{{ end }}
Trigger:   {{ .data.run.trigger_text.en }}
Started:   {{ .data.run.started_at | datetime }}
Finished:  {{ .data.run.finished_at | datetime }}

Records
  Scanned:       {{ .data.run.scanned }}
  Matched:       {{ .data.run.matched }}
  Already done:  {{ .data.run.skipped }}
  Excluded:      {{ .data.run.excluded }}
{{ range .data.run.excluded_by }}    {{ .en }}: {{ .count }}
{{ end }}  Errors:        {{ .data.run.errors }}
{{ range .data.run.error_samples }}    {{ . }}
{{ end }}
Messages{{ if not .data.run.mail.done }} (as of {{ .data.run.mail.at | datetime }}, not all sent yet){{ end }}
  Sent:                   {{ .data.run.mail.sent }}
  Suppressed:             {{ .data.run.mail.suppressed }}
{{ range .data.run.mail.suppressed_by }}    {{ .en }}: {{ .count }}
{{ end }}  Awaiting confirmation:  {{ .data.run.mail.awaiting_confirmation }}
  Declined or expired:    {{ .data.run.mail.declined }}
  Failed:                 {{ .data.run.mail.failed }}
  Still queued:           {{ .data.run.mail.queued }}

Details: {{ .data.link }}
`,
		},
	},
}

// ensureReportTemplate creates the workspace's report template unless it
// exists, and brings an unedited copy of the previous built-in one up to
// date.
func (s *Service) ensureReportTemplate(ctx context.Context, q store.Queries, ws *model.Workspace) error {
	return s.ensureTemplate(ctx, q, ws, &reportTemplate, &reportTemplateV1)
}

// ensureTemplate creates one of Herold's own templates in the workspace
// unless it exists (the admin may have changed it). An existing copy
// whose texts are still those of previous, an earlier built-in version
// (nil: none), was never edited and is brought up to date.
func (s *Service) ensureTemplate(ctx context.Context, q store.Queries, ws *model.Workspace, tmpl, previous *model.Template) error {
	cur, err := q.TemplateGet(ctx, ws.ID, tmpl.Key)
	switch {
	case err == nil && (previous == nil || !reflect.DeepEqual(cur.Locales, previous.Locales)):
		return nil
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return err
	}
	t := *tmpl
	t.Locales = maps.Clone(tmpl.Locales)
	now := s.now()
	t.CreatedAt, t.UpdatedAt = now, now
	if _, err := q.TemplateUpsert(ctx, ws.ID, &t); err != nil {
		return err
	}
	return q.WorkspaceConfigBump(ctx, ws.ID)
}

// RunLink is where a run can be inspected.
func (s *Service) RunLink(schedule, runID string) string {
	return strings.TrimSuffix(s.baseURL(), "/") + "/schedules/" + schedule + "/runs/" + runID
}

// reportWait is how long a run's report waits for the run's mail to be
// done (nothing queued or being sent any more) before it is sent anyway,
// saying how much is still queued; reportGiveUp is how long after a run
// ended its report is still sent at all (covering a stretch of downtime).
const (
	reportWait   = time.Hour
	reportGiveUp = 24 * time.Hour
)

// RunCount is a count with its reason, labelled in German and English.
type RunCount struct {
	Reason string `json:"reason"`
	Count  int    `json:"count"`
	DE     string `json:"de"`
	EN     string `json:"en"`
}

// RunMail is what became of the messages of a run's events, as it stands
// at At: computed from the messages themselves, so it fills in while
// delivery goes on.
type RunMail struct {
	At           time.Time  `json:"at"`
	Sent         int        `json:"sent"`
	Suppressed   int        `json:"suppressed"`
	SuppressedBy []RunCount `json:"suppressed_by"`
	// AwaitingConfirmation messages wait for someone to approve them.
	AwaitingConfirmation int `json:"awaiting_confirmation"`
	// Declined counts confirmations declined or expired.
	Declined int `json:"declined"`
	Failed   int `json:"failed"`
	// Queued counts messages queued, being sent or waiting for a retry.
	Queued int `json:"queued"`
	// Done is true when nothing is queued any more (awaiting confirmation
	// does not count: a person decides when).
	Done bool `json:"done"`
}

// RunReport is a run with what became of its records and their mail.
type RunReport struct {
	*model.ScheduleRun
	// ExcludedBy splits Excluded by reason: exclude (the schedule's
	// exclusion), opted_out, no_consent (its consent category).
	ExcludedBy []RunCount `json:"excluded_by"`
	Mail       RunMail    `json:"mail"`
	// Report is what became of the run's report message (report_message),
	// as it stands; nil before one was made or once it was purged.
	Report *RunReportMessage `json:"report,omitempty"`
}

// RunReportMessage is the state of a run's report message, said in German
// and English: sent, on its way, not sent, or failed with why (no sender
// address, the mail server's answer).
type RunReportMessage struct {
	MessageID string              `json:"message_id"`
	Channel   string              `json:"channel"`
	Status    model.MessageStatus `json:"status"`
	// Failed is true when the report could not be sent (failed, bounced
	// or complained about).
	Failed bool `json:"failed"`
	// Reason is the message's recorded reason (a suppression or the last
	// failure), as recorded.
	Reason string `json:"reason,omitempty"`
	DE     string `json:"de"`
	EN     string `json:"en"`
}

// Text is the sentence in lang ("de" or else English).
func (r *RunReportMessage) Text(lang string) string {
	if lang == "de" {
		return r.DE
	}
	return r.EN
}

// reportMessage loads the run's report message and says what became of
// it; nil when the run has none (yet) or it was purged.
func (s *Service) reportMessage(ctx context.Context, ws *model.Workspace, run *model.ScheduleRun) (*RunReportMessage, error) {
	if run.ReportMessage == "" {
		return nil, nil
	}
	m, err := s.store.MessageGet(ctx, ws.ID, run.ReportMessage)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("load the run's report message: %w", err)
	}
	out := &RunReportMessage{MessageID: m.ID, Channel: m.Channel, Status: m.Status, Reason: m.Reason,
		Failed: m.Status == model.MsgFailed || m.Status == model.MsgBounced || m.Status == model.MsgComplained}
	say := func(lang string) string {
		status := s.catalog.T(lang, "status."+string(m.Status), nil)
		switch m.Status {
		case model.MsgSent:
			if m.CapturedAt != nil {
				return s.catalog.T(lang, "web.report.message.captured", nil)
			}
			return s.catalog.T(lang, "web.report.message.sent", nil)
		case model.MsgFailed, model.MsgBounced, model.MsgComplained:
			if m.Reason == model.NoSenderReason {
				return s.catalog.T(lang, "web.report.message.no_sender", nil)
			}
			why := explain.Reply(s.catalog, lang, m.Reason)
			if why == "" {
				why = cmp.Or(m.Reason, status)
			}
			return s.catalog.T(lang, "web.report.message.failed", map[string]any{"why": why})
		case model.MsgSuppressed, model.MsgDeclined, model.MsgExpired, model.MsgUnsubscribed:
			return s.catalog.T(lang, "web.report.message.not_sent", map[string]any{"status": status})
		}
		return s.catalog.T(lang, "web.report.message.pending", map[string]any{"status": status})
	}
	out.DE, out.EN = say("de"), say("en")
	return out, nil
}

// runLabel returns a reason's label in both languages.
func (s *Service) runCount(reason string, n int) RunCount {
	id := "web.reason." + reason
	return RunCount{Reason: reason, Count: n, DE: s.catalog.T("de", id, nil), EN: s.catalog.T("en", id, nil)}
}

// runReport adds to run what became of its events and their mail, counted
// now.
func (s *Service) runReport(ctx context.Context, ws *model.Workspace, run *model.ScheduleRun) (*RunReport, error) {
	out, err := s.store.ScheduleRunOutcome(ctx, ws.ID, run.ID)
	if err != nil {
		return nil, fmt.Errorf("count the run's mail: %w", err)
	}
	return s.runReportOf(run, out, s.now()), nil
}

// runReportOf is run's report from out, counted at at; out is not changed
// (it may be a kept count, see keptCounts).
func (s *Service) runReportOf(run *model.ScheduleRun, out *store.RunOutcome, at time.Time) *RunReport {
	r := &RunReport{ScheduleRun: run, ExcludedBy: []RunCount{}, Mail: RunMail{At: at, SuppressedBy: []RunCount{}}}
	for _, reason := range slices.Sorted(maps.Keys(out.Excluded)) {
		if reason != excludedByError { // among the run's errors
			r.ExcludedBy = append(r.ExcludedBy, s.runCount(reason, out.Excluded[reason]))
		}
	}
	m := &r.Mail
	suppressed := map[string]int{}
	for _, c := range out.Messages {
		switch c.Status {
		case model.MsgSent:
			m.Sent += c.Count
		case model.MsgSuppressed:
			m.Suppressed += c.Count
			suppressed[c.Reason] += c.Count
		case model.MsgAwaitingConfirmation:
			m.AwaitingConfirmation += c.Count
		case model.MsgDeclined, model.MsgExpired:
			m.Declined += c.Count
		case model.MsgFailed:
			m.Failed += c.Count
		default: // queued, approved, sending, retrying
			m.Queued += c.Count
		}
	}
	for _, reason := range slices.Sorted(maps.Keys(suppressed)) {
		m.SuppressedBy = append(m.SuppressedBy, s.runCount(reason, suppressed[reason]))
	}
	m.Done = m.Queued == 0 && (run.Status == model.RunFinished || run.Status == model.RunFailed)
	return r
}

// ScheduleRunReport returns one run of a schedule with what became of its
// records and their mail so far (a large run's mail as counted at most a
// few seconds ago, see keptCounts; Mail.At says when).
func (s *Service) ScheduleRunReport(ctx context.Context, ws *model.Workspace, key, id string) (*RunReport, error) {
	run, err := s.ScheduleRunGet(ctx, ws, key, id)
	if err != nil {
		return nil, err
	}
	out, at, err := s.counts.runOutcome(ctx, s, ws.ID, run)
	if err != nil {
		return nil, fmt.Errorf("count the run's mail: %w", err)
	}
	rep := s.runReportOf(run, out, at)
	if rep.Report, err = s.reportMessage(ctx, ws, run); err != nil {
		return nil, err
	}
	return rep, nil
}

// reportIfDone sends an ended run's report once its mail is done, or
// reportWait after it ended, and records the report's message on the run.
// It reports whether the report went out.
func (s *Service) reportIfDone(ctx context.Context, ws *model.Workspace, sc *model.Schedule, run *model.ScheduleRun) (bool, error) {
	if sc.ReportTo == "" || run.ReportMessage != "" || run.FinishedAt == nil {
		return false, nil
	}
	rep, err := s.runReport(ctx, ws, run)
	if err != nil {
		return false, err
	}
	if !rep.Mail.Done && s.now().Sub(*run.FinishedAt) < reportWait {
		return false, nil
	}
	id, err := s.sendReport(ctx, ws, sc, rep)
	if err != nil {
		return false, err
	}
	run.ReportMessage, run.Owner = id, "" // the run ended: no lease to hold
	return true, s.store.ScheduleRunUpdate(ctx, ws.ID, run)
}

// reportRun sends the report of a stored run if it is due (see
// reportIfDone); done is true when nothing is left to do for it (sent
// now or before, or the schedule or run is gone).
func (s *Service) reportRun(ctx context.Context, wsID int64, key, runID string) (done bool, err error) {
	ws, err := s.store.WorkspaceGetByID(ctx, wsID)
	if err != nil {
		return false, err
	}
	sc, err := s.store.ScheduleGet(ctx, ws.ID, key)
	if errors.Is(err, store.ErrNotFound) {
		return true, nil
	} else if err != nil {
		return false, err
	}
	run, err := s.store.ScheduleRunGet(ctx, ws.ID, runID)
	if errors.Is(err, store.ErrNotFound) {
		return true, nil
	} else if err != nil {
		return false, err
	}
	if run.ReportMessage != "" || sc.ReportTo == "" {
		return true, nil
	}
	return s.reportIfDone(ctx, ws, sc, run)
}

// sendDueReports sends the reports of ended runs whose mail is done (or
// that waited reportWait), in all workspaces; the periodic due check calls
// it, so reports are sent after a restart too.
func (s *Service) sendDueReports(ctx context.Context) error {
	runs, err := s.store.ScheduleRunsAwaitingReport(ctx, s.now().Add(-reportGiveUp), 100)
	if err != nil {
		return fmt.Errorf("find runs awaiting their report: %w", err)
	}
	for _, c := range runs {
		if _, err := s.reportRun(ctx, c.WorkspaceID, c.Schedule, c.ID); err != nil {
			s.logger.WarnContext(ctx, "schedule report failed", "schedule", c.Schedule, "run", c.ID, "error", err)
		}
	}
	return nil
}

// sendReport sends the run's report to the schedule's report recipient on
// its report channels (e-mail, the contact's feed or both) through the
// ordinary pipeline; the run records the first of its messages.
func (s *Service) sendReport(ctx context.Context, ws *model.Workspace, sc *model.Schedule, rep *RunReport) (string, error) {
	tmpl := sc.ReportTemplate
	if tmpl == "" {
		tmpl = ReportTemplateKey
		if err := s.ensureReportTemplate(ctx, s.store, ws); err != nil {
			return "", err
		}
	}
	run := rep.ScheduleRun
	label := func(id string) map[string]any {
		return map[string]any{"de": s.catalog.T("de", id, nil), "en": s.catalog.T("en", id, nil)}
	}
	counts := func(cs []RunCount) []any {
		out := make([]any, len(cs))
		for i, c := range cs {
			out[i] = map[string]any{"reason": c.Reason, "count": c.Count, "de": c.DE, "en": c.EN}
		}
		return out
	}
	m := rep.Mail
	runData := map[string]any{
		"id": run.ID, "status": run.Status, "status_text": label("web.run." + run.Status),
		"trigger": run.Trigger, "trigger_text": label("web.trigger." + run.Trigger), "failure": run.Failure,
		"started_at": run.StartedAt, "finished_at": run.FinishedAt,
		"scanned": run.Scanned, "matched": run.Matched, "excluded": run.Excluded, "excluded_by": counts(rep.ExcludedBy),
		"emitted": run.Emitted, "skipped": run.Skipped, "errors": run.Errors, "error_samples": stringsAny(run.ErrorSamples),
		"mail": map[string]any{"at": m.At, "sent": m.Sent, "suppressed": m.Suppressed, "suppressed_by": counts(m.SuppressedBy),
			"awaiting_confirmation": m.AwaitingConfirmation, "declined": m.Declined, "failed": m.Failed,
			"queued": m.Queued, "done": m.Done},
	}
	res, err := s.SendManual(ctx, ws, &ManualInput{
		Template: tmpl, Recipients: []model.Recipient{sc.ReportTo}, Channels: sc.ReportChannels,
		Event: EventInput{Type: "schedule.report", Project: sc.Project, IdempotencyKey: reportPrefix + run.ID,
			Source: model.SourceSchedule,
			Data: map[string]any{"schedule": sc.Key, "schedule_name": sc.Name, "run": runData,
				"link": s.RunLink(sc.Key, run.ID)}},
	})
	if err != nil {
		return "", err
	}
	if len(res.Messages) == 0 {
		return "", fmt.Errorf("report recipient %s resolved to nobody", sc.ReportTo)
	}
	return res.Messages[0].ID, nil
}

func stringsAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// Total counts the run's messages whatever became of them; zero means
// the run sent nothing at all (not even a suppressed message).
func (m RunMail) Total() int {
	return m.Sent + m.Suppressed + m.AwaitingConfirmation + m.Declined + m.Failed + m.Queued
}
