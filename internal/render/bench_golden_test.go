package render

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
)

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
