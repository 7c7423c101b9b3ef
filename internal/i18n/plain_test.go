package i18n

import (
	"testing"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
)

// TestTPlainMessages looks a message up without data in both languages
// and in a regional variant: the text the localizer gives, again and
// again, the second time without work; an unknown id stays its id and is
// not kept.
func TestTPlainMessages(t *testing.T) { // not parallel: it counts allocations
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	const id = "mail.preferences.footer"
	for _, lang := range []string{"de", "en", "de-AT", "fr"} {
		want, err := c.localizers[Normalize(lang)].Localize(&goi18n.LocalizeConfig{MessageID: id})
		if err != nil || want == "" || want == id {
			t.Fatalf("%s: the catalog lacks %s: %q, %v", lang, id, want, err)
		}
		for range 3 {
			if got := c.T(lang, id, nil); got != want {
				t.Errorf("T(%q, %q) = %q, want %q", lang, id, got, want)
			}
		}
	}
	if c.T("de", id, nil) == c.T("en", id, nil) {
		t.Error("German and English footers are the same")
	}
	if n := testing.AllocsPerRun(50, func() { c.T("de", id, nil) }); n != 0 {
		t.Errorf("a message looked up before costs %v allocations, want 0", n)
	}
	if got := c.T("de", "no.such.message", nil); got != "no.such.message" {
		t.Errorf("unknown id = %q", got)
	}
	if _, ok := c.plain.Load(plainKey{"de", "no.such.message"}); ok {
		t.Error("an unknown id was kept")
	}
}
