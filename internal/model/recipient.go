package model

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

// Recipient names who receives a notification, in one of four forms:
//
//	role:promoter           every contact in that role (event actors, project
//	                        members, the object's linked contacts)
//	contact:c-17            one contact by id
//	email:Name <a@b.de>     a literal address (the name is optional)
//	watchers                the watchers of the event's object
//	                        ("subscribers" is the older name of the same form)
type Recipient string

// RecipientKind is the form of a Recipient.
type RecipientKind string

// Recipient kinds.
const (
	RecipientRole     RecipientKind = "role"
	RecipientContact  RecipientKind = "contact"
	RecipientEmail    RecipientKind = "email"
	RecipientWatchers RecipientKind = "watchers"
	// RecipientSubscribers is the older name of RecipientWatchers: the
	// form "subscribers" parses as RecipientWatchers.
	RecipientSubscribers = RecipientWatchers
)

// recipientForms lists the forms for error messages.
const recipientForms = "use role:NAME, contact:ID, email:ADDRESS or watchers"

// Parse splits r into its kind and value and validates it.
func (r Recipient) Parse() (RecipientKind, string, error) {
	s := string(r)
	if HasCRLF(s) {
		return "", "", errors.New("must not contain line breaks")
	}
	if s == "watchers" || s == "subscribers" {
		return RecipientWatchers, "", nil
	}
	kind, value, ok := strings.Cut(s, ":")
	value = strings.TrimSpace(value)
	if !ok || value == "" {
		return "", "", fmt.Errorf("%q is not a recipient; %s", s, recipientForms)
	}
	switch RecipientKind(kind) {
	case RecipientRole:
		if !ValidName(value) {
			return "", "", fmt.Errorf("role %q: %s", value, nameRule)
		}
		return RecipientRole, value, nil
	case RecipientContact:
		return RecipientContact, value, nil
	case RecipientEmail:
		if _, err := ParseAddress(value); err != nil {
			return "", "", err
		}
		return RecipientEmail, value, nil
	}
	return "", "", fmt.Errorf("%q is not a recipient; %s", s, recipientForms)
}

// HasCRLF reports whether s contains a carriage return or line feed, which
// must never reach a mail header.
func HasCRLF(s string) bool { return strings.ContainsAny(s, "\r\n") }

// ParseAddress parses one RFC 5322 address ("a@b.de" or "Name <a@b.de>")
// and rejects line breaks and addresses without a dotted domain.
func ParseAddress(s string) (*mail.Address, error) {
	if HasCRLF(s) {
		return nil, errors.New("must not contain line breaks")
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return nil, fmt.Errorf("%q is not a valid e-mail address", s)
	}
	local, domain, ok := strings.Cut(a.Address, "@")
	if !ok || local == "" || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return nil, fmt.Errorf("%q is not a valid e-mail address", s)
	}
	if err := CheckAddressLength(a.Address); err != nil {
		return nil, err
	}
	return a, nil
}

// ErrNotBare is the error of an address that parses but is not written
// bare; errors.Is finds it in ParseBareAddress's answer.
var ErrNotBare = errors.New("give the bare address only")

// ParseBareAddress checks that s is exactly a bare address (local@domain,
// as a contact, a suppression-list entry or an allowed sender holds it)
// and returns it: no display name, no angle brackets, no comment, no
// surrounding space. Mail goes to the bare address inside whatever was
// stored, so a value such as "<anna@example.org>" would be mailed as
// anna@example.org while every check that compares the stored text (the
// suppression list, the duplicate check) saw something else. A quoted
// local part is bare when written as net/mail writes it ("a b"@example.org).
func ParseBareAddress(s string) (string, error) {
	a, err := ParseAddress(s)
	if err != nil {
		return "", err
	}
	if a.Name != "" || (s != a.Address && "<"+s+">" != (&mail.Address{Address: a.Address}).String()) {
		return "", fmt.Errorf("%w: %q is not a bare e-mail address; write only local@domain, such as anna@example.org, without a name, angle brackets or a comment", ErrNotBare, s)
	}
	return a.Address, nil
}

// AddressKey is the form under which two addresses are the same mailbox:
// the bare address inside s (whatever form s has: "<a@b.de>" and
// "Name <a@b.de>" are a@b.de), in lower case. The suppression list, the
// duplicate-recipient check and the throttle compare addresses by it, so
// that a value stored before bare addresses were required cannot slip
// past them. An s that does not parse is compared trimmed and lower-cased.
func AddressKey(s string) string {
	s = strings.TrimSpace(s)
	if strings.ContainsAny(s, "<>()\",;:[] \t") {
		if a, err := mail.ParseAddress(s); err == nil {
			s = a.Address
		}
	}
	return strings.ToLower(s)
}

// Length limits of an address (RFC 5321 section 4.5.3.1): mail servers
// refuse longer ones, so they are refused when saved rather than failing
// at delivery.
const (
	// MaxLocalPart is the most octets before the "@".
	MaxLocalPart = 64
	// MaxAddress is the most octets of the whole address (the 256 of a
	// path minus its angle brackets).
	MaxAddress = 254
)

// ErrAddressTooLong is the error of an address beyond MaxLocalPart or
// MaxAddress; errors.Is finds it in CheckAddressLength's answer.
var ErrAddressTooLong = errors.New("the e-mail address is too long")

// CheckAddressLength checks a bare address (local@domain) against
// MaxLocalPart and MaxAddress.
func CheckAddressLength(addr string) error {
	local := addr
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		local = addr[:i]
	}
	switch {
	case len(local) > MaxLocalPart:
		return fmt.Errorf("%w: the part before the @ has %d bytes, at most %d are allowed (RFC 5321)",
			ErrAddressTooLong, len(local), MaxLocalPart)
	case len(addr) > MaxAddress:
		return fmt.Errorf("%w: it has %d bytes, at most %d are allowed (RFC 5321)", ErrAddressTooLong, len(addr), MaxAddress)
	}
	return nil
}

// ValidEmail reports whether s is a bare or named valid address.
func ValidEmail(s string) bool {
	_, err := ParseAddress(s)
	return err == nil
}

const nameRule = "use letters, digits, '.', '_' or '-' (at most 100), starting with a letter or digit"

// ValidName reports whether s is usable as a key, role, event type, category
// or collection name: 1–100 characters of letters, digits, '.', '_', '-',
// starting with a letter or digit.
func ValidName(s string) bool {
	if s == "" || len(s) > 100 {
		return false
	}
	for i, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case i > 0 && (c == '.' || c == '_' || c == '-'):
		default:
			return false
		}
	}
	return true
}

// NameRule explains ValidName for error messages.
func NameRule() string { return nameRule }

// ValidID reports whether s is usable as an external id (contact, object):
// 1–200 printable characters without '/', spaces or control characters.
func ValidID(s string) bool {
	if s == "" || len(s) > 200 {
		return false
	}
	for _, c := range s {
		if c <= ' ' || c == '/' || c == 0x7f || c == '?' || c == '#' || c == '%' {
			return false
		}
	}
	return true
}

// IDRule explains ValidID for error messages.
func IDRule() string {
	return "use 1–200 characters without spaces, '/', '?', '#' or '%'"
}

// ASCIIDomain returns domain with its internationalized labels as A-labels
// (RFC 5891: "bücher.example" is "xn--bcher-kva.example"), the form DNS,
// mail servers and header fields take; an ASCII domain is returned as it
// is. The error says domain is no valid internationalized name.
func ASCIIDomain(domain string) (string, error) {
	for i := 0; i < len(domain); i++ {
		if domain[i] >= utf8.RuneSelf {
			return idna.Lookup.ToASCII(domain)
		}
	}
	return domain, nil
}
