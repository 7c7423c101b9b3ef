package channel

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"unicode/utf8"

	gmmail "github.com/emersion/go-message/mail"

	"github.com/herold-dev/herold/internal/model"
)

// decoded is a built message read back by go-message, independently of
// the builder.
type decoded struct {
	subject, listUnsubscribe string
	to                       []*gmmail.Address
	text, html               string
}

func decodeMessage(t testing.TB, raw []byte) decoded {
	t.Helper()
	r, err := gmmail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("read message: %v\n%q", err, raw)
	}
	var d decoded
	if d.subject, err = r.Header.Subject(); err != nil {
		t.Fatalf("decode subject: %v", err)
	}
	d.listUnsubscribe = r.Header.Get("List-Unsubscribe")
	if d.to, err = r.Header.AddressList("To"); err != nil {
		t.Fatalf("decode To: %v\n%q", err, raw)
	}
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			return d
		}
		if err != nil {
			t.Fatalf("read part: %v", err)
		}
		body, err := io.ReadAll(p.Body)
		if err != nil {
			t.Fatalf("decode part: %v", err)
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		switch ct {
		case "text/plain":
			d.text = string(body)
		case "text/html":
			d.html = string(body)
		default:
			t.Fatalf("part of type %q", ct)
		}
	}
}

// lines normalises line breaks to LF: a mail body has CRLF line ends, so a
// lone CR or LF in the input comes back as CRLF.
func lines(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// wantBody is what a receiver decodes for body: a single-part body ends
// with the message's final line break.
func wantBody(body string, single bool) string {
	body = lines(body)
	if single && body != "" && !strings.HasSuffix(body, "\n") {
		body += "\n"
	}
	return body
}

// checkWireLines fails unless raw consists of CRLF-terminated lines of at
// most 998 octets (RFC 5322 2.1.1), with no lone CR or LF.
func checkWireLines(t testing.TB, raw []byte) {
	t.Helper()
	if !bytes.HasSuffix(raw, []byte("\r\n")) {
		t.Fatalf("message does not end with CRLF: %q", raw[max(0, len(raw)-20):])
	}
	for i, line := range bytes.Split(raw[:len(raw)-2], []byte("\r\n")) {
		if bytes.ContainsAny(line, "\r\n") || len(line) > 998 {
			t.Fatalf("line %d is not a CRLF-terminated line of at most 998 octets: %q", i, line)
		}
	}
	checkFolding(t, raw)
}

// checkFolding fails unless every header field of raw is folded only where
// the next word would have made a line longer than 78 characters, never
// between the field name and the first word (unless that word would not
// fit into 998 octets), and no line longer than 78 characters holds more
// than one word.
func checkFolding(t testing.TB, raw []byte) {
	t.Helper()
	header, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
	fieldLines := strings.Split(string(header), "\r\n")
	for i, line := range fieldLines {
		value := line[1:] // a continuation line's words follow its space
		if line[0] != ' ' {
			name, rest, ok := strings.Cut(line, ":")
			if !ok {
				t.Fatalf("header line %q is neither a field nor a continuation", line)
			}
			value = strings.TrimPrefix(rest, " ")
			if strings.TrimSpace(value) == "" && i+1 < len(fieldLines) && fieldLines[i+1][0] == ' ' {
				next, _, _ := strings.Cut(fieldLines[i+1][1:], " ")
				if len(name)+2+len(next) <= 998 {
					t.Errorf("field %s folded before its first word:\n%s", name, header)
				}
			}
		}
		if len(line) > lineWidth && strings.Contains(strings.TrimSpace(value), " ") {
			t.Errorf("header line of %d characters could have been folded: %q", len(line), line)
		}
		if i+1 < len(fieldLines) && fieldLines[i+1][0] == ' ' && value != "" {
			next, _, _ := strings.Cut(fieldLines[i+1][1:], " ")
			if len(line)+1+len(next) <= lineWidth {
				t.Errorf("header folded before %q although it fits on the line %q", next, line)
			}
		}
	}
}

// FuzzBuildMIME builds messages with arbitrary subjects, display names,
// bodies and List-Unsubscribe values. Each must be refused as invalid or
// built deterministically into well-formed lines, folded only where needed
// (checkFolding), that a parser decodes back to the input; where go-mail
// wrote the same message without loss, it must equal its bytes (up to
// folding, see sameAsGoMail).
func FuzzBuildMIME(f *testing.F) {
	const lu = "<https://herold.example.org/u/abc>"
	f.Add("Buchung bestätigt: Messe Köln", "Jana Jürgens", "Hallo Jana,\nbis Montag\n", "<p>Hallo</p>", lu)
	f.Add(" leading and trailing ", "  Jana  ", "trailing space \n.dot\nFrom here\n", "", lu)
	f.Add("=?UTF-8?q?not_encoded?=", "=?utf-8?q?x?=", "", "<b>only html</b>", lu)
	f.Add(strings.Repeat("lang ", 40), strings.Repeat("Müller-Lüdenscheidt ", 6), strings.Repeat("x", 1000), strings.Repeat("ä", 500), lu)
	f.Add("tab\there", "Müller, Jürgen (Vertrieb)", "a\r\rb\r\nc\n\rd", "line\r=\nend", lu)
	f.Add("", `Jana "JJ" \J`, "\t\n \n", " ", lu)
	f.Add("with\nbreak", "Jana", "x", "y", lu)
	f.Add(strings.Repeat("x", 1200), strings.Repeat("y", 1000), "", "", lu)
	// Display names that need encoded-words although they are printable
	// ASCII, and hold characters a Q-encoded phrase must not: a word too
	// long to fold (also once quoted), white space a parser would drop, a
	// backslash.
	f.Add("0", strings.Repeat("y", 600)+".."+strings.Repeat("y", 600), "0", "0", lu)
	f.Add("0", ` "`, "0", "0", lu)
	f.Add("0", ` \`, "0", "0", lu)
	f.Add("0", `Jürgen \ Müller`, "0", "0", lu)
	f.Add("0", strings.Repeat(`\`, 600), "0", "0", lu)
	f.Add("0", strings.Repeat(`a"`, 300)+" x", "0", "0", lu)
	// Fields that go-mail folded right after the name, and values whose
	// first word alone is longer than a line.
	f.Add("Einsatz-Bestätigung für Jürgen Weiß", "Jürgen Weiß", "x", "y",
		"<https://herold.example.org/u/"+strings.Repeat("a1B2", 20)+">, <mailto:abmelden@herold.example.org?subject=c3>")
	f.Add("Einsatz-Bestätigung für Jürgen Weiß: Messe Köln, Halle 7, Stand B-12 – Aufbau Montag früh um 6 Uhr", "0", "0", "0",
		"<https://herold.example.org/u/"+strings.Repeat("x", 120)+">")
	f.Add("0", "0", "0", "0", strings.Repeat("t", 988)+" "+strings.Repeat("u", 997))
	f.Add("0", "0", "0", "0", strings.Repeat("t", 997))
	f.Add("0", "0", "0", "0", "Frühjahr "+strings.Repeat("ä", 60)+"  x ")
	f.Fuzz(func(t *testing.T, subject, name, text, html, listUnsubscribe string) {
		e := testEmail()
		e.Subject, e.Text, e.HTML = subject, text, html
		e.Headers["List-Unsubscribe"] = listUnsubscribe
		e.To[0].Name = name
		e.CC[0].Name = name
		raw, err := BuildMIME(e)
		if err != nil {
			if !errors.Is(err, ErrInvalidMessage) || !IsPermanent(err) {
				t.Fatalf("error %v is not a permanent ErrInvalidMessage", err)
			}
			if !hasCRLF(subject) && !hasCRLF(name) && !hasCRLF(listUnsubscribe) && !wordTooLong(listUnsubscribe) && (text != "" || html != "") {
				t.Fatalf("valid message refused: %v", err)
			}
			return
		}
		again, _ := BuildMIME(e)
		if !bytes.Equal(raw, again) {
			t.Fatal("two builds of the same email differ")
		}
		checkWireLines(t, raw)
		if goMailAgrees(e) {
			if want := goMailMIME(t, e); !sameAsGoMail(raw, want) {
				t.Fatalf("BuildMIME differs from go-mail:\n%q\n--- go-mail ---\n%q", raw, want)
			}
		}
		d := decodeMessage(t, raw)
		single := text == "" || html == ""
		if lines(d.text) != wantBody(text, single) {
			t.Errorf("text = %q, want %q", d.text, wantBody(text, single))
		}
		if lines(d.html) != wantBody(html, single) {
			t.Errorf("html = %q, want %q", d.html, wantBody(html, single))
		}
		if !utf8.ValidString(subject) || !utf8.ValidString(name) {
			return // decoders replace invalid UTF-8; nothing to compare
		}
		if !needsWords(listUnsubscribe) && d.listUnsubscribe != listUnsubscribe {
			t.Errorf("List-Unsubscribe = %q, want %q", d.listUnsubscribe, listUnsubscribe)
		}
		if d.subject != subject {
			t.Errorf("subject = %q, want %q", d.subject, subject)
		}
		if len(d.to) != 1 || d.to[0].Name != name || d.to[0].Address != e.To[0].Email {
			t.Errorf("To = %v, want %q <%s>", d.to, name, e.To[0].Email)
		}
	})
}

// wordTooLong reports whether value has a word that no folding brings onto
// a line of at most 998 octets.
func wordTooLong(value string) bool {
	for word := range strings.SplitSeq(value, " ") {
		if len(word) >= maxLine {
			return true
		}
	}
	return false
}

// FuzzEncoders holds each encoder to the standard library function whose
// output it reproduces.
func FuzzEncoders(f *testing.F) {
	for _, s := range []string{"", "a", "Grüße", "x=y?z_w", " trail ", "\t", strings.Repeat("é", 40), "a\rb", "a\r\nb\nc\r"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !strings.Contains(strings.ReplaceAll(s, "\r\n", ""), "\r") {
			var want bytes.Buffer
			w := quotedprintable.NewWriter(&want)
			_, _ = w.Write([]byte(s))
			_ = w.Close()
			if got := appendQP(nil, s); !bytes.Equal(got, want.Bytes()) {
				t.Errorf("appendQP(%q) = %q, want %q", s, got, want.Bytes())
			}
		}
		got, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(appendQP(nil, s))))
		if err != nil || lines(string(got)) != lines(s) {
			t.Errorf("appendQP(%q) decodes to %q, %v", s, got, err)
		}
		if needsEncoding(s) {
			if got, want := string(appendQWords(nil, "UTF-8", s, maxWordContent)), mime.QEncoding.Encode("UTF-8", s); got != want {
				t.Errorf("appendQWords(%q) = %q, want %q", s, got, want)
			}
			if got, want := string(appendBWords(nil, "utf-8", s)), mime.BEncoding.Encode("utf-8", s); got != want {
				t.Errorf("appendBWords(%q) = %q, want %q", s, got, want)
			}
		}
		if nameAsGoMail(s) {
			a := mail.Address{Name: s, Address: "jana@example.org"}
			if got := string(appendAddress(nil, a.Name, a.Address)); got != a.String() {
				t.Errorf("appendAddress(%q) = %q, want %q", s, got, a.String())
			}
		}
	})
}

// FuzzParseAddress holds parseAddress's fast path to model.ParseAddress,
// and Envelope's to net/mail.
func FuzzParseAddress(f *testing.F) {
	for _, s := range []string{
		"jana@example.org", "Jana Jürgens <jana@example.org>", "Dr. J. Müller <j.mueller@mail.example.org>",
		"a@b", ".a@b.de", "a..b@c.de", "a@b.de.", "Name  <a@b.de>", "=?utf-8?q?x?= <a@b.de>", "<a@b.de>",
		`"Quoted" <a@b.de>`, "Name <a@b.de> ", " a@b.de", "a@[1.2.3.4]", "Jürgen@example.org", "N\xffame <a@b.de>",
		// At and beyond RFC 5321's limits: 64 octets before the "@", 254 in all.
		strings.Repeat("l", 64) + "@example.org", strings.Repeat("l", 65) + "@example.org",
		"a@" + strings.Repeat("d", 248) + ".org", "a@" + strings.Repeat("d", 249) + ".org",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fast, ok := parsePlainAddress(s)
		if !ok {
			return
		}
		want, err := model.ParseAddress(s)
		if err != nil {
			t.Fatalf("fast path accepts %q, model.ParseAddress refuses it: %v", s, err)
		}
		if fast != *want {
			t.Fatalf("fast path parses %q as %+v, model.ParseAddress as %+v", s, fast, *want)
		}
		std, err := mail.ParseAddress(s)
		if err != nil || *std != fast {
			t.Fatalf("fast path parses %q as %+v, net/mail as %+v, %v", s, fast, std, err)
		}
	})
}
