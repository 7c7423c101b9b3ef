package service

import (
	"context"
	"strings"
	"testing"

	"github.com/herold-dev/herold/internal/channel"
)

// BenchmarkComposeBuild composes a newsletter of W2's size (text and HTML
// with the preference footer, both links signed) and builds its MIME
// bytes into a reused buffer, as the SMTP sender does per message.
//
//	go test -run '^$' -bench ComposeBuild -benchmem -count 5 ./internal/service/
func BenchmarkComposeBuild(b *testing.B) {
	s, ws := composeService(b)
	ctx := context.Background()
	m := composeMessage()
	m.Text = strings.Repeat("Die Tage werden länger, und unsere Frühjahrsaktion hat begonnen.\n", 12)
	m.HTML = "<html><body>" + strings.Repeat("<p>Die Tage werden länger, und unsere Frühjahrsaktion hat begonnen.</p>", 16) +
		"</body></html>"
	buf := channel.GetMIMEBuffer()
	defer buf.Release()
	b.ReportAllocs()
	for b.Loop() {
		e, err := s.Compose(ctx, ws, m)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := buf.Build(e); err != nil {
			b.Fatal(err)
		}
	}
}
