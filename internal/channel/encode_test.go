package channel

import (
	"mime"
	"net/mail"
	"strings"
	"testing"
)

// TestLongDisplayNamesKeepTheirWords: a display name longer than one
// encoded-word is written so that no word is cut where another one fits:
// atoms as they are, runs of other words as encoded-words ending after a
// space; only a single word longer than an encoded-word is cut. Go's
// decoder reads every name back exactly.
func TestLongDisplayNamesKeepTheirWords(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("Ä", 40)
	tests := []struct{ name, want string }{
		{"Ärger Maximilian Überlänge von der Schönfeld-Weißmüller Veranstaltungstechnik",
			"=?utf-8?q?=C3=84rger?= Maximilian =?utf-8?q?=C3=9Cberl=C3=A4nge?= von der " +
				"=?utf-8?q?Sch=C3=B6nfeld-Wei=C3=9Fm=C3=BCller?= Veranstaltungstechnik"},
		// A run of words with umlauts ends its encoded-words after a space.
		{"Jürgen Müller Größe Schröder Köhler Bäcker Übermäßig",
			"=?utf-8?q?J=C3=BCrgen_M=C3=BCller_Gr=C3=B6=C3=9Fe_Schr=C3=B6der_?= " +
				"=?utf-8?q?K=C3=B6hler_B=C3=A4cker_=C3=9Cberm=C3=A4=C3=9Fig?="},
		// Only a word that no encoded-word holds is cut.
		{long + " Maximilian",
			mime.QEncoding.Encode("utf-8", long) + " Maximilian"},
		// Specials: base64, the same way.
		{"Müller, Jürgen (Vertrieb) und Schröder, Änne (Süd)",
			"=?utf-8?b?TcO8bGxlciwgSsO8cmdlbiAoVmVydHJpZWIp?= und =?utf-8?b?U2NocsO2ZGVyLCDDhG5uZSAoU8O8ZCk=?="},
	}
	for _, tt := range tests {
		got := string(appendAddress(nil, tt.name, "jana@example.org"))
		if want := tt.want + " <jana@example.org>"; got != want {
			t.Errorf("appendAddress(%q)\n got %s\nwant %s", tt.name, got, want)
		}
		a, err := mail.ParseAddress(got)
		if err != nil || a.Name != tt.name {
			t.Errorf("net/mail reads %q back as %+v, %v", got, a, err)
		}
	}
}
