package channel

import (
	"bytes"
	"mime"
	"strings"
	"testing"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/herold-dev/herold/internal/model"
)

// goMailMIME builds e the way BuildMIME did before it wrote messages itself:
// with go-mail v0.8. Messages sent then are rebuilt by today's BuildMIME for
// the history's .eml download, so for ordinary input the bytes must agree.
func goMailMIME(t testing.TB, e *Email) []byte {
	t.Helper()
	h, err := checkEmail(e)
	if err != nil {
		t.Fatalf("checkEmail: %v", err)
	}
	m := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	m.SetMessageIDWithValue(e.MessageID)
	m.SetDateWithValue(e.Date)
	m.FromMailAddress(&h.from)
	if h.replyTo.Address != "" {
		m.ReplyToMailAddress(&h.replyTo)
	}
	for _, a := range h.to {
		m.AddToMailAddress(&a)
	}
	for _, a := range h.cc {
		m.AddCcMailAddress(&a)
	}
	m.Subject(e.Subject)
	for _, f := range h.extra {
		m.SetGenHeader(gomail.Header(f.name), f.value)
	}
	switch {
	case e.Text != "" && e.HTML != "":
		m.SetBoundary(multipartBoundary(nil, e.MessageID, []string{e.Text}, []string{e.HTML}))
		m.SetBodyString(gomail.TypeTextPlain, e.Text)
		m.AddAlternativeString(gomail.TypeTextHTML, e.HTML)
	case e.Text != "":
		m.SetBodyString(gomail.TypeTextPlain, e.Text)
	default:
		m.SetBodyString(gomail.TypeTextHTML, e.HTML)
	}
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		t.Fatalf("go-mail WriteTo: %v", err)
	}
	if !bytes.HasSuffix(buf.Bytes(), []byte("\r\n")) {
		buf.WriteString("\r\n")
	}
	return buf.Bytes()
}

// nameAsGoMail reports whether appendAddress writes the display name as
// net/mail's Address.String (and so go-mail) did: always, except where
// that output would not read back (see appendAddress).
func nameAsGoMail(name string) bool {
	if !needsWords(name) {
		return !quotedWordTooLong(name)
	}
	// A name of several words longer than an encoded-word is written word
	// by word (appendNameWords); go-mail cut it wherever a word was full.
	if !fitsWord(name, strings.ContainsAny(name, bWordSpecials)) && strings.Contains(name, " ") &&
		!strings.HasPrefix(name, " ") && !strings.HasSuffix(name, " ") && !strings.Contains(name, "  ") {
		return false
	}
	return needsEncoding(name) && !strings.Contains(name, `\`)
}

// goMailAgrees reports whether go-mail's output for e is one BuildMIME
// reproduces, up to where header fields are folded (see sameAsGoMail):
// BuildMIME deviates only where go-mail's output would not give the
// subject, a display name or a body back unchanged, and where go-mail's
// first encoded-word of the subject or an extra field did not fit on the
// field's first line.
func goMailAgrees(e *Email) bool {
	if needsWords(e.Subject) != needsEncoding(e.Subject) || !firstWordFits("Subject", e.Subject) {
		return false
	}
	for name, value := range e.Headers {
		if !firstWordFits(name, value) {
			return false
		}
	}
	for _, list := range [][]model.Address{e.To, e.CC} {
		for _, a := range list {
			if !nameAsGoMail(a.Name) {
				return false
			}
		}
	}
	if a, err := model.ParseAddress(e.From); err == nil && !nameAsGoMail(a.Name) {
		return false
	}
	if a, err := model.ParseAddress(e.ReplyTo); err == nil && !nameAsGoMail(a.Name) {
		return false
	}
	for _, body := range []string{e.Text, e.HTML} {
		if strings.Contains(strings.ReplaceAll(body, "\r\n", ""), "\r") {
			return false // a lone CR: see appendQP
		}
	}
	return true
}

// firstWordFits reports whether go-mail's first encoded-word of a field,
// if any, is one BuildMIME writes too: one that fits on the field's first
// line.
func firstWordFits(name, value string) bool {
	if !needsEncoding(value) {
		return true
	}
	first, _, _ := strings.Cut(mime.QEncoding.Encode("UTF-8", value), " ")
	return len(first) <= firstWordMax(len(name))+len("=?UTF-8?q??=")
}

// sameAsGoMail reports whether BuildMIME's message got is go-mail's want:
// byte for byte when go-mail folded no header field; otherwise with the
// same header once unfolded, since BuildMIME folds only lines longer than
// 78 characters and never before a field's first word, where go-mail
// folded at 76 and also right after the colon.
func sameAsGoMail(got, want []byte) bool {
	gotHeader, gotBody, _ := bytes.Cut(got, []byte("\r\n\r\n"))
	wantHeader, wantBody, _ := bytes.Cut(want, []byte("\r\n\r\n"))
	if bytes.Count(wantHeader, []byte("\r\n ")) == bytes.Count(wantHeader, []byte(";\r\n boundary=")) {
		return bytes.Equal(got, want)
	}
	unfold := func(h []byte) []byte { return bytes.ReplaceAll(h, []byte("\r\n "), []byte(" ")) }
	return bytes.Equal(unfold(gotHeader), unfold(wantHeader)) && bytes.Equal(gotBody, wantBody)
}

func TestBuildMIMEMatchesGoMail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		modify func(e *Email)
	}{
		{"test email", func(*Email) {}},
		{"newsletter", func(e *Email) {
			*e = *newsletterEmail()
			e.Subject = "Jürgen, unsere Frühjahrsangebote" // a longer one is folded differently
		}},
		{"text only", func(e *Email) { e.HTML = "" }},
		{"html only", func(e *Email) { e.Text = "" }},
		{"text without final line break", func(e *Email) { e.HTML, e.Text = "", "ohne Zeilenende" }},
		{"long ascii subject folds at spaces", func(e *Email) { e.Subject = strings.Repeat("Buchung Nummer 4711 ", 8) + "Ende" }},
		{"long word in subject stays whole", func(e *Email) { e.Subject = "Link: https://example.org/" + strings.Repeat("x", 120) }},
		{"empty subject", func(e *Email) { e.Subject = "" }},
		{"subject with a tab-free question mark and underscore", func(e *Email) { e.Subject = "Frage_1? = ja" }},
		{"many recipients fold the To field", func(e *Email) {
			e.To = nil
			for i := range 8 {
				e.To = append(e.To, model.Address{Email: "person" + strings.Repeat("x", i) + "@example.org", Name: "Person Nummer " + strings.Repeat("ü", i) + "x"})
			}
		}},
		{"name with specials is base64", func(e *Email) { e.To[0].Name = "Müller, Jürgen (Vertrieb)" }},
		{"ascii name with quote and backslash", func(e *Email) { e.To[0].Name = `Jana "JJ" J\rgens` }},
		{"quoted local part", func(e *Email) { e.To[0].Email = `"jana jürgens"@example.org` }},
		{"no reply-to and no cc", func(e *Email) { e.ReplyTo, e.CC = "", nil }},
		{"bcc only", func(e *Email) { e.To, e.CC = nil, nil }},
		{"non-ascii extra header is encoded", func(e *Email) { e.Headers["X-Kampagne"] = "Frühjahr" }},
		{"long extra header folds", func(e *Email) {
			e.Headers["List-Unsubscribe"] = "<https://herold.example.org/u/abc>, <mailto:unsubscribe@herold.example.org?subject=abc>"
		}},
		{"extra headers sort among the builder's", func(e *Email) {
			e.Headers = map[string]string{"X-A": "1", "Mime-Extra": "2", "Nachricht": "3", "A": "4", "Sz": "5"}
		}},
		{"date in another zone", func(e *Email) { e.Date = time.Date(2025, 7, 1, 23, 5, 9, 0, time.FixedZone("CEST", 2*3600)) }},
		{"body edge cases", func(e *Email) {
			e.Text = bodyEdgeCases
			e.HTML = "<pre>" + bodyEdgeCases + "</pre>"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := testEmail()
			tt.modify(e)
			if !goMailAgrees(e) {
				t.Fatal("test case is outside what go-mail and BuildMIME agree on")
			}
			got, err := BuildMIME(e)
			if err != nil {
				t.Fatalf("BuildMIME: %v", err)
			}
			if want := goMailMIME(t, e); !sameAsGoMail(got, want) {
				t.Errorf("BuildMIME differs from go-mail:\n%s\n--- go-mail ---\n%s", got, want)
			}
		})
	}
}

// bodyEdgeCases are lines quoted-printable and SMTP treat specially.
var bodyEdgeCases = strings.Join([]string{
	".",
	".starts with a dot",
	"..two dots",
	"From the start of an mbox line",
	"trailing space ",
	"trailing tab\t",
	"  leading spaces and = sign",
	"Umlaute äöü ß – € 😀",
	strings.Repeat("0123456789", 100), // 1,000 characters
	strings.Repeat("ä", 40),
	strings.Repeat("x", 74) + " " + strings.Repeat("y", 10),
	strings.Repeat("x", 75) + "=",
	"",
	"\tindented",
	"CRLF line\r\nand after",
	"end",
}, "\n") + "\n"
