package model

import (
	"fmt"
	"net/mail"
	"strings"
	"unicode"
)

// AnySender, as an entry of Workspace.AllowedSenders, allows every sender
// address.
const AnySender = "*"

// ValidAllowedSender checks one entry of Workspace.AllowedSenders: AnySender,
// a domain such as "agentur-nord.de", or a bare address such as
// "dispo@agentur-nord.de".
func ValidAllowedSender(entry string) error {
	switch {
	case entry == AnySender:
		return nil
	case strings.Contains(entry, "@"):
		a, err := mail.ParseAddress(entry)
		_, domain, _ := strings.Cut(entry, "@")
		if err != nil || a.Address != entry || !ValidEmail(entry) || !validDomain(domain) {
			return fmt.Errorf("%q is neither a domain nor a bare e-mail address such as dispo@example.org", entry)
		}
	case !validDomain(entry):
		return fmt.Errorf("%q is not a domain such as example.org", entry)
	}
	return nil
}

// validDomain reports whether s is a host name with at least two labels of
// letters, digits and inner hyphens.
func validDomain(s string) bool {
	labels := strings.Split(s, ".")
	if len(labels) < 2 || len(s) > 253 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				return false
			}
		}
	}
	return true
}

// SenderAllowed reports whether w may send as addr, a bare address: it
// matches an allowed address exactly or an allowed domain (not its
// subdomains), ignoring case.
func (w *Workspace) SenderAllowed(addr string) bool {
	_, domain, ok := strings.Cut(addr, "@")
	for _, e := range w.AllowedSenders {
		if e == AnySender || strings.EqualFold(e, addr) || (ok && strings.EqualFold(e, domain)) {
			return true
		}
	}
	return false
}

// SenderDomainAllowed reports whether some address of domain may be
// allowed for w: the domain is allowed, or an address in it. A save-time
// check of a sender whose local part has placeholders uses it; the
// rendered address is checked exactly when the message is sent.
func (w *Workspace) SenderDomainAllowed(domain string) bool {
	for _, e := range w.AllowedSenders {
		_, d, isAddr := strings.Cut(e, "@")
		if e == AnySender || (!isAddr && strings.EqualFold(e, domain)) || (isAddr && strings.EqualFold(d, domain)) {
			return true
		}
	}
	return false
}

// AnySenderAllowed reports whether w may send as every address.
func (w *Workspace) AnySenderAllowed() bool {
	for _, e := range w.AllowedSenders {
		if e == AnySender {
			return true
		}
	}
	return false
}

// CheckSenders checks a message's rendered From and (optional) Reply-To:
// each one valid address, without line breaks, that w may send as. Its
// error names the field and what is allowed.
func (w *Workspace) CheckSenders(from, replyTo string) error {
	for _, f := range [...]struct{ name, v string }{{"From", from}, {"Reply-To", replyTo}} {
		if f.v == "" && f.name == "Reply-To" {
			continue
		}
		addr, err := senderAddress(f.v)
		if err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
		if err := w.SenderRefusal(f.name, addr); err != nil {
			return err
		}
	}
	return nil
}

// AllowedSendersText names what w may send as, for people: the list, or
// that there is none.
func (w *Workspace) AllowedSendersText() string {
	if len(w.AllowedSenders) == 0 {
		return "none (the operator sets them with herold workspaces senders)"
	}
	return strings.Join(w.AllowedSenders, ", ")
}

// SenderRefusal says why w may not send as addr, a bare address used as
// field ("From", "Reply-To"), naming what is allowed; nil when it may.
func (w *Workspace) SenderRefusal(field, addr string) error {
	if w.SenderAllowed(addr) {
		return nil
	}
	if len(w.AllowedSenders) == 0 {
		return fmt.Errorf("%s %s is not allowed: the operator has not allowed any sender for workspace %q yet (herold workspaces senders %s DOMAIN)",
			field, addr, w.Key, w.Key)
	}
	return fmt.Errorf("%s %s is not allowed for workspace %q; allowed: %s", field, addr, w.Key, w.AllowedSendersText())
}
