package service

import (
	"net/mail"
	"strings"
	"testing"
)

// TestListID holds List-Id to RFC 2919: a dot-atom label and a domain
// name (or "localhost") of at most 255 octets in angle brackets, one id
// per workspace and category.
func TestListID(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("n.", 49) + "nn" // 100 characters, 296 once escaped
	tests := []struct {
		name, category, workspace, baseURL, want string
	}{
		{"host of the base URL", "newsletter", "default", "https://herold.example.org/", "<newsletter.default.herold.example.org>"},
		{"port and case dropped", "birthday_mail", "agentur-nord", "http://Herold.Example.ORG:8080", "<birthday_mail.agentur-nord.herold.example.org>"},
		{"no base URL", "newsletter", "default", "", "<newsletter.default.localhost>"},
		{"IP address", "newsletter", "default", "http://127.0.0.1:8080", "<newsletter.default.localhost>"},
		{"IPv6 address", "newsletter", "default", "http://[::1]:8080", "<newsletter.default.localhost>"},
		{"host with an underscore", "newsletter", "default", "http://my_host.example", "<newsletter.default.localhost>"},
		{"dots in names stay apart", "a.b", "c", "", "<a=2Eb.c.localhost>"},
		{"dots in names stay apart, other way", "a", "b.c", "", "<a.b=2Ec.localhost>"},
		{"consecutive and trailing dots", "a..b.", "ws", "", "<a=2E=2Eb=2E.ws.localhost>"},
		{"too long for 255 octets", long, long, "https://herold.example.org", "<01d3e2e12ff9f6afb47e1df320236860.herold.example.org>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := listID(tt.category, tt.workspace, tt.baseURL)
			if got != tt.want {
				t.Errorf("listID = %q, want %q", got, tt.want)
			}
			id := strings.TrimSuffix(strings.TrimPrefix(got, "<"), ">")
			if len(id) > 255 || len(id)+2 != len(got) {
				t.Errorf("listID = %q: not an id of at most 255 octets in angle brackets", got)
			}
			// A list id is a msg-id-like dot-atom "label.namespace":
			// net/mail parses it as an addr-spec once the last dot is an @.
			i := strings.LastIndex(id, ".")
			if _, err := mail.ParseAddress("<" + id[:i] + "@" + id[i+1:] + ">"); err != nil {
				t.Errorf("listID = %q is not a dot-atom: %v", got, err)
			}
		})
	}
}
