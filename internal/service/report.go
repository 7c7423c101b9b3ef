package service

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/store"
)

// reportTemplate is the run report the workspace gets on first use, in
// German and English; it is an ordinary template the admin can change.
var reportTemplate = model.Template{
	Key: ReportTemplateKey, Name: "Bericht zum zeitgesteuerten Versand / Schedule run report",
	Locales: map[string]model.TemplateContent{
		"de": {
			Subject: `{{ .data.schedule_name }}: {{ .data.run.emitted }} ausgelöst, {{ .data.run.errors }} Fehler`,
			Text: `Bericht zum zeitgesteuerten Versand "{{ .data.schedule_name }}" ({{ .data.schedule }})

Status:        {{ .data.run.status }}{{ if .data.run.failure }} – {{ .data.run.failure }}{{ end }}
Anlass:        {{ .data.run.trigger }}
Gestartet:     {{ .data.run.started_at | datetime }}
Beendet:       {{ .data.run.finished_at | datetime }}

Geprüft:       {{ .data.run.scanned }}
Zutreffend:    {{ .data.run.matched }}
Ausgelöst:     {{ .data.run.emitted }}
Ausgeschlossen: {{ .data.run.excluded }}
Schon erledigt: {{ .data.run.skipped }}
Fehler:        {{ .data.run.errors }}
{{ range .data.run.error_samples }}  - {{ . }}
{{ end }}
Details: {{ .data.link }}
`,
		},
		"en": {
			Subject: `{{ .data.schedule_name }}: {{ .data.run.emitted }} emitted, {{ .data.run.errors }} errors`,
			Text: `Run report of schedule "{{ .data.schedule_name }}" ({{ .data.schedule }})

Status:    {{ .data.run.status }}{{ if .data.run.failure }} – {{ .data.run.failure }}{{ end }}
Trigger:   {{ .data.run.trigger }}
Started:   {{ .data.run.started_at | datetime }}
Finished:  {{ .data.run.finished_at | datetime }}

Scanned:   {{ .data.run.scanned }}
Matched:   {{ .data.run.matched }}
Emitted:   {{ .data.run.emitted }}
Excluded:  {{ .data.run.excluded }}
Skipped (already done): {{ .data.run.skipped }}
Errors:    {{ .data.run.errors }}
{{ range .data.run.error_samples }}  - {{ . }}
{{ end }}
Details: {{ .data.link }}
`,
		},
	},
}

// ensureReportTemplate creates the workspace's report template unless it
// exists.
func (s *Service) ensureReportTemplate(ctx context.Context, q store.Queries, ws *model.Workspace) error {
	return s.ensureTemplate(ctx, q, ws, &reportTemplate)
}

// ensureTemplate creates one of Herold's own templates in the workspace
// unless it exists (the admin may have changed it).
func (s *Service) ensureTemplate(ctx context.Context, q store.Queries, ws *model.Workspace, tmpl *model.Template) error {
	if _, err := q.TemplateGet(ctx, ws.ID, tmpl.Key); err == nil {
		return nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	t := *tmpl
	t.Locales = map[string]model.TemplateContent{}
	for k, v := range tmpl.Locales {
		t.Locales[k] = v
	}
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

// sendReport mails the run's report to the schedule's report recipient.
func (s *Service) sendReport(ctx context.Context, ws *model.Workspace, sc *model.Schedule, run *model.ScheduleRun) (string, error) {
	tmpl := sc.ReportTemplate
	if tmpl == "" {
		tmpl = ReportTemplateKey
		if err := s.ensureReportTemplate(ctx, s.store, ws); err != nil {
			return "", err
		}
	}
	runData := map[string]any{
		"id": run.ID, "status": run.Status, "trigger": run.Trigger, "failure": run.Failure,
		"started_at": run.StartedAt, "finished_at": run.FinishedAt,
		"scanned": run.Scanned, "matched": run.Matched, "excluded": run.Excluded, "emitted": run.Emitted,
		"skipped": run.Skipped, "errors": run.Errors, "error_samples": stringsAny(run.ErrorSamples),
	}
	res, err := s.SendManual(ctx, ws, &ManualInput{
		Template: tmpl, Recipients: []model.Recipient{sc.ReportTo},
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
