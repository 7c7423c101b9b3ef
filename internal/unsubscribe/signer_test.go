package unsubscribe

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/herold-dev/herold/internal/alloctest"
)

// TestTokenPooledSigners signs from 8 goroutines at once with two
// secrets, alternating, so pooled signers move between goroutines and
// keys: every token is the one a fresh HMAC gives (the golden values of
// TestTokensStayTheSame for the first secret).
func TestTokenPooledSigners(t *testing.T) {
	t.Parallel()
	a := []byte("0123456789abcdef0123456789abcdef")
	b := []byte("fedcba9876543210fedcba9876543210")
	l := Link{Workspace: "agentur-nord", ContactID: "c-4711", Category: "newsletter", MessageID: "0190a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b"}
	p := PreferenceLink{Workspace: "agentur-nord", ContactID: "c-4711", Expires: time.Unix(1780000000, 0)}
	wantA := "DGFnZW50dXItbm9yZAZjLTQ3MTEKbmV3c2xldHRlciQwMTkwYTFiMi03YzNkLTdlNGYtOGE5Yi0wYzFkMmUzZjRhNWI.rN9w0U51O31dyM8535pvQA"
	wantPA := "DGFnZW50dXItbm9yZAZjLTQ3MTEKMTc4MDAwMDAwMA.I0wSt0hMXiR0SGKGpCsHwQ"
	wantB := Token(b, l)
	if wantB == wantA {
		t.Fatal("two secrets gave one token")
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				key, want := a, wantA
				if (g+i)%2 == 1 {
					key, want = b, wantB
				}
				if got := Token(key, l); got != want {
					errs <- fmt.Errorf("goroutine %d, token %d: %q, want %q", g, i, got, want)
					return
				}
				if got := PreferenceToken(a, p); got != wantPA {
					errs <- fmt.Errorf("goroutine %d, preference token %d: %q, want %q", g, i, got, wantPA)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestTokenSecretCopied changes the caller's secret after signing: the
// pooled signer keeps the key it was made with and is not reused for the
// changed one.
func TestTokenSecretCopied(t *testing.T) {
	t.Parallel()
	secret := []byte("0123456789abcdef0123456789abcdef")
	l := Link{Workspace: "w", ContactID: "c", Category: "k", MessageID: "m"}
	first := Token(secret, l)
	secret[0] = 'X'
	if Token(secret, l) == first {
		t.Fatal("a changed secret signed as the old one")
	}
	secret[0] = '0'
	if got := Token(secret, l); got != first {
		t.Fatalf("token = %q, want %q", got, first)
	}
}

// TestTokenBytes pins what a token costs: the returned string, not an
// HMAC state and a buffer per token.
func TestTokenBytes(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	l := Link{Workspace: "agentur-nord", ContactID: "0190a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5c", Category: "newsletter",
		MessageID: "0190a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b"}
	if got := alloctest.BytesPerRun(t, 200, func() { Token(secret, l) }); got > 200 {
		t.Errorf("a token allocates %v bytes, want at most 200 (its 160-byte string)", got)
	}
}

// TestAppendToken appends tokens to a link: the same as Token and
// PreferenceToken give, and a second token does not change the first
// link (the pooled buffer is not handed out).
func TestAppendToken(t *testing.T) {
	t.Parallel()
	secret := []byte("0123456789abcdef0123456789abcdef")
	l := Link{Workspace: "agentur-nord", ContactID: "c-4711", Category: "newsletter", MessageID: "0190a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b"}
	p := PreferenceLink{Workspace: "agentur-nord", ContactID: "c-4711", Expires: time.Unix(1780000000, 0)}
	u := AppendToken([]byte("<https://h.example/u/"), secret, l)
	pref := AppendPreferenceToken(make([]byte, 0, 256), secret, p)
	if got, want := string(u), "<https://h.example/u/"+Token(secret, l); got != want {
		t.Errorf("AppendToken = %q, want %q", got, want)
	}
	if got, want := string(pref), PreferenceToken(secret, p); got != want {
		t.Errorf("AppendPreferenceToken = %q, want %q", got, want)
	}
}
