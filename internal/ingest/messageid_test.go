package ingest

import "testing"

// The Message-ID's domain is the sender's, for each of alternating
// senders, and a sender seen before is not parsed again.
func TestMessageIDDomainOfEachSender(t *testing.T) { // not parallel: it counts allocations
	f := newFixture(t)
	cases := []struct{ from, want string }{
		{"Acme <news@acme.example>", "m1@acme.example"},
		{"billing@shop.example", "m1@shop.example"},
		{"not an address", "m1@herold.invalid"},
		{"Bücher <info@bücher.example>", "m1@xn--bcher-kva.example"},
		{"", "m1@herold.invalid"},
	}
	for range 2 {
		for _, c := range cases {
			if got := f.g.messageIDHeader("m1", c.from); got != c.want {
				t.Fatalf("messageIDHeader(%q) = %q, want %q", c.from, got, c.want)
			}
		}
	}
	if n := testing.AllocsPerRun(50, func() { f.g.messageIDHeader("m1", "Acme <news@acme.example>") }); n > 1 {
		t.Errorf("a known sender costs %v allocations, want at most 1 (the id itself)", n)
	}
	f.g.cfg.MessageIDDomain = "mail.example"
	if got := f.g.messageIDHeader("m1", "Acme <news@acme.example>"); got != "m1@mail.example" {
		t.Errorf("configured domain: %q", got)
	}
	f.g.cfg.MessageIDDomain = "post.bücher.example"
	if got := f.g.messageIDHeader("m1", "Acme <news@acme.example>"); got != "m1@post.xn--bcher-kva.example" {
		t.Errorf("configured internationalized domain: %q", got)
	}
}
