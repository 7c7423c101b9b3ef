package channel

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/herold-dev/herold/internal/model"
)

func testEmail() *Email {
	return &Email{
		MessageID: "0190a1b2-7c3d@mail.example.org",
		From:      "Agentur Nörd <info@agentur-nord.de>",
		ReplyTo:   "Disposition <dispo@agentur-nord.de>",
		To:        []model.Address{{Email: "jana@example.org", Name: "Jana Jürgens"}},
		CC:        []model.Address{{Email: "team@example.org"}},
		BCC:       []model.Address{{Email: "archiv@agentur-nord.de"}},
		Subject:   "Buchung bestätigt: Messe Köln",
		Text:      "Hallo Jana,\nbis Montag – Grüße\n",
		HTML:      "<p>Hallo Jana,</p><p>bis Montag &ndash; Grüße</p>",
		Headers: map[string]string{
			"List-Unsubscribe":      "<https://herold.example.org/u/abc>",
			"list-unsubscribe-post": "List-Unsubscribe=One-Click",
			"Auto-Submitted":        "auto-generated",
		},
		Date: time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC),
	}
}

// part is one decoded body part of a built message.
type part struct {
	contentType string
	body        string
}

// parse reads a built message back with the standard library, independently
// of go-mail, and returns its header and decoded parts.
func parse(t *testing.T, raw []byte) (*mail.Message, []part) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("parse built message: %v\n%s", err, raw)
	}
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("parse content type %q: %v", msg.Header.Get("Content-Type"), err)
	}
	if !strings.HasPrefix(mediaType, "multipart/") {
		return msg, []part{{mediaType + "; " + params["charset"], decodeBody(t, msg.Header.Get("Content-Transfer-Encoding"), msg.Body)}}
	}
	if mediaType != "multipart/alternative" {
		t.Fatalf("content type = %q, want multipart/alternative", mediaType)
	}
	var parts []part
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("read part: %v", err)
		}
		pt, pp, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		parts = append(parts, part{pt + "; " + pp["charset"], decodeBody(t, p.Header.Get("Content-Transfer-Encoding"), p)})
	}
	return msg, parts
}

func decodeBody(t *testing.T, cte string, r io.Reader) string {
	t.Helper()
	if cte != "quoted-printable" {
		t.Fatalf("Content-Transfer-Encoding = %q, want quoted-printable", cte)
	}
	b, err := io.ReadAll(quotedprintable.NewReader(r))
	if err != nil {
		t.Fatalf("decode quoted-printable: %v", err)
	}
	return strings.ReplaceAll(string(b), "\r\n", "\n")
}

func TestBuildMIMEHeaders(t *testing.T) {
	t.Parallel()
	raw, err := BuildMIME(testEmail())
	if err != nil {
		t.Fatalf("BuildMIME: %v", err)
	}
	msg, _ := parse(t, raw)
	dec := new(mime.WordDecoder)
	decoded := func(key string) string {
		s, err := dec.DecodeHeader(msg.Header.Get(key))
		if err != nil {
			t.Fatalf("decode %s: %v", key, err)
		}
		return s
	}
	tests := []struct {
		header string
		want   string
	}{
		{"Message-Id", "<0190a1b2-7c3d@mail.example.org>"},
		{"Date", "Fri, 14 Mar 2025 09:30:00 +0000"},
		{"From", "Agentur Nörd <info@agentur-nord.de>"},
		{"Reply-To", `"Disposition" <dispo@agentur-nord.de>`},
		{"To", "Jana Jürgens <jana@example.org>"},
		{"Cc", "<team@example.org>"},
		{"Bcc", ""},
		{"Subject", "Buchung bestätigt: Messe Köln"},
		{"List-Unsubscribe", "<https://herold.example.org/u/abc>"},
		{"List-Unsubscribe-Post", "List-Unsubscribe=One-Click"},
		{"Auto-Submitted", "auto-generated"},
		{"Mime-Version", "1.0"},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			if got := decoded(tt.header); got != tt.want {
				t.Errorf("%s = %q, want %q", tt.header, got, tt.want)
			}
		})
	}
	if bytes.Contains(bytes.ToLower(raw), []byte("archiv@agentur-nord.de")) {
		t.Errorf("BCC address appears in the message:\n%s", raw)
	}
	if bytes.Contains(raw, []byte("Subject: Buchung bestätigt")) {
		t.Errorf("subject is not RFC 2047 encoded:\n%s", raw)
	}
}

func TestBuildMIMEBodies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		text, html string
		want       []part
	}{
		{
			name: "text and html make multipart/alternative, text first",
			text: "Grüße\nZeile 2 = gleich\n",
			html: "<p>Grüße</p>",
			want: []part{{"text/plain; UTF-8", "Grüße\nZeile 2 = gleich\n"}, {"text/html; UTF-8", "<p>Grüße</p>"}},
		},
		// A single-part body ends with the message's final line break.
		{
			name: "text only",
			text: "nur Text – ä",
			want: []part{{"text/plain; UTF-8", "nur Text – ä\n"}},
		},
		{
			name: "html only",
			html: "<b>nur HTML – ö</b>",
			want: []part{{"text/html; UTF-8", "<b>nur HTML – ö</b>\n"}},
		},
		{
			name: "long line is soft-wrapped and restored",
			text: strings.Repeat("abcdefghij", 120) + "\n",
			want: []part{{"text/plain; UTF-8", strings.Repeat("abcdefghij", 120) + "\n"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := testEmail()
			e.Text, e.HTML = tt.text, tt.html
			raw, err := BuildMIME(e)
			if err != nil {
				t.Fatalf("BuildMIME: %v", err)
			}
			_, parts := parse(t, raw)
			if !slices.Equal(parts, tt.want) {
				t.Errorf("parts = %q, want %q", parts, tt.want)
			}
			if !bytes.HasSuffix(raw, []byte("\r\n")) {
				t.Errorf("message does not end with CRLF: %q", raw[max(0, len(raw)-20):])
			}
			for i, line := range strings.Split(string(raw), "\r\n") {
				if strings.Contains(line, "\n") || len(line) > 998 {
					t.Fatalf("line %d is not a CRLF-terminated line of at most 998 octets: %q", i, line)
				}
			}
		})
	}
}

func TestBuildMIMEDeterministic(t *testing.T) {
	t.Parallel()
	a, err := BuildMIME(testEmail())
	if err != nil {
		t.Fatal(err)
	}
	b, err := BuildMIME(testEmail())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatalf("two builds of the same email differ:\n%s\n---\n%s", a, b)
	}
	other := testEmail()
	other.Text += "x"
	c, err := BuildMIME(other)
	if err != nil {
		t.Fatal(err)
	}
	boundaryOf := func(raw []byte) string {
		msg, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		_, params, _ := mime.ParseMediaType(msg.Header.Get("Content-Type"))
		return params["boundary"]
	}
	if boundaryOf(a) == "" || boundaryOf(a) == boundaryOf(c) {
		t.Errorf("boundary %q should be set and depend on the content (other: %q)", boundaryOf(a), boundaryOf(c))
	}
}

func TestBuildMIMEInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		modify func(e *Email)
	}{
		{"nil-safe: no from", func(e *Email) { e.From = "" }},
		{"CRLF in from", func(e *Email) { e.From = "Evil <a@b.de>\r\nBcc: victim@x.de" }},
		{"LF in from name", func(e *Email) { e.From = "\"Evil\nBcc: v@x.de\" <a@b.de>" }},
		{"CRLF in reply-to", func(e *Email) { e.ReplyTo = "r@b.de\r\nX-Evil: 1" }},
		{"CR in to name", func(e *Email) { e.To[0].Name = "Jana\rBcc: v@x.de" }},
		{"LF in to address", func(e *Email) { e.To[0].Email = "jana@example.org\nBcc: v@x.de" }},
		{"LF in cc name", func(e *Email) { e.CC[0].Name = "Team\n" }},
		{"LF in bcc address", func(e *Email) { e.BCC[0].Email = "a@b.de\n" }},
		{"CRLF in subject", func(e *Email) { e.Subject = "Hallo\r\nBcc: victim@x.de" }},
		{"LF in header value", func(e *Email) { e.Headers["List-Unsubscribe"] = "<https://x.de>\nBcc: v@x.de" }},
		{"LF in header name", func(e *Email) { e.Headers["X-A\nBcc"] = "v@x.de" }},
		{"colon in header name", func(e *Email) { e.Headers["X-A:B"] = "1" }},
		{"reserved header Bcc", func(e *Email) { e.Headers["bcc"] = "v@x.de" }},
		{"reserved header Subject", func(e *Email) { e.Headers["Subject"] = "other" }},
		{"reserved header Content-Type", func(e *Email) { e.Headers["content-type"] = "text/plain" }},
		{"no message id", func(e *Email) { e.MessageID = "" }},
		{"message id with brackets", func(e *Email) { e.MessageID = "<a@b>" }},
		{"message id with CRLF", func(e *Email) { e.MessageID = "a@b\r\nBcc: v@x.de" }},
		{"message id without at", func(e *Email) { e.MessageID = "abc" }},
		{"no body", func(e *Email) { e.Text, e.HTML = "", "" }},
		{"no recipients", func(e *Email) { e.To, e.CC, e.BCC = nil, nil, nil }},
		{"invalid to address", func(e *Email) { e.To[0].Email = "not-an-address" }},
		{"named email field", func(e *Email) { e.To[0].Email = "Jana <jana@example.org>" }},
		// Parts without spaces that no folding can bring below 998 octets.
		{"address of 1,000 octets", func(e *Email) { e.CC[0].Email = strings.Repeat("a", 990) + "@example.org" }},
		{"header value of 1,000 octets", func(e *Email) { e.Headers["X-Ticket"] = strings.Repeat("t", 1000) }},
		{"message id of 1,000 octets", func(e *Email) { e.MessageID = strings.Repeat("m", 990) + "@example.org" }},
		// Domains that are no internationalized domain name (RFC 5891).
		{"invalid IDN in to", func(e *Email) { e.To[0].Email = "jana@ü-.example" }},
		{"invalid IDN in from", func(e *Email) { e.From = "Shop <info@-ü.example>" }},
		{"invalid IDN in bcc", func(e *Email) { e.BCC[0].Email = "a@ü_x.example" }},
		{"message id not ASCII on the left", func(e *Email) { e.MessageID = "ü@example.org" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := testEmail()
			tt.modify(e)
			raw, err := BuildMIME(e)
			if err == nil {
				t.Fatalf("BuildMIME succeeded, want an error; built:\n%s", raw)
			}
			if !IsPermanent(err) {
				t.Errorf("error %v is not permanent", err)
			}
			if !errors.Is(err, ErrInvalidMessage) {
				t.Errorf("error %v does not wrap ErrInvalidMessage", err)
			}
		})
	}
	if _, err := BuildMIME(nil); !IsPermanent(err) {
		t.Errorf("BuildMIME(nil) = %v, want a permanent error", err)
	}
}

func TestEnvelope(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		e         *Email
		wantFrom  string
		wantRcpts []string
	}{
		{
			name:      "to, cc and bcc in order",
			e:         testEmail(),
			wantFrom:  "info@agentur-nord.de",
			wantRcpts: []string{"jana@example.org", "team@example.org", "archiv@agentur-nord.de"},
		},
		{
			name: "duplicates removed case-insensitively, first spelling kept",
			e: &Email{
				From: "a@b.de",
				To:   []model.Address{{Email: "Jana@Example.org"}, {Email: "x@y.de"}},
				CC:   []model.Address{{Email: "jana@example.org"}},
				BCC:  []model.Address{{Email: "X@Y.DE"}, {Email: " z@y.de "}},
			},
			wantFrom:  "a@b.de",
			wantRcpts: []string{"Jana@Example.org", "x@y.de", "z@y.de"},
		},
		{
			name: "internationalized domains as A-labels, local parts as they are",
			e: &Email{
				From: "Bücher <info@bücher.example>",
				To:   []model.Address{{Email: "jana@exämple.org"}},
				BCC:  []model.Address{{Email: "jürgen@bücher.example"}},
			},
			wantFrom:  "info@xn--bcher-kva.example",
			wantRcpts: []string{"jana@xn--exmple-cua.org", "jürgen@xn--bcher-kva.example"},
		},
		{
			name:      "bcc only",
			e:         &Email{From: "Name <a@b.de>", BCC: []model.Address{{Email: "s@y.de", Name: "S"}}},
			wantFrom:  "a@b.de",
			wantRcpts: []string{"s@y.de"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			from, rcpts := Envelope(tt.e)
			if from != tt.wantFrom {
				t.Errorf("from = %q, want %q", from, tt.wantFrom)
			}
			if !slices.Equal(rcpts, tt.wantRcpts) {
				t.Errorf("rcpts = %q, want %q", rcpts, tt.wantRcpts)
			}
		})
	}
}

// TestBuildMIMEInternationalizedDomains: every address of the header and
// the Message-ID have their domains in A-labels, so the header is ASCII
// and a parser reads them back without defects.
func TestBuildMIMEInternationalizedDomains(t *testing.T) {
	t.Parallel()
	e := testEmail()
	e.MessageID = "0190a1b2-7c3d@bücher.example"
	e.From = "Bücher <info@bücher.example>"
	e.ReplyTo = "antwort@bücher.example"
	e.To = []model.Address{{Email: "jana@exämple.org", Name: "Jana"}}
	e.CC = []model.Address{{Email: "team@ÄBC.example"}}
	raw, err := BuildMIME(e)
	if err != nil {
		t.Fatal(err)
	}
	header, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
	if n := nonASCII(string(header)); n > 0 {
		t.Errorf("header has %d bytes that are not ASCII:\n%s", n, header)
	}
	m, _ := parse(t, raw)
	for field, want := range map[string]string{
		"Message-Id": "<0190a1b2-7c3d@xn--bcher-kva.example>",
		"From":       "=?utf-8?q?B=C3=BCcher?= <info@xn--bcher-kva.example>",
		"Reply-To":   "<antwort@xn--bcher-kva.example>",
		"To":         `"Jana" <jana@xn--exmple-cua.org>`,
		"Cc":         "<team@xn--bc-uia.example>",
	} {
		if got := m.Header.Get(field); got != want {
			t.Errorf("%s = %q, want %q", field, got, want)
		}
	}
}

// TestBuildMIMELineLimit holds a header field to SMTP's 998 octets per
// line: a value without spaces is folded onto a line of its own, which may
// be exactly 998 octets long, and one octet more is refused as invalid.
func TestBuildMIMELineLimit(t *testing.T) {
	t.Parallel()
	for _, over := range []int{0, 1} {
		e := testEmail()
		e.Headers["X-Ticket"] = strings.Repeat("t", 997+over)
		raw, err := BuildMIME(e)
		if over == 0 {
			if err != nil {
				t.Fatalf("a line of exactly 998 octets: %v", err)
			}
			if !bytes.Contains(raw, []byte("\r\n "+e.Headers["X-Ticket"]+"\r\n")) {
				t.Fatal("the value is not one continuation line of 998 octets")
			}
			checkWireLines(t, raw)
			continue
		}
		if !errors.Is(err, ErrInvalidMessage) || !strings.Contains(err.Error(), "X-Ticket") || !strings.Contains(err.Error(), "999 octets") {
			t.Fatalf("a line of 999 octets: %v, want an invalid message naming X-Ticket and 999 octets", err)
		}
	}
}
