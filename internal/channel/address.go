package channel

import (
	"fmt"
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/herold-dev/herold/internal/model"
)

// NotASCIIBeforeAt is how a delivery error describes an address whose
// part before the @ is not ASCII, which only a mail server offering
// SMTPUTF8 takes; explain recognises the failure by it.
const NotASCIIBeforeAt = "has characters other than ASCII before the @"

// wireAddress returns addr as it is written in a header and in the
// envelope: a domain with characters other than ASCII in its ASCII form
// (A-labels, RFC 5891: "bücher.example" is "xn--bcher-kva.example" in DNS
// and to every mail server), so that such an address needs no SMTPUTF8
// (RFC 6531). A local part is written as it is; one that is not ASCII
// needs SMTPUTF8 (see the SMTP sender). An ASCII addr is returned as it is.
func wireAddress(addr string) (string, error) {
	if nonASCII(addr) == 0 {
		return addr, nil
	}
	at := strings.LastIndexByte(addr, '@')
	if at < 0 || nonASCII(addr[at+1:]) == 0 {
		return addr, nil
	}
	ascii, err := model.ASCIIDomain(addr[at+1:])
	if err != nil {
		return "", fmt.Errorf("the domain of the address %q is not a valid internationalized domain name", addr)
	}
	return addr[:at+1] + ascii, nil
}

// wireMessageID returns id with its right side in ASCII, as wireAddress
// writes a domain: a Message-ID is ASCII (RFC 5322 3.6.4), and one derived
// from a sender at an internationalized domain takes the domain's A-labels.
func wireMessageID(id string) (string, error) {
	if nonASCII(id) == 0 {
		return id, nil
	}
	left, right, _ := strings.Cut(id, "@")
	ascii, err := model.ASCIIDomain(right)
	if err != nil || nonASCII(left) > 0 {
		return "", fmt.Errorf("message id %q has characters other than ASCII", id)
	}
	return left + "@" + ascii, nil
}

// parseAddress is model.ParseAddress with a fast path. Every message's
// sender, recipients and Reply-To are parsed for the header and again for
// the envelope, and net/mail's parser allocates a dozen times per address;
// nearly every address takes one of two plain forms that are recognised
// here without allocating. For those it returns exactly what
// model.ParseAddress returns (FuzzParseAddress checks it), anything else
// goes to model.ParseAddress.
func parseAddress(s string) (mail.Address, error) {
	if a, ok := parsePlainAddress(s); ok {
		return a, nil
	}
	a, err := model.ParseAddress(s)
	if err != nil {
		return mail.Address{}, err
	}
	return *a, nil
}

// parsePlainAddress recognises "local@example.org" and "Display Name
// <local@example.org>": an ASCII dot-atom on both sides of the "@" with a
// dotted domain, and a display name of atoms (UTF-8 allowed, as net/mail
// allows it) separated by single spaces, none of them an encoded-word. It
// reports false for everything else, valid or not.
func parsePlainAddress(s string) (mail.Address, bool) {
	if plainAddrSpec(s) {
		return mail.Address{Address: s}, true
	}
	i := strings.LastIndex(s, " <")
	if i < 0 || !strings.HasSuffix(s, ">") {
		return mail.Address{}, false
	}
	name, spec := s[:i], s[i+2:len(s)-1]
	if !plainAddrSpec(spec) || !plainPhrase(name) {
		return mail.Address{}, false
	}
	return mail.Address{Name: name, Address: spec}, true
}

// plainAddrSpec reports whether s is local@domain with both parts ASCII
// dot-atoms and a dot in the domain, within the length limits
// model.ParseAddress enforces.
func plainAddrSpec(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && len(local) <= model.MaxLocalPart && len(s) <= model.MaxAddress &&
		asciiDotAtom(local) && asciiDotAtom(domain) && strings.IndexByte(domain, '.') > 0
}

// asciiDotAtom reports whether s is atext separated by single dots.
func asciiDotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || c != '.' && !isAtext(rune(c)) {
			return false
		}
	}
	return true
}

// plainPhrase reports whether s is words of atext and dots separated by
// single spaces, none starting like an encoded-word: a display name
// net/mail returns unchanged.
func plainPhrase(s string) bool {
	if s == "" || !utf8.ValidString(s) {
		return false
	}
	for word := range strings.SplitSeq(s, " ") {
		if word == "" || strings.HasPrefix(word, "=?") {
			return false
		}
		for _, r := range word {
			if r != '.' && !isAtext(r) {
				return false
			}
		}
	}
	return true
}
