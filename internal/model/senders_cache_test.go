package model

import (
	"fmt"
	"testing"
)

// TestSenderAddress gives ParseAddress's address and errors, parses a
// sender it has seen without allocating, caches no invalid field, and
// keeps answering correctly once the cache is full.
func TestSenderAddress(t *testing.T) { // not parallel: it counts allocations
	for _, s := range []string{"Agentur Nord <info@agentur-nord.de>", "info@agentur-nord.de", `"Nord, Agentur" <info@agentur-nord.de>`} {
		for range 2 {
			got, err := senderAddress(s)
			if err != nil || got != "info@agentur-nord.de" {
				t.Fatalf("senderAddress(%q) = %q, %v", s, got, err)
			}
		}
	}
	if n := testing.AllocsPerRun(50, func() { _, _ = senderAddress("Agentur Nord <info@agentur-nord.de>") }); n != 0 {
		t.Errorf("a known sender costs %v allocations, want 0", n)
	}
	for _, bad := range []string{"kein Absender", "a@b.de\r\nBcc: x@y.de", "a@localhost"} {
		for range 2 {
			if _, err := senderAddress(bad); err == nil {
				t.Errorf("senderAddress(%q) accepted it", bad)
			}
		}
		if _, ok := senderCache.Load(bad); ok {
			t.Errorf("%q was cached", bad)
		}
	}
	for i := range maxSenderCache + 10 {
		s := fmt.Sprintf("Absender %d <a%d@example.org>", i, i)
		if got, err := senderAddress(s); err != nil || got != fmt.Sprintf("a%d@example.org", i) {
			t.Fatalf("senderAddress(%q) = %q, %v", s, got, err)
		}
	}
	if n := senderCacheSize.Load(); n > maxSenderCache {
		t.Errorf("cache holds %d senders, more than %d", n, maxSenderCache)
	}
}
