package channel

import (
	"bytes"
	"errors"
	"mime"
	"slices"
	"strings"
	"testing"

	"github.com/herold-dev/herold/internal/model"
	"github.com/herold-dev/herold/internal/smtptest"
)

type roundTripCase struct {
	name                    string
	subject, toName         string
	text, html              string
	wantTextSuffixLineBreak bool
	// listUnsubscribe replaces testEmail's List-Unsubscribe when set.
	listUnsubscribe string
}

// wantListUnsubscribe is the List-Unsubscribe value the case's email has.
func (tt roundTripCase) wantListUnsubscribe() string {
	return cmpOr(tt.listUnsubscribe, testEmail().Headers["List-Unsubscribe"])
}

// build builds the case's email.
func (tt roundTripCase) build(t *testing.T) []byte {
	t.Helper()
	e := testEmail()
	e.Subject, e.Text, e.HTML = tt.subject, tt.text, tt.html
	e.To[0].Name = tt.toName
	e.Headers["List-Unsubscribe"] = tt.wantListUnsubscribe()
	raw, err := BuildMIME(e)
	if err != nil {
		t.Fatalf("BuildMIME: %v", err)
	}
	return raw
}

// roundTripCases are emails whose subject, names and bodies must come back
// from a parser exactly as they went in.
func roundTripCases() []roundTripCase {
	return []roundTripCase{
		{name: "newsletter", subject: newsletterEmail().Subject, toName: "Jürgen Müller", text: newsletterEmail().Text, html: newsletterEmail().HTML},
		{name: "body edge cases", subject: "Sonderzeichen", toName: "Jana", text: bodyEdgeCases, html: "<pre>\n" + bodyEdgeCases + "</pre>"},
		{name: "1000-character lines", subject: strings.Repeat("Wort ", 30), toName: strings.Repeat("Name ", 20) + "Ende",
			text: strings.Repeat("a", 1000) + "\n" + strings.Repeat("ü", 1000), html: strings.Repeat("<p>", 400)},
		{name: "whitespace a parser would drop", subject: "  zwei  Leerzeichen\tund Tab ", toName: " Jana  Jürgens ", text: "x", html: "y"},
		{name: "looks encoded", subject: "=?UTF-8?q?kein_Wort?=", toName: "=?utf-8?q?kein_Name?=", text: "x", html: "y"},
		{name: "specials in the name", subject: "Frage? Antwort_1 = ja", toName: `Müller, Jürgen "JJ" (Vertrieb) <extern>`, text: "x", html: "y"},
		{name: "text only without final line break", subject: "s", toName: "", text: "ohne Umbruch", wantTextSuffixLineBreak: true},
		{name: "emoji", subject: "Neu 😀 für Sie", toName: "😀", text: "😀\n", html: "<p>😀</p>"},
		// Fields that go-mail folded right after the name: an encoded
		// subject and a List-Unsubscribe longer than a line.
		{name: "umlauts", subject: "Einsatz-Bestätigung für Jürgen Weiß", toName: "Jürgen Weiß", text: "x", html: "y",
			listUnsubscribe: "<https://herold.example.org/u/" + strings.Repeat("a1B2", 20) + ">, <mailto:abmelden@herold.example.org?subject=" + strings.Repeat("c3", 20) + ">"},
		{name: "long subject with umlauts", subject: "Einsatz-Bestätigung für Jürgen Weiß: Messe Köln, Halle 7, Stand B-12 – Aufbau Montag früh um 6 Uhr, Abbau Freitag ab 18 Uhr",
			toName: "Jürgen Weiß", text: "x", html: "y",
			listUnsubscribe: "<https://herold.example.org/u/" + strings.Repeat("x", 120) + ">"},
		// One encoded-word of 75 characters: "To: " and it make a line of
		// 79, yet splitting it would be worse, since Python's email package
		// reads a space between two encoded-words of a display name.
		{name: "name of one encoded-word", subject: "s", text: "x", html: "y",
			toName: "Jürgen Weiß-Müller Veranstaltungstechnik Nordost"},
		// Longer than an encoded-word: written word by word, the atoms
		// as they are, so that no word is cut where Python would read a
		// space.
		{name: "long name of several words", subject: "s", text: "x", html: "y",
			toName: "Jürgen-Maximilian Weiß-Müller von und zu Überlänge-Schönfeld Veranstaltungstechnik Nordost GmbH"},
		{name: "long name with specials", subject: "s", text: "x", html: "y",
			toName: "Müller, Jürgen (Vertrieb Nord) und Schröder, Änne (Vertrieb Süd) für Veranstaltungen"},
	}
}

func TestBuildMIMERoundTrip(t *testing.T) {
	t.Parallel()
	for _, tt := range roundTripCases() {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			raw := tt.build(t)
			checkWireLines(t, raw)
			single := tt.text == "" || tt.html == ""
			// go-message
			d := decodeMessage(t, raw)
			if d.subject != tt.subject {
				t.Errorf("go-message subject = %q, want %q", d.subject, tt.subject)
			}
			if len(d.to) != 1 || d.to[0].Name != tt.toName {
				t.Errorf("go-message To = %v, want name %q", d.to, tt.toName)
			}
			if d.listUnsubscribe != tt.wantListUnsubscribe() {
				t.Errorf("go-message List-Unsubscribe = %q, want %q", d.listUnsubscribe, tt.wantListUnsubscribe())
			}
			if lines(d.text) != wantBody(tt.text, single) || lines(d.html) != wantBody(tt.html, single) {
				t.Errorf("go-message bodies = %q, %q; want %q, %q", d.text, d.html, wantBody(tt.text, single), wantBody(tt.html, single))
			}
			// net/mail and mime, the standard library's reading
			msg, parts := parse(t, raw)
			subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
			if err != nil || subject != tt.subject {
				t.Errorf("net/mail subject = %q (%v), want %q", subject, err, tt.subject)
			}
			if lu := msg.Header.Get("List-Unsubscribe"); lu != tt.wantListUnsubscribe() {
				t.Errorf("net/mail List-Unsubscribe = %q, want %q", lu, tt.wantListUnsubscribe())
			}
			to, err := msg.Header.AddressList("To")
			if err != nil || len(to) != 1 || to[0].Name != tt.toName {
				t.Errorf("net/mail To = %v (%v), want name %q", to, err, tt.toName)
			}
			if got := parts[0].body; got != wantBody(cmpOr(tt.text, tt.html), single) {
				t.Errorf("net/mail first body = %q, want %q", got, wantBody(cmpOr(tt.text, tt.html), single))
			}
		})
	}
}

func collapseSpaces(s string) string {
	for strings.Contains(s, "  ") {
		s = strings.ReplaceAll(s, "  ", " ")
	}
	return s
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// TestBuildMIMEHeaderLines checks the header's shape: every field folded
// below 78 characters unless a single word is longer, fields in a stable
// order whatever the map order of the extra headers.
func TestBuildMIMEHeaderLines(t *testing.T) {
	t.Parallel()
	e := newsletterEmail()
	e.Subject = strings.Repeat("Frühjahrsangebote für Gartenmöbel und Pflanzen ", 4)
	e.To = append(e.To, model.Address{Email: "zweite.person@example.org", Name: "Zweite Person mit einem recht langen Namen"})
	e.Headers["X-Long"] = strings.Repeat("wort ", 40) + "https://example.org/" + strings.Repeat("x", 100)
	raw, err := BuildMIME(e)
	if err != nil {
		t.Fatalf("BuildMIME: %v", err)
	}
	header, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
	var names []string
	for _, line := range strings.Split(string(header), "\r\n") {
		if len(line) > 78 && strings.Contains(strings.TrimSpace(line), " ") {
			t.Errorf("header line of %d characters could have been folded: %q", len(line), line)
		}
		if name, _, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(line, " ") {
			names = append(names, name)
		}
	}
	want := []string{"Auto-Submitted", "Date", "List-Unsubscribe", "List-Unsubscribe-Post", "MIME-Version",
		"Message-ID", "Subject", "X-Long", "From", "To", "Reply-To", "Content-Type"}
	if !slices.Equal(names, want) {
		t.Errorf("header fields = %q, want %q", names, want)
	}
	for range 20 { // map iteration order varies between runs
		again, _ := BuildMIME(e)
		if !bytes.Equal(raw, again) {
			t.Fatal("header order depends on map iteration")
		}
	}
}

func TestBuildMIMEDuplicateHeaderName(t *testing.T) {
	t.Parallel()
	e := testEmail()
	e.Headers = map[string]string{"X-Kampagne": "a", "x-kampagne": "b"}
	if _, err := BuildMIME(e); !errors.Is(err, ErrInvalidMessage) || !IsPermanent(err) {
		t.Fatalf("BuildMIME = %v, want a permanent ErrInvalidMessage for a field given twice", err)
	}
}

// TestBuildMIMEPython reads built messages with Python's email package, a
// parser written apart from Go's, and compares the decoded subject, the
// recipient's name, List-Unsubscribe and both bodies. Python keeps the
// space that starts a continuation line in a field's value, so a field
// folded right after its name would read back with a leading space.
func TestBuildMIMEPython(t *testing.T) {
	t.Parallel()
	for _, tt := range roundTripCases() {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := smtptest.ReadWithPython(t, tt.build(t))
			single := tt.text == "" || tt.html == ""
			// Python reads a display name as a phrase, whose runs of white
			// space RFC 5322 makes one space.
			if got.Header("Subject") != tt.subject || len(got.To) != 1 || got.To[0] != collapseSpaces(tt.toName) || len(got.Defects) > 0 {
				t.Errorf("python: subject %q, to %q, defects %q; want %q, %q, none", got.Header("Subject"), got.To, got.Defects, tt.subject, tt.toName)
			}
			if lu := got.Header("List-Unsubscribe"); lu != tt.wantListUnsubscribe() {
				t.Errorf("python: List-Unsubscribe %q, want %q", lu, tt.wantListUnsubscribe())
			}
			for _, b := range []struct {
				name      string
				got       *string
				want      string
				wantEmpty bool
			}{{"text", got.Text, tt.text, tt.text == ""}, {"html", got.HTML, tt.html, tt.html == ""}} {
				if b.wantEmpty {
					if b.got != nil {
						t.Errorf("python %s = %q, want none", b.name, *b.got)
					}
					continue
				}
				if b.got == nil || lines(*b.got) != wantBody(b.want, single) {
					t.Errorf("python %s = %v, want %q", b.name, b.got, wantBody(b.want, single))
				}
			}
		})
	}
}
