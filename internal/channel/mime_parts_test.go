package channel

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
)

// qpCorners are bodies where quoted-printable depends on more than one
// byte: CRLF, lone CR and LF, white space before a line break and at the
// end, '=', non-ASCII bytes, and lines at the soft-break length.
var qpCorners = []string{
	"a\r\nb", "a\r\rb\n\n", "x \r\n y\t\n", "end \t", "=3D\r", "Grüße\r\n\r\n",
	strings.Repeat("x", 74) + "ü" + strings.Repeat("y", 80) + " \r\n",
	strings.Repeat("ab ", 40) + "\r",
}

// TestQPPartsEncodeAsJoined splits each corner body at every pair of
// positions (pieces may be empty): the pieces encode to the bytes of the
// joined body, also where a CRLF or a trailing space is split.
func TestQPPartsEncodeAsJoined(t *testing.T) {
	t.Parallel()
	for _, s := range qpCorners {
		want := appendQP(nil, s)
		for i := 0; i <= len(s); i++ {
			for j := i; j <= len(s); j++ {
				parts := []string{s[:i], s[i:j], s[j:]}
				if got := appendQPParts(nil, parts); !bytes.Equal(got, want) {
					t.Fatalf("%q split %d/%d: %q, want %q", s, i, j, got, want)
				}
			}
		}
	}
}

// TestBuildMIMEWithBodyParts builds the newsletter and corner bodies with
// their bodies cut into random pieces: the bytes (multipart boundary
// included) are those of the whole bodies, alone or together.
func TestBuildMIMEWithBodyParts(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	cut := func(s string) []string {
		parts := []string{}
		for len(s) > 0 {
			n := r.IntN(len(s) + 1)
			parts = append(parts, s[:n])
			s = s[n:]
		}
		return append(parts, "")
	}
	bodies := [][2]string{{newsletterEmail().Text, newsletterEmail().HTML}, {"", "<p>nur HTML</p>"}, {"nur Text", ""}}
	for _, s := range qpCorners {
		bodies = append(bodies, [2]string{s, "<p>" + s + "</p>"})
	}
	for _, body := range bodies {
		whole := newsletterEmail()
		whole.Text, whole.HTML = body[0], body[1]
		want, err := BuildMIME(whole)
		if err != nil {
			t.Fatal(err)
		}
		for range 50 {
			e := newsletterEmail()
			e.Text, e.HTML = "", ""
			if body[0] != "" {
				e.TextParts = cut(body[0])
			}
			if body[1] != "" {
				e.HTMLParts = cut(body[1])
			}
			got, err := BuildMIME(e)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("pieces %q / %q built\n%q\nwant\n%q", e.TextParts, e.HTMLParts, got, want)
			}
			if e.TextBody() != body[0] || e.HTMLBody() != body[1] {
				t.Fatalf("TextBody/HTMLBody do not join the pieces")
			}
		}
	}
}

// TestBodyWholeAndInPartsIsRefused: a body is given one way.
func TestBodyWholeAndInPartsIsRefused(t *testing.T) {
	t.Parallel()
	text, html := newsletterEmail(), newsletterEmail()
	text.TextParts, html.HTMLParts = []string{"x"}, []string{"<p>x</p>"}
	for _, e := range []*Email{text, html} {
		if _, err := BuildMIME(e); err == nil {
			t.Fatal("a body both whole and in parts: built")
		}
	}
	e := newsletterEmail()
	e.Text, e.HTML, e.HTMLParts = "", "", []string{"", ""}
	if _, err := BuildMIME(e); err == nil {
		t.Fatal("only empty pieces: built")
	}
}
