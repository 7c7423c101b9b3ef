package channel

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/mail"
	"net/textproto"
	"slices"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/herold-dev/herold/internal/model"
)

// reservedHeaders are the fields BuildMIME writes itself; an extra header with
// one of these names would duplicate or contradict them (a "Bcc" extra header
// would even leak the blind copies).
var reservedHeaders = []string{
	"Bcc", "Cc", "Content-Transfer-Encoding", "Content-Type", "Date", "From",
	"Message-Id", "Mime-Version", "Reply-To", "Return-Path", "Sender", "Subject", "To",
}

// BuildMIME returns the RFC 5322 message for e exactly as the SMTP channel
// sends it: UTF-8, quoted-printable, multipart/alternative when both bodies
// are set, RFC 2047 encoded subject and names, Message-ID "<id>", no Bcc
// header. Output is deterministic for an Email with a Date: the multipart
// boundary is derived from the Message-ID and the bodies.
//
// An Email that cannot be built, notably one with CR or LF in any header
// field, yields a permanent *Error wrapping ErrInvalidMessage.
func BuildMIME(e *Email) ([]byte, error) {
	m, err := newMsg(e)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := m.WriteTo(&buf); err != nil {
		return nil, &Error{Permanent: true, Err: fmt.Errorf("write message: %w", err)}
	}
	// go-mail leaves a single-part body without its final line break; SMTP's
	// DATA adds one on the wire, so add it here to stay byte-identical.
	if !bytes.HasSuffix(buf.Bytes(), []byte("\r\n")) {
		buf.WriteString("\r\n")
	}
	return buf.Bytes(), nil
}

// Envelope returns the envelope sender (the address of From) and every
// recipient of e: To, then CC, then BCC, de-duplicated case-insensitively on
// the address, first spelling kept. It does not validate; BuildMIME does.
func Envelope(e *Email) (from string, rcpts []string) {
	if a, err := mail.ParseAddress(e.From); err == nil {
		from = a.Address
	}
	seen := make(map[string]bool)
	for _, list := range [][]model.Address{e.To, e.CC, e.BCC} {
		for _, a := range list {
			addr := strings.TrimSpace(a.Email)
			if p, err := mail.ParseAddress(addr); err == nil {
				addr = p.Address
			}
			key := strings.ToLower(addr)
			if addr == "" || seen[key] {
				continue
			}
			seen[key] = true
			rcpts = append(rcpts, addr)
		}
	}
	return from, rcpts
}

// newMsg validates e and turns it into a go-mail message. It is the only
// place a message is assembled, so every channel writes the same bytes.
func newMsg(e *Email) (*gomail.Msg, error) {
	if e == nil {
		return nil, invalid("no email")
	}
	if err := validMessageID(e.MessageID); err != nil {
		return nil, err
	}
	from, err := parseHeaderAddress("from", e.From)
	if err != nil {
		return nil, err
	}
	if model.HasCRLF(e.Subject) {
		return nil, invalid("subject contains a line break")
	}
	if e.HTML == "" && e.Text == "" {
		return nil, invalid("neither an HTML nor a text body")
	}

	m := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	m.SetMessageIDWithValue(e.MessageID)
	date := e.Date
	if date.IsZero() {
		date = time.Now()
	}
	m.SetDateWithValue(date)
	m.FromMailAddress(from)
	if e.ReplyTo != "" {
		replyTo, err := parseHeaderAddress("reply-to", e.ReplyTo)
		if err != nil {
			return nil, err
		}
		m.ReplyToMailAddress(replyTo)
	}
	to, err := addressList("to", e.To)
	if err != nil {
		return nil, err
	}
	cc, err := addressList("cc", e.CC)
	if err != nil {
		return nil, err
	}
	// BCC is validated like the others but only ever reaches the envelope.
	if _, err := addressList("bcc", e.BCC); err != nil {
		return nil, err
	}
	if len(e.To)+len(e.CC)+len(e.BCC) == 0 {
		return nil, invalid("no recipients")
	}
	if len(to) > 0 {
		m.ToMailAddress(to...)
	}
	if len(cc) > 0 {
		m.CcMailAddress(cc...)
	}
	m.Subject(e.Subject)
	if err := setExtraHeaders(m, e.Headers); err != nil {
		return nil, err
	}

	switch {
	case e.Text != "" && e.HTML != "":
		m.SetBoundary(boundary(e))
		m.SetBodyString(gomail.TypeTextPlain, e.Text)
		m.AddAlternativeString(gomail.TypeTextHTML, e.HTML)
	case e.Text != "":
		m.SetBodyString(gomail.TypeTextPlain, e.Text)
	default:
		m.SetBodyString(gomail.TypeTextHTML, e.HTML)
	}
	return m, nil
}

func validMessageID(id string) error {
	if id == "" {
		return invalid("no message id")
	}
	if strings.ContainsAny(id, "<>\r\n\t ") {
		return invalid("message id %q contains angle brackets, spaces or line breaks", id)
	}
	left, right, ok := strings.Cut(id, "@")
	if !ok || left == "" || right == "" || strings.Contains(right, "@") {
		return invalid("message id %q is not of the form left@right", id)
	}
	return nil
}

// parseHeaderAddress parses a single RFC 5322 address for From or Reply-To.
func parseHeaderAddress(field, s string) (*mail.Address, error) {
	if s == "" {
		return nil, invalid("%s is empty", field)
	}
	a, err := model.ParseAddress(s)
	if err != nil {
		return nil, invalid("%s: %v", field, err)
	}
	return a, nil
}

// addressList validates addresses and returns them as header addresses.
func addressList(field string, list []model.Address) ([]*mail.Address, error) {
	out := make([]*mail.Address, 0, len(list))
	for i, a := range list {
		if model.HasCRLF(a.Name) || model.HasCRLF(a.Email) {
			return nil, invalid("%s[%d] %q <%q> contains a line break", field, i, a.Name, a.Email)
		}
		p, err := model.ParseAddress(strings.TrimSpace(a.Email))
		if err != nil {
			return nil, invalid("%s[%d]: %v", field, i, err)
		}
		if p.Name != "" {
			return nil, invalid("%s[%d] email %q must be a bare address; put the name in Name", field, i, a.Email)
		}
		out = append(out, &mail.Address{Name: a.Name, Address: p.Address})
	}
	return out, nil
}

func setExtraHeaders(m *gomail.Msg, headers map[string]string) error {
	for name, value := range headers {
		if !validFieldName(name) {
			return invalid("header name %q is not a valid field name", name)
		}
		canonical := textproto.CanonicalMIMEHeaderKey(name)
		if slices.Contains(reservedHeaders, canonical) {
			return invalid("header %q is set by the message builder and cannot be overridden", name)
		}
		if model.HasCRLF(value) {
			return invalid("header %s contains a line break", canonical)
		}
		m.SetGenHeader(gomail.Header(canonical), value)
	}
	return nil
}

// validFieldName reports whether s is an RFC 5322 field name: printable
// US-ASCII except colon.
func validFieldName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 33 || c > 126 || c == ':' {
			return false
		}
	}
	return true
}

// boundary derives the multipart boundary from the message's identity and
// content, so BuildMIME is reproducible and no body can contain it by chance.
func boundary(e *Email) string {
	h := sha256.New()
	for _, s := range []string{e.MessageID, e.Text, e.HTML} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return "herold-" + hex.EncodeToString(h.Sum(nil)[:16])
}

func invalid(format string, args ...any) *Error {
	return &Error{
		Permanent: true,
		Err:       fmt.Errorf("%w: %s", ErrInvalidMessage, fmt.Sprintf(format, args...)),
	}
}
