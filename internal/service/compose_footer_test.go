package service

import (
	"strings"
	"testing"
)

// TestBodyEnd places the preference footer before the last "</body>" in
// any case, and at the end without one; a character that changes its
// length in lower case before the tag does not shift the place.
func TestBodyEnd(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, body, before string }{
		{"lower case", "<html><body><p>Hallo</p></body></html>", "<html><body><p>Hallo</p>"},
		{"upper case", "<HTML><BODY><p>Hallo</p></BODY></HTML>", "<HTML><BODY><p>Hallo</p>"},
		{"mixed case, the last one", "<body>a</Body>b</bOdY>c", "<body>a</Body>b"},
		{"no end tag", "<p>Hallo</p>", "<p>Hallo</p>"},
		{"a tag that only starts alike", "<p>a</bodyguard>", "<p>a</bodyguard>"},
		{"cut short at the end", "<p>a</bod", "<p>a</bod"},
		{"no markup", "Hallo", "Hallo"},
		{"empty", "", ""},
		{"İ lower-cases to three bytes", "<p>İİİ</p></body>", "<p>İİİ</p>"},
		{"ſ folds to s, not part of the tag", "<p>x</boſy></body>", "<p>x</boſy>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			i := bodyEnd(tt.body)
			if got := tt.body[:i]; got != tt.before {
				t.Errorf("bodyEnd(%q) = %d: footer after %q, want after %q", tt.body, i, got, tt.before)
			}
			if !strings.HasPrefix(tt.body, tt.before) {
				t.Fatalf("bad case: %q does not start with %q", tt.body, tt.before)
			}
		})
	}
}
