package service

import "github.com/herold-dev/herold/internal/model"

// reportTemplateV1 is the run report workspaces got before reports counted
// the mail (its figures said "ausgelöst" for events, not mails sent, and
// "Status: finished" in German text). ensureReportTemplate replaces a
// workspace's copy that still reads exactly like this; an edited copy is
// the admin's and stays.
var reportTemplateV1 = model.Template{
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
