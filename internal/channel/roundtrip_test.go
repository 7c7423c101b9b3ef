package channel

import (
	"bytes"
	"encoding/json"
	"errors"
	"mime"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/herold-dev/herold/internal/model"
)

type roundTripCase struct {
	name                    string
	subject, toName         string
	text, html              string
	wantTextSuffixLineBreak bool
}

// build builds the case's email.
func (tt roundTripCase) build(t *testing.T) []byte {
	t.Helper()
	e := testEmail()
	e.Subject, e.Text, e.HTML = tt.subject, tt.text, tt.html
	e.To[0].Name = tt.toName
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
			if lines(d.text) != wantBody(tt.text, single) || lines(d.html) != wantBody(tt.html, single) {
				t.Errorf("go-message bodies = %q, %q; want %q, %q", d.text, d.html, wantBody(tt.text, single), wantBody(tt.html, single))
			}
			// net/mail and mime, the standard library's reading
			msg, parts := parse(t, raw)
			subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
			if err != nil || subject != tt.subject {
				t.Errorf("net/mail subject = %q (%v), want %q", subject, err, tt.subject)
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
// recipient's name and both bodies.
func TestBuildMIMEPython(t *testing.T) {
	t.Parallel()
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found")
	}
	const script = `
import email, email.policy, json, sys
m = email.message_from_bytes(sys.stdin.buffer.read(), policy=email.policy.default)
body = lambda t: (m.get_body((t,)) or None) and m.get_body((t,)).get_content()
print(json.dumps({"subject": str(m["subject"]), "to": m["to"].addresses[0].display_name,
    "text": body("plain"), "html": body("html"), "defects": [str(d) for d in m.defects]}))
`
	for _, tt := range roundTripCases() {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			raw := tt.build(t)
			cmd := exec.Command(python, "-c", script)
			cmd.Stdin = bytes.NewReader(raw)
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("python3: %v", err)
			}
			var got struct {
				Subject, To string
				Text, HTML  *string
				Defects     []string
			}
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("python3 output %q: %v", out, err)
			}
			single := tt.text == "" || tt.html == ""
			// Python reads a display name as a phrase, whose runs of white
			// space RFC 5322 makes one space.
			if got.Subject != tt.subject || got.To != collapseSpaces(tt.toName) || len(got.Defects) > 0 {
				t.Errorf("python: subject %q, to %q, defects %q; want %q, %q, none", got.Subject, got.To, got.Defects, tt.subject, tt.toName)
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
