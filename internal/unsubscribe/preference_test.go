package unsubscribe_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/unsubscribe"
)

func TestPreferenceToken(t *testing.T) {
	t.Parallel()
	exp := time.Date(2027, 6, 1, 12, 0, 0, 0, time.UTC)
	l := unsubscribe.PreferenceLink{Workspace: "ws7", ContactID: "anna-42", Expires: exp}
	tok := unsubscribe.PreferenceToken(secret, l)
	got, err := unsubscribe.ParsePreference(secret, tok, exp.Add(-time.Second))
	require.NoError(t, err)
	require.Equal(t, l, got)

	// Valid up to the second before expiry, not at it.
	_, err = unsubscribe.ParsePreference(secret, tok, exp)
	require.ErrorIs(t, err, unsubscribe.ErrExpired)

	// Every character changed is refused.
	for i := range tok {
		for _, c := range []byte{'A', 'g', '-', '_', '.'} {
			if tok[i] == c {
				continue
			}
			_, err := unsubscribe.ParsePreference(secret, tok[:i]+string(c)+tok[i+1:], exp.Add(-time.Hour))
			require.ErrorIs(t, err, unsubscribe.ErrInvalid, "position %d", i)
		}
	}
	_, err = unsubscribe.ParsePreference(other, tok, exp.Add(-time.Hour))
	require.ErrorIs(t, err, unsubscribe.ErrInvalid, "another secret")

	// An unsubscribe token is no preference token, and the other way round.
	unsub := unsubscribe.Token(secret, link("ws7"))
	_, err = unsubscribe.ParsePreference(secret, unsub, exp.Add(-time.Hour))
	require.ErrorIs(t, err, unsubscribe.ErrInvalid)
	_, err = unsubscribe.Parse(secret, tok)
	require.ErrorIs(t, err, unsubscribe.ErrInvalid)

	// A later expiry spliced onto the signature is refused.
	later := unsubscribe.PreferenceToken(secret, unsubscribe.PreferenceLink{Workspace: "ws7", ContactID: "anna-42",
		Expires: exp.Add(24 * time.Hour)})
	payload, _, _ := strings.Cut(later, ".")
	_, sig, _ := strings.Cut(tok, ".")
	_, err = unsubscribe.ParsePreference(secret, payload+"."+sig, exp.Add(-time.Hour))
	require.ErrorIs(t, err, unsubscribe.ErrInvalid)
}
