package channel

import (
	"fmt"
	"net/mail"
	"net/textproto"
	"slices"
	"strings"

	"github.com/herold-dev/herold/internal/model"
)

// reservedHeaders are the fields BuildMIME writes itself; an extra header with
// one of these names would duplicate or contradict them (a "Bcc" extra header
// would even leak the blind copies).
var reservedHeaders = []string{
	"Bcc", "Cc", "Content-Transfer-Encoding", "Content-Type", "Date", "From",
	"Message-Id", "Mime-Version", "Reply-To", "Return-Path", "Sender", "Subject", "To",
}

// checked holds what checkEmail parsed out of an Email for the builder.
type checked struct {
	messageID     string       // e.MessageID in ASCII (wireMessageID)
	from, replyTo mail.Address // replyTo.Address is empty without Reply-To
	to, cc        []mail.Address
	extra         []field // sorted by name
}

// field is an extra header field with its canonical name.
type field struct{ name, value string }

// checkEmail validates e and parses its addresses and extra fields. It is
// the only gate to the wire, so every channel refuses the same messages.
func checkEmail(e *Email) (checked, error) {
	var h checked
	if e == nil {
		return h, invalid("no email")
	}
	var err error
	if h.messageID, err = validMessageID(e.MessageID); err != nil {
		return h, err
	}
	if h.from, err = headerAddress("from", e.From); err != nil {
		return h, err
	}
	if hasCRLF(e.Subject) {
		return h, invalid("subject contains a line break")
	}
	if e.Text != "" && e.TextParts != nil || e.HTML != "" && e.HTMLParts != nil {
		return h, invalid("a body given both whole and in parts")
	}
	if e.HTML == "" && e.Text == "" && partsLen(e.HTMLParts) == 0 && partsLen(e.TextParts) == 0 {
		return h, invalid("neither an HTML nor a text body")
	}
	if e.ReplyTo != "" {
		if h.replyTo, err = headerAddress("reply-to", e.ReplyTo); err != nil {
			return h, err
		}
	}
	if h.to, err = addressList("to", e.To); err != nil {
		return h, err
	}
	if h.cc, err = addressList("cc", e.CC); err != nil {
		return h, err
	}
	// BCC is validated like the others but only ever reaches the envelope.
	if _, err := addressList("bcc", e.BCC); err != nil {
		return h, err
	}
	if len(e.To)+len(e.CC)+len(e.BCC) == 0 {
		return h, invalid("no recipients")
	}
	h.extra, err = extraFields(e.Headers)
	return h, err
}

// validMessageID checks id and returns it as it is written (wireMessageID).
func validMessageID(id string) (string, error) {
	if id == "" {
		return "", invalid("no message id")
	}
	if strings.ContainsAny(id, "<>\r\n\t ") {
		return "", invalid("message id %q contains angle brackets, spaces or line breaks", id)
	}
	left, right, ok := strings.Cut(id, "@")
	if !ok || left == "" || right == "" || strings.Contains(right, "@") {
		return "", invalid("message id %q is not of the form left@right", id)
	}
	wire, err := wireMessageID(id)
	if err != nil {
		return "", invalid("%v", err)
	}
	return wire, nil
}

// headerAddress parses a single RFC 5322 address for From or Reply-To.
func headerAddress(field, s string) (mail.Address, error) {
	if s == "" {
		return mail.Address{}, invalid("%s is empty", field)
	}
	a, err := parseAddress(s)
	if err != nil {
		return mail.Address{}, invalid("%s: %v", field, err)
	}
	if a.Address, err = wireAddress(a.Address); err != nil {
		return mail.Address{}, invalid("%s: %v", field, err)
	}
	return a, nil
}

// addressList validates addresses and returns them as header addresses.
func addressList(field string, list []model.Address) ([]mail.Address, error) {
	if len(list) == 0 {
		return nil, nil
	}
	out := make([]mail.Address, 0, len(list))
	for i, a := range list {
		if hasCRLF(a.Name) || hasCRLF(a.Email) {
			return nil, invalid("%s[%d] %q <%q> contains a line break", field, i, a.Name, a.Email)
		}
		p, err := parseAddress(strings.TrimSpace(a.Email))
		if err != nil {
			return nil, invalid("%s[%d]: %v", field, i, err)
		}
		if p.Name != "" {
			return nil, invalid("%s[%d] email %q must be a bare address; put the name in Name", field, i, a.Email)
		}
		wire, err := wireAddress(p.Address)
		if err != nil {
			return nil, invalid("%s[%d]: %v", field, i, err)
		}
		out = append(out, mail.Address{Name: a.Name, Address: wire})
	}
	return out, nil
}

// extraFields validates the extra header fields and returns them with
// canonical names, sorted as go-mail wrote them. Two names that differ only
// in case are refused: one field would silently replace the other.
func extraFields(headers map[string]string) ([]field, error) {
	if len(headers) == 0 {
		return nil, nil
	}
	fields := make([]field, 0, len(headers))
	for name, value := range headers {
		if !validFieldName(name) {
			return nil, invalid("header name %q is not a valid field name", name)
		}
		canonical := textproto.CanonicalMIMEHeaderKey(name)
		if slices.Contains(reservedHeaders, canonical) {
			return nil, invalid("header %q is set by the message builder and cannot be overridden", name)
		}
		if hasCRLF(value) {
			return nil, invalid("header %s contains a line break", canonical)
		}
		fields = append(fields, field{canonical, value})
	}
	slices.SortFunc(fields, func(a, b field) int { return strings.Compare(a.name, b.name) })
	for i := 1; i < len(fields); i++ {
		if fields[i].name == fields[i-1].name {
			return nil, invalid("header %s is given twice", fields[i].name)
		}
	}
	return fields, nil
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

// hasCRLF is model.HasCRLF with two byte searches instead of a set search,
// for the many fields of every message.
func hasCRLF(s string) bool {
	return strings.IndexByte(s, '\r') >= 0 || strings.IndexByte(s, '\n') >= 0
}

func invalid(format string, args ...any) *Error {
	return &Error{
		Permanent: true,
		Err:       fmt.Errorf("%w: %s", ErrInvalidMessage, fmt.Sprintf(format, args...)),
	}
}
