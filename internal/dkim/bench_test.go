package dkim

import (
	"testing"
	"time"

	"github.com/herold-dev/herold/internal/channel"
)

// BenchmarkSign is the cost DKIM adds to each message sent: W2's size of
// notification (a few KB, text and HTML) signed with each algorithm.
func BenchmarkSign(b *testing.B) {
	e := baseEmail()
	for range 20 {
		e.HTML += "<p>Ihr Termin am Montag um 9 Uhr ist bestätigt. Bitte bringen Sie Ihre Unterlagen mit.</p>"
		e.Text += "Ihr Termin am Montag um 9 Uhr ist bestätigt. Bitte bringen Sie Ihre Unterlagen mit.\n"
	}
	raw, err := channel.BuildMIME(e)
	if err != nil {
		b.Fatal(err)
	}
	for _, alg := range []string{RSA, Ed25519} {
		k, err := Generate(alg, "example.org", "s1", time.Time{})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(alg, func(b *testing.B) {
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				if _, err := Sign(k, raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
