package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/herold-dev/herold/client"
)

// Names of the configuration every event workload uses.
const (
	benchEventType = "job.requested"
	benchProject   = "bench"
	benchFlow      = "bench"
	benchTemplate  = "job-requested"
	// benchSenderDomain is the sender's domain, and so the domain of every
	// Message-ID Herold generates.
	benchSenderDomain = "agentur-nord.example"
	// contactChunk is how many contacts one bulk request carries (Herold
	// takes up to 50,000).
	contactChunk = 10_000
)

// scenario is the configuration an event workload needs: one flow with
// some notifications for benchEventType, each to the same roles.
type scenario struct {
	notifications int
	roles         []string
	contacts      int
}

// prepare configures the workspace through the public API: sender,
// template, flow, project and contacts.
func prepare(ctx context.Context, c *client.Client, sc scenario) error {
	if err := setWorkspace(ctx, c); err != nil {
		return err
	}
	if err := c.Put(ctx, "/v1/templates/"+benchTemplate, benchTemplateBody()); err != nil {
		return fmt.Errorf("put template: %w", err)
	}
	recipients := make([]string, len(sc.roles))
	for i, r := range sc.roles {
		recipients[i] = "role:" + r
	}
	var ns []any
	for i := 1; i <= sc.notifications; i++ {
		ns = append(ns, map[string]any{"key": fmt.Sprintf("n%d", i), "name": fmt.Sprintf("Jobanfrage %d", i),
			"event_type": benchEventType, "template": benchTemplate, "recipients": recipients})
	}
	if err := c.Put(ctx, "/v1/flows/"+benchFlow, map[string]any{"name": "Benchmark", "notifications": ns}); err != nil {
		return fmt.Errorf("put flow: %w", err)
	}
	if err := c.Put(ctx, "/v1/projects/"+benchProject, map[string]any{"name": "Messe Köln 2026", "flow": benchFlow}); err != nil {
		return fmt.Errorf("put project: %w", err)
	}
	return seedContacts(ctx, c, sc.contacts)
}

// setWorkspace sets the workspace's name, locale, zone and sender with
// PATCH /v1/workspace, or PUT on older servers (to compare commits).
func setWorkspace(ctx context.Context, c *client.Client) error {
	body := map[string]any{
		"name": "Agentur Nord (Benchmark)", "default_locale": "de", "timezone": "Europe/Berlin",
		"sender": map[string]any{"from": "Agentur Nord <dispo@" + benchSenderDomain + ">"},
	}
	err := c.Do(ctx, "PATCH", "/v1/workspace", body, nil)
	var apiErr *client.Error
	if errors.As(err, &apiErr) && (apiErr.Status == http.StatusMethodNotAllowed || apiErr.Status == http.StatusNotFound) {
		err = c.Do(ctx, "PUT", "/v1/workspace", body, nil)
	}
	if err != nil {
		return fmt.Errorf("set workspace sender: %w", err)
	}
	return nil
}

// benchTemplateBody is a job request as the demo workspace has it, in
// German with an English variant: subject, HTML and text.
func benchTemplateBody() map[string]any {
	return map[string]any{"name": "Jobanfrage", "locales": map[string]any{
		"de": map[string]any{
			"subject": "Neue Jobanfrage #{{ .data.seq }}: {{ .data.job }} am {{ .data.date | date_long }}",
			"html": `<p>Hallo {{ .recipient.name }},</p>
<p>für <strong>{{ .project.name }}</strong> suchen wir Unterstützung: {{ .data.job }} am {{ .data.date | date_long }}.</p>
<p>Bitte sag uns bis {{ .data.reply_by | date_short }}, ob du dabei bist.</p>
<p>Viele Grüße<br>deine Agentur Nord</p>`,
			"text": `Hallo {{ .recipient.name }},

für {{ .project.name }} suchen wir Unterstützung: {{ .data.job }} am {{ .data.date | date_long }}.
Bitte sag uns bis {{ .data.reply_by | date_short }}, ob du dabei bist.

Viele Grüße
deine Agentur Nord`,
		},
		"en": map[string]any{
			"subject": "New job request #{{ .data.seq }}: {{ .data.job }} on {{ .data.date | date_long }}",
			"html":    `<p>Hello {{ .recipient.name }},</p><p>we are looking for support at <strong>{{ .project.name }}</strong>: {{ .data.job }} on {{ .data.date | date_long }}.</p>`,
		},
	}}
}

// contactID names the i-th benchmark contact (0-based).
func contactID(i int) string { return fmt.Sprintf("c-%07d", i) }

// seedContacts creates n contacts through POST /v1/contacts/bulk.
func seedContacts(ctx context.Context, c *client.Client, n int) error {
	for start := 0; start < n; start += contactChunk {
		end := min(start+contactChunk, n)
		batch := make([]client.Contact, 0, end-start)
		for i := start; i < end; i++ {
			batch = append(batch, client.Contact{
				ID: contactID(i), Email: strings.ReplaceAll(contactID(i), "-", "") + "@example.org",
				Name: fmt.Sprintf("Person %d", i), Locale: "de",
				Attributes: map[string]any{"city": "Köln"},
			})
		}
		var res struct {
			Upserted int   `json:"upserted"`
			Errors   []any `json:"errors"`
		}
		if err := c.Do(ctx, "POST", "/v1/contacts/bulk", map[string]any{"contacts": batch}, &res); err != nil {
			return fmt.Errorf("bulk contacts: %w", err)
		}
		if len(res.Errors) > 0 || res.Upserted != len(batch) {
			return fmt.Errorf("bulk contacts: %d of %d saved, errors: %v", res.Upserted, len(batch), res.Errors)
		}
	}
	return nil
}
