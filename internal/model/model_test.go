package model

import "testing"

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
		{"subscribers", RecipientSubscribers, "", false},
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
