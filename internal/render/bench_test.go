package render

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/alloctest"
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
	benchRender(b, c, data, opts)
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
			benchRender(b, c, data, opts)
		})
	}
}

// BenchmarkRenderDates renders a text part of nothing but W1's date
// functions (date_long and date_short of date-only values, in German).
func BenchmarkRenderDates(b *testing.B) {
	c := mustCompile(b, model.TemplateContent{Subject: "s",
		Text: "{{ .data.date | date_long }} {{ .data.reply_by | date_short }}"})
	data := jobRequestData()
	opts := Options{Locale: "de", Location: mustLoad(b, "Europe/Berlin"), Now: testNow}
	benchRender(b, c, data, opts)
}

// benchRender renders c for data with opts in a benchmark loop.
func benchRender(b *testing.B, c *Compiled, data map[string]any, opts Options) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Render(ctx, data, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// TestRenderBenchTemplatesGolden pins, byte for byte, what the benchmark
// templates render: W1's job request in both locales and W2's newsletter.
// The optimisations of the render path must not change a byte of it.
func TestRenderBenchTemplatesGolden(t *testing.T) {
	berlin := mustLoad(t, "Europe/Berlin")
	ctx := context.Background()

	de, err := mustCompile(t, jobRequest["de"]).Render(ctx, jobRequestData(), Options{Locale: "de", Location: berlin, Now: testNow})
	require.NoError(t, err)
	require.Equal(t, Output{
		Subject: "Neue Jobanfrage #4711: Standbetreuung am 15. April 2026",
		HTML: `<p>Hallo Ann,</p>
<p>für <strong>Messe Köln</strong> suchen wir Unterstützung: Standbetreuung am 15. April 2026.</p>
<p>Bitte sag uns bis 10.04.2026, ob du dabei bist.</p>
<p>Viele Grüße<br>deine Agentur Nord</p>`,
		Text: `Hallo Ann,

für Messe Köln suchen wir Unterstützung: Standbetreuung am 15. April 2026.
Bitte sag uns bis 10.04.2026, ob du dabei bist.

Viele Grüße
deine Agentur Nord`,
	}, de)

	en, err := mustCompile(t, jobRequest["en"]).Render(ctx, jobRequestData(), Options{Locale: "en", Location: berlin, Now: testNow})
	require.NoError(t, err)
	require.Equal(t, Output{
		Subject: "New job request #4711: Standbetreuung on April 15, 2026",
		HTML:    `<p>Hello Ann,</p><p>we are looking for support at <strong>Messe Köln</strong>: Standbetreuung on April 15, 2026.</p>`,
		Text:    "Hello Ann,\n\nwe are looking for support at Messe Köln: Standbetreuung on April 15, 2026.",
	}, en)

	raw, err := os.ReadFile(filepath.Join("testdata", "htmltext", "w2-newsletter.html"))
	require.NoError(t, err)
	html := strings.Replace(string(raw), "Person 4711", "{{ .recipient.name }}", 1)
	nl, err := mustCompile(t, model.TemplateContent{Subject: "Hallo {{ .recipient.name }}", HTML: html}).
		Render(ctx, jobRequestData(), Options{Locale: "de", Location: berlin, Now: testNow})
	require.NoError(t, err)
	require.Equal(t, "Hallo Ann", nl.Subject)
	require.Equal(t, strings.Replace(string(raw), "Person 4711", "Ann", 1), nl.HTML)
	require.Equal(t, "Hallo Ann,\n\ndie Saison beginnt: Für die Messe Köln im April suchen wir wieder Promoterinnen und Promoter für Standbetreuung, Einlass und Hostessen-Service. Die Einsätze dauern zwei bis fünf Tage, die Vergütung richtet sich nach unserer aktuellen Honorarliste.\n\n"+
		"Wenn du dabei sein möchtest, trag dich bitte bis Ende März im Portal ein. Wir melden uns dann mit den Details zu Schichten, Kleidung und Anreise.\n\n"+
		"- Standbetreuung: 12.–16. April\n- Einlass: 13.–15. April\n- Catering: 14. April\n\nViele Grüße\ndeine Agentur Nord\n\n"+
		"Du bekommst diese Nachricht, weil du unseren Newsletter bestellt hast.", nl.Text)
}

// TestRenderJobRequestAllocations pins what rendering W1's German job
// request allocates with a warm instance: 137 allocations and 3,168 bytes
// before the styled dates, the lean text trees and the date memo, 106 and
// 2,720 after.
func TestRenderJobRequestAllocations(t *testing.T) {
	c := mustCompile(t, jobRequest["de"])
	data := jobRequestData()
	opts := Options{Locale: "de", Location: mustLoad(t, "Europe/Berlin"), Now: testNow}
	render := func() {
		if _, err := c.Render(context.Background(), data, opts); err != nil {
			t.Fatal(err)
		}
	}
	if got := alloctest.BytesPerRun(t, 200, render); got > 2760 {
		t.Errorf("got %.0f bytes per render, want at most 2760", got)
	}
	if got := testing.AllocsPerRun(200, render); got > 106 {
		t.Errorf("got %.0f allocations per render, want at most 106", got)
	}
}
