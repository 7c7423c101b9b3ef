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
