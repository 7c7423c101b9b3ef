package unsubscribe_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/unsubscribe"
)

var (
	secret = []byte("0123456789abcdef0123456789abcdef")
	other  = []byte("fedcba9876543210fedcba9876543210")
)

const msgID = "0195f3a2-7c41-7d3e-9b1a-2f6c8e4d5a10"

func TestTokenRoundTrip(t *testing.T) {
	t.Parallel()
	for _, ws := range []int64{1, 127, 128, 1 << 40} {
		tok := unsubscribe.Token(secret, ws, msgID)
		require.Equal(t, tok, unsubscribe.Token(secret, ws, msgID), "a message always gets the same token")
		require.NotContains(t, tok, "=", "no padding in URLs")
		require.Equal(t, -1, strings.IndexAny(tok, "+/ \r\n"), "URL-safe alphabet")
		gotWS, gotID, err := unsubscribe.Parse(secret, tok)
		require.NoError(t, err)
		require.Equal(t, ws, gotWS)
		require.Equal(t, msgID, gotID)
	}
	require.NotEqual(t, unsubscribe.Token(secret, 1, msgID), unsubscribe.Token(secret, 2, msgID))
	require.NotEqual(t, unsubscribe.Token(secret, 1, msgID), unsubscribe.Token(secret, 1, msgID+"x"))
}

// TestTokenTampered changes every character of a valid token in turn: no
// change may still be accepted (base64's spare bits included).
func TestTokenTampered(t *testing.T) {
	t.Parallel()
	tok := unsubscribe.Token(secret, 7, msgID)
	for i := range tok {
		for _, c := range []byte{'A', 'B', 'f', 'g', '-', '_', '.'} {
			if tok[i] == c {
				continue
			}
			bad := tok[:i] + string(c) + tok[i+1:]
			_, _, err := unsubscribe.Parse(secret, bad)
			require.ErrorIs(t, err, unsubscribe.ErrInvalid, "changed position %d to %q: %s", i, c, bad)
		}
	}
}

func TestTokenWrongSecret(t *testing.T) {
	t.Parallel()
	_, _, err := unsubscribe.Parse(other, unsubscribe.Token(secret, 7, msgID))
	require.ErrorIs(t, err, unsubscribe.ErrInvalid)
}

// TestTokenReplayedOnAnotherMessage moves a valid signature onto another
// message id and onto another workspace: both are refused.
func TestTokenReplayedOnAnotherMessage(t *testing.T) {
	t.Parallel()
	tok := unsubscribe.Token(secret, 7, msgID)
	_, sig, _ := strings.Cut(tok, ".")
	otherMsg, _, _ := strings.Cut(unsubscribe.Token(secret, 7, "0195f3a2-0000-7000-8000-000000000000"), ".")
	otherWS, _, _ := strings.Cut(unsubscribe.Token(secret, 8, msgID), ".")
	for _, payload := range []string{otherMsg, otherWS} {
		_, _, err := unsubscribe.Parse(secret, payload+"."+sig)
		require.ErrorIs(t, err, unsubscribe.ErrInvalid)
	}
}

func TestTokenMalformed(t *testing.T) {
	t.Parallel()
	for _, tok := range []string{"", ".", "abc", "abc.", ".abc", "!!!.abc", "AA.abc", strings.Repeat("A", 500) + ".x"} {
		_, _, err := unsubscribe.Parse(secret, tok)
		require.ErrorIs(t, err, unsubscribe.ErrInvalid, "%q", tok)
	}
}
