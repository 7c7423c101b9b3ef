package model

import (
	"strings"
	"testing"
)

// FuzzParseAddress: parsing an address must never panic, and whatever it
// accepts must be safe for a mail header: no line breaks, a local part and
// a dotted domain; the recipient form must agree with it.
func FuzzParseAddress(f *testing.F) {
	for _, seed := range []string{
		"a@b.de", "Anna Berger <anna@example.com>", `"Berger, Anna" <anna@example.com>`,
		"=?utf-8?q?J=C3=BCrgen?= <j@example.org>", "a@b", "<@>", "x@y.de\r\nBcc: z@w.de", "Ünïcødé <ü@ß.de>",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAddress(s)
		_, _, rerr := Recipient("email:" + s).Parse()
		if (err == nil) != (rerr == nil) && strings.TrimSpace(s) == s {
			t.Fatalf("ParseAddress(%q) err=%v but the recipient form err=%v", s, err, rerr)
		}
		if err != nil {
			return
		}
		if HasCRLF(a.Address) || HasCRLF(a.Name) {
			t.Fatalf("accepted a line break: %q", s)
		}
		local, domain, ok := strings.Cut(a.Address, "@")
		if !ok || local == "" || !strings.Contains(domain, ".") {
			t.Fatalf("accepted %q as %q", s, a.Address)
		}
		if !ValidEmail(s) {
			t.Fatalf("ParseAddress accepts %q but ValidEmail does not", s)
		}
	})
}
