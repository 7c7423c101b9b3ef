package channel

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/herold-dev/herold/internal/model"
)

// BuildMIME returns the RFC 5322 message for e exactly as the SMTP channel
// sends it: UTF-8, quoted-printable, multipart/alternative (text, then
// HTML) when both bodies are set, RFC 2047 encoded subject and names,
// Message-ID "<id>", no Bcc header. Output is deterministic for an Email
// with a Date: header fields come in a fixed order and the multipart
// boundary is derived from the Message-ID and the bodies.
//
// The wire format is the one go-mail wrote before BuildMIME wrote messages
// itself (generic fields sorted by name, then From, To, Cc and Reply-To;
// the same encodings), so most messages sent earlier rebuild to the bytes
// that went out. It differs where go-mail's output did not read back as
// written: a field is folded only where a line would exceed 78 characters
// and never right after its name (Python's email package then reads a
// leading space, e.g. in the subject or List-Unsubscribe), and a subject or
// display name whose white space or "=?" a parser would not give back is
// encoded. The message is written straight into one buffer, because a mass
// mailing builds every message it sends.
//
// An Email that cannot be built, notably one with CR or LF in any header
// field, yields a permanent *Error wrapping ErrInvalidMessage.
func BuildMIME(e *Email) ([]byte, error) {
	return BuildMIMEInto(nil, e)
}

// BuildMIMEInto is BuildMIME writing into buf's storage, which it
// overwrites from the start, and growing it only where the message needs
// more: a sender that builds one message after the other reuses one
// buffer instead of allocating one per message. The result aliases buf
// when it fits.
func BuildMIMEInto(buf []byte, e *Email) ([]byte, error) {
	h, err := checkEmail(e)
	if err != nil {
		return nil, err
	}
	var textOne, htmlOne [1]string
	text := bodyParts(e.Text, e.TextParts, &textOne)
	html := bodyParts(e.HTML, e.HTMLParts, &htmlOne)
	hasText, hasHTML := partsLen(text) > 0, partsLen(html) > 0
	b := buf[:0]
	if need := sizeHint(e, &h, text, html); cap(b) < need {
		b = make([]byte, 0, need)
	}
	var boundary string
	if hasText && hasHTML {
		boundary = multipartBoundary(b, e.MessageID, text, html)
	}
	b = appendHeader(b, e, &h)
	if name, n := overlongLine(b); n > 0 {
		return nil, invalid("header field %s would need a line of %d octets, more than the 998 SMTP allows; "+
			"an address, the message id or a header value has a part without spaces that long", name, n)
	}
	switch {
	case boundary != "":
		b = appendAlternative(b, boundary, text, html)
	case hasText:
		b = appendSinglePart(b, "text/plain", text)
	default:
		b = appendSinglePart(b, "text/html", html)
	}
	return b, nil
}

// maxLine is RFC 5322's limit for a line, CRLF not counted.
const maxLine = 998

// overlongLine returns the name and length of the first header field with
// a line longer than maxLine, or 0. The builder folds at spaces, so only a
// part without spaces that long (a long address, message id or extra
// header value) gets there; subjects and display names become
// encoded-words before.
func overlongLine(header []byte) (string, int) {
	fieldStart := 0
	for start := 0; start < len(header); {
		end := bytes.Index(header[start:], []byte("\r\n"))
		if end < 0 {
			end = len(header) - start
		}
		if c := header[start]; c != ' ' && c != '\t' {
			fieldStart = start
		}
		if end > maxLine {
			name, _, _ := bytes.Cut(header[fieldStart:], []byte(":"))
			return string(name), end
		}
		start += end + 2
	}
	return "", 0
}

// appendHeader appends the header fields in go-mail's order: the generic
// fields sorted by name (Date, MIME-Version, Message-ID, Subject and the
// extra fields), then From, To, Cc and Reply-To.
func appendHeader(b []byte, e *Email, h *checked) []byte {
	extra := h.extra
	for _, name := range [...]string{"Date", "MIME-Version", "Message-ID", "Subject"} {
		for ; len(extra) > 0 && extra[0].name < name; extra = extra[1:] {
			b = appendExtraField(b, extra[0])
		}
		b = appendOwnField(b, name, e, h)
	}
	for _, f := range extra {
		b = appendExtraField(b, f)
	}
	b = appendAddressField(b, "From", []mail.Address{h.from})
	b = appendAddressField(b, "To", h.to)
	b = appendAddressField(b, "Cc", h.cc)
	if h.replyTo.Address != "" {
		b = appendAddressField(b, "Reply-To", []mail.Address{h.replyTo})
	}
	return b
}

// appendOwnField appends one of the generic fields BuildMIME sets itself.
func appendOwnField(b []byte, name string, e *Email, h *checked) []byte {
	if name == "Subject" {
		return appendSubject(b, e.Subject)
	}
	start := len(b)
	b = append(b, name...)
	b = append(b, ": "...)
	switch name {
	case "Date":
		date := e.Date
		if date.IsZero() {
			date = time.Now()
		}
		b = date.AppendFormat(b, time.RFC1123Z)
	case "MIME-Version":
		b = append(b, "1.0"...)
	case "Message-ID":
		b = append(append(append(b, '<'), h.messageID...), '>')
	}
	return endField(b, start, len(name))
}

func appendExtraField(b []byte, f field) []byte {
	start := len(b)
	b = append(b, f.name...)
	b = append(b, ": "...)
	b = appendExtra(b, len(f.name), f.value)
	return endField(b, start, len(f.name))
}

// appendAddressField appends an address field, or nothing for no address.
func appendAddressField(b []byte, name string, list []mail.Address) []byte {
	if len(list) == 0 {
		return b
	}
	start := len(b)
	b = append(b, name...)
	b = append(b, ": "...)
	b = appendAddressList(b, list)
	return endField(b, start, len(name))
}

// appendSinglePart appends the content fields and the body of a message
// with one body. go-mail left the body without a final line break, which
// SMTP's DATA adds on the wire, so it is added here to stay byte-identical.
func appendSinglePart(b []byte, mediaType string, body []string) []byte {
	b = appendPartHeader(b, mediaType)
	b = appendQPParts(b, body)
	if !bytes.HasSuffix(b, []byte("\r\n")) {
		b = append(b, "\r\n"...)
	}
	return b
}

// appendAlternative appends a multipart/alternative body: the text part,
// then the HTML part, the one receivers show when they can.
func appendAlternative(b []byte, boundary string, text, html []string) []byte {
	b = append(b, "Content-Type: multipart/alternative;\r\n boundary="...)
	b = append(b, boundary...)
	b = append(b, "\r\n\r\n--"...)
	b = append(b, boundary...)
	b = append(b, "\r\n"...)
	b = appendPartHeader(b, "text/plain")
	b = appendQPParts(b, text)
	b = append(b, "\r\n--"...)
	b = append(b, boundary...)
	b = append(b, "\r\n"...)
	b = appendPartHeader(b, "text/html")
	b = appendQPParts(b, html)
	b = append(b, "\r\n--"...)
	b = append(b, boundary...)
	return append(b, "--\r\n"...)
}

func appendPartHeader(b []byte, mediaType string) []byte {
	b = append(b, "Content-Transfer-Encoding: quoted-printable\r\nContent-Type: "...)
	b = append(b, mediaType...)
	return append(b, "; charset=UTF-8\r\n\r\n"...)
}

// sizeHint estimates the built message's size from above, so BuildMIME
// allocates its buffer once.
func sizeHint(e *Email, h *checked, text, html []string) int {
	n := 512 + len(e.MessageID) + 3*len(e.Subject)
	n += 3*len(h.from.Name) + len(h.from.Address) + 3*len(h.replyTo.Name) + len(h.replyTo.Address)
	for _, list := range [][]mail.Address{h.to, h.cc} {
		for _, a := range list {
			n += 3*len(a.Name) + len(a.Address) + 32
		}
	}
	for _, f := range h.extra {
		n += len(f.name) + 3*len(f.value) + 32
	}
	for _, s := range text {
		n += qpSize(s)
	}
	for _, s := range html {
		n += qpSize(s)
	}
	return n
}

// Envelope returns the envelope sender (ReturnPath, else the address of
// From) and every recipient of e: To, then CC, then BCC, de-duplicated
// case-insensitively on the address, first spelling kept. It does not
// validate; BuildMIME does.
func Envelope(e *Email) (from string, rcpts []string) {
	if a, ok := envelopeAddress(e.From); ok {
		from = a
	}
	if e.ReturnPath != "" {
		from = e.ReturnPath
	}
	from = wireOrAsIs(from)
	n := len(e.To) + len(e.CC) + len(e.BCC)
	if n > 0 {
		rcpts = make([]string, 0, n)
	}
	var seen map[string]bool // for long lists; short ones are searched
	if n > 8 {
		seen = make(map[string]bool, n)
	}
	for _, list := range [][]model.Address{e.To, e.CC, e.BCC} {
		for _, a := range list {
			addr := strings.TrimSpace(a.Email)
			if p, ok := envelopeAddress(addr); ok {
				addr = wireOrAsIs(p)
			}
			if addr == "" || dupRecipient(rcpts, seen, addr) {
				continue
			}
			rcpts = append(rcpts, addr)
		}
	}
	return from, rcpts
}

// wireOrAsIs is wireAddress(addr), or addr when it has no wire form
// (BuildMIME refuses such a message before it is sent).
func wireOrAsIs(addr string) string {
	if wire, err := wireAddress(addr); err == nil {
		return wire
	}
	return addr
}

// envelopeAddress returns the address of s as net/mail parses it.
func envelopeAddress(s string) (string, bool) {
	if a, ok := parsePlainAddress(s); ok {
		return a.Address, true
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return "", false
	}
	return a.Address, true
}

// dupRecipient reports whether addr is already among rcpts, ignoring case,
// and records it in seen when there is one.
func dupRecipient(rcpts []string, seen map[string]bool, addr string) bool {
	key := strings.ToLower(addr)
	if seen != nil {
		dup := seen[key]
		seen[key] = true
		return dup
	}
	return slices.ContainsFunc(rcpts, func(r string) bool { return strings.ToLower(r) == key })
}

// multipartBoundary derives the multipart boundary from the message's
// identity and content, so BuildMIME is reproducible and no body can
// contain it by chance: "herold-" and 32 hex digits of SHA-256 over the
// Message-ID, the text and the HTML, each followed by a zero byte. The
// hashed bytes are laid out in b's spare capacity, which the message
// overwrites afterwards, instead of in an allocation of their own.
func multipartBoundary(b []byte, messageID string, text, html []string) string {
	scratch := append(b[len(b):], messageID...)
	for _, body := range [...][]string{text, html} {
		scratch = append(scratch, 0)
		for _, s := range body {
			scratch = append(scratch, s...)
		}
	}
	scratch = append(scratch, 0)
	sum := sha256.Sum256(scratch)
	var id [len("herold-") + 32]byte
	copy(id[:], "herold-")
	hex.Encode(id[len("herold-"):], sum[:16])
	return string(id[:])
}
