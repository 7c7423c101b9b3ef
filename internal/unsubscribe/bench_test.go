package unsubscribe

import "testing"

// BenchmarkToken signs the unsubscribe token every message of a mailing
// carries.
func BenchmarkToken(b *testing.B) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	l := Link{Workspace: "agentur-nord", ContactID: "0190a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5c", Category: "newsletter",
		MessageID: "0190a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b"}
	b.ReportAllocs()
	for b.Loop() {
		Token(secret, l)
	}
}
