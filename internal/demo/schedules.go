package demo

import (
	"context"
	"time"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/schedule"
	"github.com/herold-dev/herold/internal/service"
)

// The demo's schedules work on members of the agency's staff pool: two
// have their birthday on the day the demo is created and two hold
// qualifications that expire within the next weeks, all relative to the
// service's clock, so the schedule pages show matches, previews and mails
// from the first minute.

// members are the demo contacts the schedules find.
func members(now time.Time) []*model.Contact {
	birthday := func(years int) string { return now.AddDate(-years, 0, 0).Format("2006-01-02") }
	return []*model.Contact{
		{ID: "m-dora", Name: "Dora Kühn", Email: "dora.kuehn@example.com", Locale: "de",
			Attributes: map[string]any{"birthday": birthday(29), "membership_status": "active"},
			Consents:   []string{"birthday"}},
		{ID: "m-emil", Name: "Emil Sørensen", Email: "emil.sorensen@example.com", Locale: "en",
			Attributes: map[string]any{"birthday": birthday(41), "membership_status": "active"},
			Consents:   []string{"birthday"}},
		// Frieda's birthday is in a week: the preview of a later day finds her.
		{ID: "m-frieda", Name: "Frieda Lang", Email: "frieda.lang@example.com", Locale: "de",
			Attributes: map[string]any{"birthday": now.AddDate(-35, 0, 7).Format("2006-01-02"), "membership_status": "active"},
			Consents:   []string{"birthday"}},
	}
}

// qualifications are the demo objects the expiry schedule scans.
func qualifications(now time.Time) []*model.Object {
	in := func(days int) string { return now.AddDate(0, 0, days).Format("2006-01-02") }
	return []*model.Object{
		{Collection: "qualifications", ID: "q-stapler-anna", Contacts: map[string][]string{"holder": {"p-anna"}},
			Attributes: map[string]any{"name": "Staplerschein", "expires_on": in(14)}},
		{Collection: "qualifications", ID: "q-hygiene-ben", Contacts: map[string][]string{"holder": {"p-ben"}},
			Attributes: map[string]any{"name": "Hygieneschulung", "expires_on": in(5)}},
		{Collection: "qualifications", ID: "q-erstehilfe-dora", Contacts: map[string][]string{"holder": {"m-dora"}},
			Attributes: map[string]any{"name": "Erste Hilfe", "expires_on": in(200)}},
	}
}

func scheduleTemplates() []*model.Template {
	return []*model.Template{
		{Key: "birthday", Name: "Geburtstagsgruß", Locales: map[string]model.TemplateContent{
			"de": content("Alles Gute zum Geburtstag, {{ .recipient.name }}!",
				`<p>Hallo {{ .recipient.name }},</p>
<p>das ganze Team der Agentur Nord wünscht dir alles Gute zum Geburtstag!</p>`, ""),
			"en": content("Happy birthday, {{ .recipient.name }}!",
				`<p>Hello {{ .recipient.name }},</p>
<p>everyone at Agentur Nord wishes you a happy birthday!</p>`, ""),
		}},
		{Key: "qualification-expiring", Name: "Qualifikation läuft ab", Locales: map[string]model.TemplateContent{
			"de": content("{{ .object.name }} läuft am {{ .object.expires_on | date_long }} ab",
				`<p>Hallo {{ .recipient.name }},</p>
<p>deine Qualifikation <strong>{{ .object.name }}</strong> läuft am {{ .object.expires_on | date_long }} ab. Bitte denk an die Auffrischung, damit wir dich weiter einsetzen können.</p>`, ""),
			"en": content("{{ .object.name }} expires on {{ .object.expires_on | date_long }}",
				`<p>Hello {{ .recipient.name }},</p>
<p>your qualification <strong>{{ .object.name }}</strong> expires on {{ .object.expires_on | date_long }}. Please renew it so we can keep booking you.</p>`, ""),
		}},
	}
}

// schedules loads the members, their qualifications, the flow and
// project the schedules emit into, and the two schedules.
func schedules(ctx context.Context, svc *service.Service, ws *model.Workspace) error {
	now := svc.Now().In(ws.Location())
	for _, c := range members(now) {
		if _, err := svc.ContactPut(ctx, ws, c); err != nil {
			return err
		}
	}
	for _, o := range qualifications(now) {
		if _, err := svc.ObjectPut(ctx, ws, o); err != nil {
			return err
		}
	}
	for _, t := range scheduleTemplates() {
		if _, err := svc.TemplatePut(ctx, ws, t); err != nil {
			return err
		}
	}
	f := &model.Flow{Key: "mitglieder", Name: "Mitglieder", Description: "Geburtstage und ablaufende Qualifikationen des Personalpools",
		Notifications: []model.Notification{
			{Key: "birthday", Name: "Geburtstagsgruß", EventType: "contact.birthday", Template: "birthday",
				Recipients: []model.Recipient{"role:contact"}, Category: "birthday"},
			{Key: "qualification-expiring", Name: "Qualifikation läuft ab (an Inhaber, BCC Disposition)",
				EventType: "qualifications.due_soon", Template: "qualification-expiring",
				Recipients: []model.Recipient{"role:holder"}, BCC: []model.Recipient{"role:agency"}},
		}}
	if _, err := svc.FlowPut(ctx, ws, f); err != nil {
		return err
	}
	if _, err := svc.ProjectPut(ctx, ws, &model.Project{Key: "personalpool", Name: "Personalpool", Flow: "mitglieder",
		Members: map[string][]string{"agency": {"a-dispo"}}}); err != nil {
		return err
	}
	list := []struct {
		s *model.Schedule
		p schedule.PresetParams
	}{
		{&model.Schedule{Key: "geburtstagsgruesse", Name: "Geburtstagsgrüße", Enabled: true, Project: "personalpool",
			Description: "Jeden Morgen um 6 Uhr: ein Gruß an jedes Mitglied, das heute Geburtstag hat (nur mit Einwilligung, nicht an gekündigte Mitglieder)."},
			schedule.PresetParams{Kind: schedule.PresetBirthday, ConsentCategory: "birthday",
				ExcludeField: "membership_status", ExcludeValues: []string{"cancelled"}}},
		{&model.Schedule{Key: "qualifikationen-ablauf", Name: "Ablaufende Qualifikationen", Enabled: true, Project: "personalpool",
			Description: "Jeden Morgen um 6 Uhr: Erinnerung an Qualifikationen, die in den nächsten 30 Tagen ablaufen."},
			schedule.PresetParams{Kind: schedule.PresetDateWithinLead, Collection: "qualifications", Field: "expires_on", LeadDays: 30}},
	}
	for _, x := range list {
		if _, err := svc.SchedulePut(ctx, ws, x.s, &x.p); err != nil {
			return err
		}
	}
	return nil
}
