package channel

import (
	"net/mail"
	"strings"
	"unicode/utf8"

	"github.com/herold-dev/herold/internal/model"
)

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
