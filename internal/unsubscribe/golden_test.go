package unsubscribe

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

// TestTokensStayTheSame pins the tokens of fixed links: links in mail
// already sent must keep resolving, so the way a token is written may
// change only together with Parse and these values. A long link (more
// than a pooled signer's first buffer) is pinned too.
func TestTokensStayTheSame(t *testing.T) {
	t.Parallel()
	secret := []byte("0123456789abcdef0123456789abcdef")
	long := strings.Repeat("kategorie-", 30)
	tests := []struct{ name, got, want string }{
		{"unsubscribe", Token(secret, Link{Workspace: "agentur-nord", ContactID: "c-4711", Category: "newsletter", MessageID: "0190a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b"}),
			"DGFnZW50dXItbm9yZAZjLTQ3MTEKbmV3c2xldHRlciQwMTkwYTFiMi03YzNkLTdlNGYtOGE5Yi0wYzFkMmUzZjRhNWI.rN9w0U51O31dyM8535pvQA"},
		{"preference", PreferenceToken(secret, PreferenceLink{Workspace: "agentur-nord", ContactID: "c-4711", Expires: time.Unix(1780000000, 0)}),
			"DGFnZW50dXItbm9yZAZjLTQ3MTEKMTc4MDAwMDAwMA.I0wSt0hMXiR0SGKGpCsHwQ"},
		{"long", Token(secret, Link{Workspace: "w", ContactID: "c", Category: long, MessageID: "m"}),
			"AXcBY6wC" + base64.RawURLEncoding.EncodeToString([]byte(long+"\x01m")) + ".DXDiF2NeTnl-yedOAKGlyw"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s token = %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}
