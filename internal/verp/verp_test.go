package verp

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRoundTrip: an address reads back to its workspace and message, in
// any case, within RFC 5321's 64 characters of local part; a changed
// character, another key, another workspace or a foreign local part does
// not read.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	key := []byte("0123456789abcdef0123456789abcdef")
	const id = "01a24c54-632b-731a-bee5-ba64e53cd353"
	addr := Address(key, 1234567, id, "inbound.example.org")
	local, domain, _ := strings.Cut(addr, "@")
	require.Equal(t, "inbound.example.org", domain)
	require.LessOrEqual(t, len(local), 64)
	ws, got, ok := Parse(key, strings.ToUpper(local))
	require.True(t, ok)
	require.Equal(t, int64(1234567), ws)
	require.Equal(t, id, got)

	_, _, ok = Parse([]byte("another key, also thirty-two b.."), local)
	require.False(t, ok, "another key")
	forged := strings.Replace(local, "b+1234567.", "b+1234568.", 1)
	_, _, ok = Parse(key, forged)
	require.False(t, ok, "another workspace")
	last := local[len(local)-1]
	flip := byte('a')
	if last == 'a' {
		flip = 'b'
	}
	_, _, ok = Parse(key, local[:len(local)-1]+string(flip))
	require.False(t, ok, "a changed signature")
	for _, s := range []string{"acme", "b+", "b+1.x.y", "b+01234567." + local[10:], "b+-1.aaaa.bbbb"} {
		_, _, ok = Parse(key, s)
		require.False(t, ok, s)
	}
	require.Empty(t, Address(key, 1, "not-a-uuid", "x.org"))
}

// FuzzParse: any local part reads or is refused, never a panic.
func FuzzParse(f *testing.F) {
	key := []byte("0123456789abcdef0123456789abcdef")
	f.Add("b+1.aflcjvbfgmlrug7ll7u2lsnqny.aaaaaaaaaaaaa")
	f.Add("acme+tag")
	f.Fuzz(func(t *testing.T, s string) { _, _, _ = Parse(key, s) })
}
