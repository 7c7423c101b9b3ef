package service

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/alloctest"
	"github.com/herold-dev/herold/internal/channel"
	"github.com/herold-dev/herold/internal/clock"
	"github.com/herold-dev/herold/internal/model"
)

// composeService is a service with a fixed unsubscribe key and base URL,
// so that Compose's output can be pinned byte for byte.
func composeService(t testing.TB) (*Service, *model.Workspace) {
	t.Helper()
	s, err := New(Config{Store: openSQLite(t), Clock: clock.NewFake(time.Date(2026, 2, 28, 12, 0, 0, 0, time.UTC)),
		BaseURL: func() string { return "https://herold.example/" }})
	require.NoError(t, err)
	s.unsubKey = []byte("0123456789abcdef0123456789abcdef")
	return s, &model.Workspace{ID: 1, Key: "agentur-nord", Name: "Agentur Nord"}
}

// composeMessage is a newsletter whose HTML has multi-byte characters
// around "</BODY>" and whose text ends in blank lines.
func composeMessage() *model.Message {
	return &model.Message{ID: "0190a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b", MessageID: "m1@herold.example",
		From: "Agentur Nord <news@agentur-nord.example>", Category: "newsletter", Locale: "de-AT",
		To:      model.Address{ContactID: "c-4711", Email: "c4711@example.org", Name: "Jürgen Ä"},
		Subject: "Grüße", HTML: "<html><body><p>Grüße aus Köln – İstanbul ſ</p></BODY>\n</html>",
		Text: "Grüße aus Köln\n\n\r\n", CreatedAt: time.Date(2026, 2, 28, 23, 30, 0, 0, time.UTC)}
}

// TestComposeStaysTheSame pins the e-mail Compose builds for a newsletter
// (List-Id, List-Unsubscribe with its token, the preference footer in
// German before the last </body>) and for transactional mail: messages
// already sent must keep their links, and a faster Compose must not
// change a byte.
func TestComposeStaysTheSame(t *testing.T) {
	t.Parallel()
	s, ws := composeService(t)
	ctx := context.Background()
	pref := "https://herold.example/p/DGFnZW50dXItbm9yZAZjLTQ3MTEKMTc4Nzg3MzQwMA.OvnfPWvzjgbjZT7Zv2RPIg"
	got, err := s.Compose(ctx, ws, composeMessage())
	require.NoError(t, err)
	want := &channel.Email{MessageID: "m1@herold.example", From: "Agentur Nord <news@agentur-nord.example>",
		To: []model.Address{{ContactID: "c-4711", Email: "c4711@example.org", Name: "Jürgen Ä"}}, Subject: "Grüße",
		HTML: "<html><body><p>Grüße aus Köln – İstanbul ſ</p>" +
			`<p style="font-size:small;color:#555"><a href="` + pref + `">Wählen Sie, welche Nachrichten Sie erhalten</a></p>` +
			"</BODY>\n</html>",
		Text: "Grüße aus Köln\n\n-- \nWählen Sie, welche Nachrichten Sie erhalten: " + pref + "\n",
		Headers: map[string]string{"Auto-Submitted": "auto-generated", "List-Id": "<newsletter.agentur-nord.herold.example>",
			"Precedence": "bulk", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
			"List-Unsubscribe": "<https://herold.example/u/DGFnZW50dXItbm9yZAZjLTQ3MTEKbmV3c2xldHRlciQwMTkwYTFiMi03YzNkLTdlNGYtOGE5Yi0wYzFkMmUzZjRhNWI.rN9w0U51O31dyM8535pvQA>"},
		Date: time.Date(2026, 2, 28, 23, 30, 0, 0, time.UTC)}
	// The bodies with their footers come in pieces, which the MIME
	// builder writes as the whole bodies.
	require.Equal(t, want.Text, got.TextBody())
	require.Equal(t, want.HTML, got.HTMLBody())
	wantMIME, err := channel.BuildMIME(want)
	require.NoError(t, err)
	gotMIME, err := channel.BuildMIME(got)
	require.NoError(t, err)
	require.Equal(t, string(wantMIME), string(gotMIME))
	got.Text, got.HTML, got.TextParts, got.HTMLParts = want.Text, want.HTML, nil, nil
	require.Equal(t, want, got)

	tx := composeMessage()
	tx.Category = model.CategoryTransactional
	for range 2 { // the second one after the first was changed
		got, err = s.Compose(ctx, ws, tx)
		require.NoError(t, err)
		require.Equal(t, map[string]string{"Auto-Submitted": "auto-generated"}, got.Headers)
		require.Equal(t, tx.HTML, got.HTML)
		require.Equal(t, tx.Text, got.Text)
		got.Headers["X-Changed"] = "by a caller"
	}
}

// TestComposeBytes pins what composing a newsletter costs: its two signed
// links are built in place, one allocation each, and the bodies are not
// copied to add the footer (they go to the MIME builder in pieces), so a
// long newsletter costs what a short one does.
func TestComposeBytes(t *testing.T) {
	s, ws := composeService(t)
	ctx := context.Background()
	m := composeMessage()
	got := alloctest.BytesPerRun(t, 200, func() {
		if _, err := s.Compose(ctx, ws, m); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("%v bytes per e-mail", got)
	require.Less(t, got, 1300.0)

	long := composeMessage()
	long.Text = strings.Repeat("Grüße aus Köln\n", 1000)
	long.HTML = "<html><body>" + strings.Repeat("<p>Grüße aus Köln</p>", 1000) + "</body></html>"
	gotLong := alloctest.BytesPerRun(t, 200, func() {
		if _, err := s.Compose(ctx, ws, long); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("%v bytes per e-mail with %d bytes of bodies", gotLong, len(long.Text)+len(long.HTML))
	require.Less(t, gotLong, got+64, "the bodies are not copied")
}
