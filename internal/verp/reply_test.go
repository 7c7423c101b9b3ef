package verp

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReplyRoundTrip: a reply address reads back to its message in any
// case, for its own workspace only; another key, a changed signature, a
// bounce address's token or a foreign tag does not read.
func TestReplyRoundTrip(t *testing.T) {
	t.Parallel()
	key := []byte("0123456789abcdef0123456789abcdef")
	const id = "01a24c54-632b-731a-bee5-ba64e53cd353"
	addr := ReplyAddress(key, 7, "acme", id, "inbound.example.org")
	local, domain, _ := strings.Cut(addr, "@")
	require.Equal(t, "inbound.example.org", domain)
	require.True(t, strings.HasPrefix(local, "acme+r."), local)
	require.Len(t, local, len("acme+")+42)
	got, ok := ParseReply(key, 7, strings.ToUpper(local))
	require.True(t, ok)
	require.Equal(t, id, got)

	_, ok = ParseReply(key, 8, local)
	require.False(t, ok, "another workspace")
	_, ok = ParseReply([]byte("another key, also thirty-two b.."), 7, local)
	require.False(t, ok, "another key")
	last := local[len(local)-1]
	flip := byte('a')
	if last == 'a' {
		flip = 'b'
	}
	_, ok = ParseReply(key, 7, local[:len(local)-1]+string(flip))
	require.False(t, ok, "a changed signature")
	// The bounce address of the same message is signed for another
	// purpose: its id and signature do not make a reply token.
	b, _, _ := strings.Cut(Address(key, 7, id, "x.org"), "@")
	parts := strings.Split(b, ".")
	_, ok = ParseReply(key, 7, "acme+r."+parts[1]+"."+parts[2])
	require.False(t, ok, "a bounce signature")
	for _, s := range []string{"acme", "acme+support", "acme+r.", "acme+r.x.y", "acme+r." + local[7:33]} {
		_, ok = ParseReply(key, 7, s)
		require.False(t, ok, s)
	}
	require.Empty(t, ReplyAddress(key, 1, "acme", "not-a-uuid", "x.org"))
}

// FuzzParseReply: any local part reads or is refused, never a panic; what
// reads is a UUID.
func FuzzParseReply(f *testing.F) {
	key := []byte("0123456789abcdef0123456789abcdef")
	f.Add("acme+r.aglcjvbfgmlrug7ll7u2lsnqny.aaaaaaaaaaaaa")
	f.Add("acme+support")
	f.Fuzz(func(t *testing.T, s string) {
		if id, ok := ParseReply(key, 1, s); ok && len(id) != 36 {
			t.Fatalf("ParseReply(%q) = %q", s, id)
		}
	})
}
