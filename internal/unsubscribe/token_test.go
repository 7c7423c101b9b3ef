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

func link(ws string) unsubscribe.Link {
	return unsubscribe.Link{Workspace: ws, ContactID: "anna-42", Category: "newsletter", MessageID: msgID}
}

func TestTokenRoundTrip(t *testing.T) {
	t.Parallel()
	long := unsubscribe.Link{Workspace: strings.Repeat("w", 100), ContactID: strings.Repeat("Ä", 100), Category: strings.Repeat("c", 100), MessageID: msgID}
	for _, l := range []unsubscribe.Link{link("default"), link("x"), link("verein-nord.2"), long} {
		tok := unsubscribe.Token(secret, l)
		require.Equal(t, tok, unsubscribe.Token(secret, l), "a link always gets the same token")
		require.NotContains(t, tok, "=", "no padding in URLs")
		require.Equal(t, -1, strings.IndexAny(tok, "+/ \r\n"), "URL-safe alphabet")
		got, err := unsubscribe.Parse(secret, tok)
		require.NoError(t, err)
		require.Equal(t, l, got)
	}
	// Every part is signed.
	base := unsubscribe.Token(secret, link("ws1"))
	for _, l := range []unsubscribe.Link{
		link("ws2"),
		{Workspace: "ws1", ContactID: "anna-43", Category: "newsletter", MessageID: msgID},
		{Workspace: "ws1", ContactID: "anna-42", Category: "birthday", MessageID: msgID},
		{Workspace: "ws1", ContactID: "anna-42", Category: "newsletter", MessageID: msgID + "x"},
		// The same bytes split differently between the names.
		{Workspace: "ws1", ContactID: "anna-42n", Category: "ewsletter", MessageID: msgID},
		{Workspace: "ws1a", ContactID: "nna-42", Category: "newsletter", MessageID: msgID},
	} {
		require.NotEqual(t, base, unsubscribe.Token(secret, l), "%+v", l)
	}
}

// TestTokenTampered changes every character of a valid token in turn: no
// change may still be accepted (base64's spare bits included).
func TestTokenTampered(t *testing.T) {
	t.Parallel()
	tok := unsubscribe.Token(secret, link("ws7"))
	for i := range tok {
		for _, c := range []byte{'A', 'B', 'f', 'g', '-', '_', '.'} {
			if tok[i] == c {
				continue
			}
			bad := tok[:i] + string(c) + tok[i+1:]
			_, err := unsubscribe.Parse(secret, bad)
			require.ErrorIs(t, err, unsubscribe.ErrInvalid, "changed position %d to %q: %s", i, c, bad)
		}
	}
}

func TestTokenWrongSecret(t *testing.T) {
	t.Parallel()
	_, err := unsubscribe.Parse(other, unsubscribe.Token(secret, link("ws7")))
	require.ErrorIs(t, err, unsubscribe.ErrInvalid)
}

// TestTokenReplayedOnAnotherLink moves a valid signature onto another
// contact, category, message and workspace: all are refused.
func TestTokenReplayedOnAnotherLink(t *testing.T) {
	t.Parallel()
	_, sig, _ := strings.Cut(unsubscribe.Token(secret, link("ws7")), ".")
	for _, l := range []unsubscribe.Link{
		link("ws8"),
		{Workspace: "ws7", ContactID: "bert", Category: "newsletter", MessageID: msgID},
		{Workspace: "ws7", ContactID: "anna-42", Category: "birthday", MessageID: msgID},
		{Workspace: "ws7", ContactID: "anna-42", Category: "newsletter", MessageID: "0195f3a2-0000-7000-8000-000000000000"},
	} {
		payload, _, _ := strings.Cut(unsubscribe.Token(secret, l), ".")
		_, err := unsubscribe.Parse(secret, payload+"."+sig)
		require.ErrorIs(t, err, unsubscribe.ErrInvalid, "%+v", l)
	}
}

func TestTokenMalformed(t *testing.T) {
	t.Parallel()
	for _, tok := range []string{"", ".", "abc", "abc.", ".abc", "!!!.abc", "AA.abc", "AQ.abc", strings.Repeat("A", 900) + ".x"} {
		_, err := unsubscribe.Parse(secret, tok)
		require.ErrorIs(t, err, unsubscribe.ErrInvalid, "%q", tok)
	}
	// Well signed but with an empty name or bytes left over: a payload
	// Token never makes.
	for _, l := range []unsubscribe.Link{
		{Workspace: "ws1", ContactID: "", Category: "newsletter", MessageID: msgID},
		{Workspace: "ws1", ContactID: "anna", Category: "", MessageID: msgID},
		{Workspace: "", ContactID: "anna", Category: "newsletter", MessageID: msgID},
	} {
		_, err := unsubscribe.Parse(secret, unsubscribe.Token(secret, l))
		require.ErrorIs(t, err, unsubscribe.ErrInvalid, "%+v", l)
	}
}
