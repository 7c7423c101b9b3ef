package render

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
)

// BenchmarkRenderNewsletter renders the W2 newsletter (the bench's
// mailing: a personalised subject and an HTML body of about 800 bytes
// without a text part, so the text is derived; testdata holds it rendered
// for "Person 4711") for one recipient, as the
// planner does for every message of a mailing.
func BenchmarkRenderNewsletter(b *testing.B) {
	raw, err := os.ReadFile(filepath.Join("testdata", "htmltext", "w2-newsletter.html"))
	require.NoError(b, err)
	html := strings.Replace(string(raw), "Person 4711", "{{ .recipient.name }}", 1)
	c := mustCompile(b, model.TemplateContent{Subject: "Hallo {{ .recipient.name }}", HTML: html})
	data := testData(nil)
	opts := Options{Locale: "de", Location: mustLoad(b, "Europe/Berlin"), Now: testNow}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Render(ctx, data, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// jobRequest is the W1 template (bench/setup.go): German with subject,
// HTML and text, and an English variant without a text part.
var jobRequest = map[string]model.TemplateContent{
	"de": {
		Subject: "Neue Jobanfrage #{{ .data.seq }}: {{ .data.job }} am {{ .data.date | date_long }}",
		HTML: `<p>Hallo {{ .recipient.name }},</p>
<p>für <strong>{{ .project.name }}</strong> suchen wir Unterstützung: {{ .data.job }} am {{ .data.date | date_long }}.</p>
<p>Bitte sag uns bis {{ .data.reply_by | date_short }}, ob du dabei bist.</p>
<p>Viele Grüße<br>deine Agentur Nord</p>`,
		Text: `Hallo {{ .recipient.name }},

für {{ .project.name }} suchen wir Unterstützung: {{ .data.job }} am {{ .data.date | date_long }}.
Bitte sag uns bis {{ .data.reply_by | date_short }}, ob du dabei bist.

Viele Grüße
deine Agentur Nord`,
	},
	"en": {
		Subject: "New job request #{{ .data.seq }}: {{ .data.job }} on {{ .data.date | date_long }}",
		HTML:    `<p>Hello {{ .recipient.name }},</p><p>we are looking for support at <strong>{{ .project.name }}</strong>: {{ .data.job }} on {{ .data.date | date_long }}.</p>`,
	},
}

// jobRequestData is the data of one W1 event as the API decodes it.
func jobRequestData() map[string]any {
	data := testData(map[string]any{"seq": json.Number("4711"), "job": "Standbetreuung",
		"date": "2026-04-15", "reply_by": "2026-04-10"})
	data["project"] = map[string]any{"key": "p-1", "name": "Messe Köln"}
	return data
}

// BenchmarkRenderJobRequest renders W1's job request for one recipient in
// each of its locales, as the planner does for every message of an event.
func BenchmarkRenderJobRequest(b *testing.B) {
	for _, locale := range []string{"de", "en"} {
		b.Run(locale, func(b *testing.B) {
			c := mustCompile(b, jobRequest[locale])
			data := jobRequestData()
			opts := Options{Locale: locale, Location: mustLoad(b, "Europe/Berlin"), Now: testNow}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Render(ctx, data, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
