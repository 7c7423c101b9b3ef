// Package demo creates the demo workspace of `herold serve --demo`: a
// promotion agency ("Agentur Nord") with its standard flow, German templates
// with English variants, promoters and two projects, one without a flow;
// and a staff pool with birthdays and expiring qualifications that two
// schedules (schedules.go) remind of.
package demo

import (
	"context"
	"errors"
	"fmt"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/service"
)

// WorkspaceKey is the key of the demo workspace.
const WorkspaceKey = "demo"

// Loaded reports what Load did.
type Loaded struct {
	Workspace *model.Workspace
	// Secret is the admin key of a newly created demo workspace; empty
	// when it existed already.
	Secret string
}

// vocabulary names the demo's event types, roles and categories, so that
// a newcomer sees words, as an agency's admin would set them up.
var vocabulary = model.Vocabulary{
	EventTypes: map[string]model.Label{
		"job.requested":           {DE: "Jobanfrage", EN: "Job request"},
		"booking.confirmed":       {DE: "Buchung bestätigt", EN: "Booking confirmed"},
		"booking.cancelled":       {DE: "Buchung storniert", EN: "Booking cancelled"},
		"project.cancelled":       {DE: "Projekt abgesagt", EN: "Project cancelled"},
		"contact.birthday":        {DE: "Geburtstag", EN: "Birthday"},
		"qualifications.due_soon": {DE: "Qualifikation läuft bald ab", EN: "Qualification expiring soon"},
	},
	Roles: map[string]model.Label{
		"promoter": {DE: "Promoter", EN: "Promoter"},
		"agency":   {DE: "Agentur", EN: "Agency"},
		"contact":  {DE: "die Person selbst", EN: "the person"},
		"holder":   {DE: "Inhaber der Qualifikation", EN: "holder of the qualification"},
	},
	Categories: map[string]model.Label{
		"transactional": {DE: "Vorgangsbezogen", EN: "Transactional"},
		"birthday":      {DE: "Geburtstagsgrüße", EN: "Birthday greetings"},
	},
}

// Load creates the demo workspace unless it exists.
func Load(ctx context.Context, svc *service.Service) (*Loaded, error) {
	if ws, err := svc.WorkspaceGet(ctx, WorkspaceKey); err == nil {
		return &Loaded{Workspace: ws}, nil
	} else if !errors.As(err, new(*service.NotFoundError)) {
		return nil, err
	}
	created, err := svc.WorkspaceCreate(ctx, service.WorkspaceCreateParams{
		Key: WorkspaceKey,
		// The demo agency sends only as itself.
		AllowedSenders: []string{"agentur-nord.example"},
		WorkspaceSettings: service.WorkspaceSettings{
			Name: "Agentur Nord (Demo)", DefaultLocale: "de", Timezone: "Europe/Berlin",
			Sender:     model.Sender{From: "Agentur Nord <dispo@agentur-nord.example>"},
			Vocabulary: vocabulary,
		},
	})
	if err != nil {
		return nil, fmt.Errorf("create demo workspace: %w", err)
	}
	ws := created.Workspace
	steps := []func(context.Context, *service.Service, *model.Workspace) error{contacts, templates, flow, projects, schedules}
	for _, step := range steps {
		if err := step(ctx, svc, ws); err != nil {
			return nil, fmt.Errorf("load demo: %w", err)
		}
	}
	return &Loaded{Workspace: ws, Secret: created.Secret}, nil
}

func contacts(ctx context.Context, svc *service.Service, ws *model.Workspace) error {
	list := []*model.Contact{
		{ID: "p-anna", Name: "Anna Berger", Email: "anna.berger@example.com", Locale: "de",
			Attributes: map[string]any{"city": "Köln"}},
		{ID: "p-ben", Name: "Ben Okafor", Email: "ben.okafor@example.com", Locale: "en",
			Attributes: map[string]any{"city": "Düsseldorf"}},
		{ID: "p-clara", Name: "Clara Wendt", Locale: "de",
			Attributes: map[string]any{"city": "Bonn", "note": "no e-mail address on file"}},
		{ID: "a-dispo", Name: "Disposition Agentur Nord", Email: "dispo@agentur-nord.example", Locale: "de"},
	}
	for _, c := range list {
		if _, err := svc.ContactPut(ctx, ws, c); err != nil {
			return err
		}
	}
	return nil
}

func content(subject, html, text string) model.TemplateContent {
	return model.TemplateContent{Subject: subject, HTML: html, Text: text}
}

func templates(ctx context.Context, svc *service.Service, ws *model.Workspace) error {
	list := []*model.Template{
		{Key: "job-requested", Name: "Jobanfrage", Locales: map[string]model.TemplateContent{
			"de": content("Neue Jobanfrage: {{ .data.job }} am {{ .data.date | date_long }}",
				`<p>Hallo {{ .recipient.name }},</p>
<p>für <strong>{{ .project.name }}</strong> suchen wir Unterstützung: {{ .data.job }} am {{ .data.date | date_long }}.</p>
<p>Bitte sag uns bis {{ .data.reply_by | date_short }}, ob du dabei bist.</p>
<p>Viele Grüße<br>deine Agentur Nord</p>`, ""),
			"en": content("New job request: {{ .data.job }} on {{ .data.date | date_long }}",
				`<p>Hello {{ .recipient.name }},</p>
<p>we are looking for support at <strong>{{ .project.name }}</strong>: {{ .data.job }} on {{ .data.date | date_long }}.</p>
<p>Please let us know by {{ .data.reply_by | date_short }} whether you can make it.</p>
<p>Best regards,<br>Agentur Nord</p>`, ""),
		}},
		{Key: "booking-confirmed", Name: "Buchungsbestätigung", Locales: map[string]model.TemplateContent{
			"de": content("Buchung bestätigt: {{ .project.name }}",
				`<p>Hallo {{ .recipient.name }},</p>
<p>deine Buchung für {{ .project.name }} ({{ .data.job }}, {{ .data.date | date_long }}) ist bestätigt.</p>
<p>Treffpunkt: {{ get .data "meeting_point" | default "folgt" }}</p>`, ""),
			"en": content("Booking confirmed: {{ .project.name }}",
				`<p>Hello {{ .recipient.name }},</p>
<p>your booking for {{ .project.name }} ({{ .data.job }}, {{ .data.date | date_long }}) is confirmed.</p>
<p>Meeting point: {{ get .data "meeting_point" | default "to follow" }}</p>`, ""),
		}},
		{Key: "booking-cancelled", Name: "Buchung storniert", Locales: map[string]model.TemplateContent{
			"de": content("Buchung storniert: {{ .project.name }}", "<p>Hallo {{ .recipient.name }}, deine Buchung für {{ .project.name }} wurde storniert.</p>", ""),
			"en": content("Booking cancelled: {{ .project.name }}", "<p>Hello {{ .recipient.name }}, your booking for {{ .project.name }} was cancelled.</p>", ""),
		}},
		{Key: "project-cancelled", Name: "Projekt abgesagt", Locales: map[string]model.TemplateContent{
			"de": content("Abgesagt: {{ .project.name }}", `<p>Hallo {{ .recipient.name }},</p>
<p>leider wurde {{ .project.name }} abgesagt. Grund: {{ get .data "reason" | default "nicht angegeben" }}.</p>`, ""),
			"en": content("Cancelled: {{ .project.name }}", `<p>Hello {{ .recipient.name }},</p>
<p>unfortunately {{ .project.name }} was cancelled. Reason: {{ get .data "reason" | default "not given" }}.</p>`, ""),
		}},
	}
	for _, t := range list {
		if _, err := svc.TemplatePut(ctx, ws, t); err != nil {
			return err
		}
	}
	return nil
}

func flow(ctx context.Context, svc *service.Service, ws *model.Workspace) error {
	f := &model.Flow{Key: "standard", Name: "Standard", Description: "Jobanfragen, Buchungen und Absagen einer Promotion-Agentur",
		Notifications: []model.Notification{
			{Key: "job-requested", Name: "Jobanfrage an Promoter (BCC Agentur)", EventType: "job.requested",
				Template: "job-requested", Recipients: []model.Recipient{"role:promoter"}, BCC: []model.Recipient{"role:agency"}},
			{Key: "booking-confirmed", Name: "Buchungsbestätigung (mit Nachfrage)", EventType: "booking.confirmed",
				Template: "booking-confirmed", Recipients: []model.Recipient{"role:promoter"}, Status: model.StatusConfirm},
			{Key: "booking-cancelled", Name: "Stornierung (derzeit aus)", EventType: "booking.cancelled",
				Template: "booking-cancelled", Recipients: []model.Recipient{"role:promoter"}, Status: model.StatusInactive},
			{Key: "project-cancelled", Name: "Projektabsage an alle", EventType: "project.cancelled",
				Template: "project-cancelled", Recipients: []model.Recipient{"role:promoter", "role:agency"}},
		}}
	_, err := svc.FlowPut(ctx, ws, f)
	return err
}

func projects(ctx context.Context, svc *service.Service, ws *model.Workspace) error {
	list := []*model.Project{
		{Key: "messe-koeln", Name: "Messe Köln 2026", Flow: "standard",
			Members:    map[string][]string{"agency": {"a-dispo"}, "promoter": {"p-anna", "p-ben", "p-clara"}},
			Attributes: map[string]any{"city": "Köln"}},
		{Key: "sommerfest", Name: "Sommerfest Stadtwerke",
			Members: map[string][]string{"agency": {"a-dispo"}}},
	}
	for _, p := range list {
		if _, err := svc.ProjectPut(ctx, ws, p); err != nil {
			return err
		}
	}
	return nil
}
