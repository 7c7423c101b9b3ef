package model

import (
	"errors"
	"strings"
	"testing"
)

func TestTemplateContentFallback(t *testing.T) {
	t.Parallel()
	tmpl := &Template{Locales: map[string]TemplateContent{
		"de": {Subject: "Hallo"},
		"en": {Subject: "Hello"},
	}}
	tests := []struct {
		name, locale, def, want string
	}{
		{"exact", "en", "de", "en"},
		{"base language", "en-GB", "de", "en"},
		{"underscore form", "de_AT", "en", "de"},
		{"workspace default", "fr", "de", "de"},
		{"first defined", "fr", "it", "de"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, ok := tmpl.Content(tt.locale, tt.def)
			if !ok || got != tt.want {
				t.Fatalf("Content(%q, %q) = %q, %v; want %q", tt.locale, tt.def, got, ok, tt.want)
			}
		})
	}
	if _, _, ok := (&Template{}).Content("de", "de"); ok {
		t.Fatal("empty template reported content")
	}
}

func TestRecipientParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      Recipient
		kind    RecipientKind
		value   string
		wantErr bool
	}{
		{"role:promoter", RecipientRole, "promoter", false},
		{"contact:c-17", RecipientContact, "c-17", false},
		{"email:Agentur <office@agentur.de>", RecipientEmail, "Agentur <office@agentur.de>", false},
		{"watchers", RecipientWatchers, "", false},
		{"subscribers", RecipientWatchers, "", false},
		{"watchers:x", "", "", true},
		{"email:not-an-address", "", "", true},
		{"email:a@localhost", "", "", true},
		{"role:", "", "", true},
		{"team:x", "", "", true},
		{"email:a@b.de\r\nBcc: x@y.de", "", "", true},
		{"role:bad role", "", "", true},
	}
	for _, tt := range tests {
		kind, value, err := tt.in.Parse()
		if (err != nil) != tt.wantErr || kind != tt.kind || value != tt.value {
			t.Errorf("Parse(%q) = %q, %q, %v; want %q, %q, err=%v", tt.in, kind, value, err, tt.kind, tt.value, tt.wantErr)
		}
	}
}

// TestParseAddressLengthLimits: RFC 5321's limits, 64 octets before the
// "@" and 254 in all, hold with and without a display name.
func TestParseAddressLengthLimits(t *testing.T) {
	t.Parallel()
	local := func(n int) string { return strings.Repeat("a", n) }
	// domain returns a dotted domain of exactly n octets.
	domain := func(n int) string { return strings.Repeat("d", n-len(".example")) + ".example" }
	tests := []struct {
		name    string
		addr    string
		wantErr bool
	}{
		{"local part of 64", local(64) + "@example.org", false},
		{"local part of 65", local(65) + "@example.org", true},
		{"local part of 300", local(300) + "@example.org", true},
		{"address of 254", local(60) + "@" + domain(254-61), false},
		{"address of 255", local(60) + "@" + domain(255-61), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, s := range []string{tt.addr, "Anna Berger <" + tt.addr + ">"} {
				_, err := ParseAddress(s)
				if (err != nil) != tt.wantErr {
					t.Fatalf("ParseAddress(%d bytes) = %v, want error %v", len(tt.addr), err, tt.wantErr)
				}
				if tt.wantErr && !errors.Is(err, ErrAddressTooLong) {
					t.Fatalf("ParseAddress error %v is not ErrAddressTooLong", err)
				}
			}
		})
	}
}

// TestParseBareAddress: only local@domain itself is bare; a name, angle
// brackets, a comment, space or a needless quote is refused with
// ErrNotBare, and AddressKey finds the same mailbox in every form.
func TestParseBareAddress(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		wantErr  error
	}{
		{"anna@example.org", "anna@example.org", nil},
		{"Anna.Berger@Example.ORG", "Anna.Berger@Example.ORG", nil},
		{`"anna berger"@example.org`, "anna berger@example.org", nil},
		{"<anna@example.org>", "", ErrNotBare},
		{"Anna <anna@example.org>", "", ErrNotBare},
		{"anna@example.org (Anna)", "", ErrNotBare},
		{"anna@ example.org", "", ErrNotBare},
		{`"anna"@example.org`, "", ErrNotBare},
		{"anna(at)example", "", nil},
		{strings.Repeat("a", 65) + "@example.org", "", ErrAddressTooLong},
	}
	for _, tt := range tests {
		got, err := ParseBareAddress(tt.in)
		switch {
		case tt.want != "" && (err != nil || got != tt.want):
			t.Errorf("ParseBareAddress(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		case tt.want == "" && err == nil:
			t.Errorf("ParseBareAddress(%q) = %q, want an error", tt.in, got)
		case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
			t.Errorf("ParseBareAddress(%q) error %v is not %v", tt.in, err, tt.wantErr)
		}
	}
	for _, s := range []string{"anna@example.org", " ANNA@example.org ", "<Anna@Example.org>", "Anna <anna@EXAMPLE.org>", "anna@example.org (x)"} {
		if k := AddressKey(s); k != "anna@example.org" {
			t.Errorf("AddressKey(%q) = %q, want anna@example.org", s, k)
		}
		if k := SuppressionKey(s); k != "anna@example.org" {
			t.Errorf("SuppressionKey(%q) = %q, want anna@example.org", s, k)
		}
	}
	if k := AddressKey("Not An Address"); k != "not an address" {
		t.Errorf("AddressKey of a non-address = %q", k)
	}
}
