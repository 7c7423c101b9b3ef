package render

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestHTMLToText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"paragraphs", "<p>Eins</p><p>Zwei</p>", "Eins\n\nZwei"},
		{"whitespace collapses", "<p>  Hallo\n\n   Welt  </p>", "Hallo Welt"},
		{"inline elements keep spacing", "<p>Ein <b>fetter</b> Text, <i>kursiv</i>.</p>", "Ein fetter Text, kursiv."},
		{"no space inside a word", "<p>Fett<b>druck</b></p>", "Fettdruck"},
		{"br", "Zeile 1<br>Zeile 2<br/><br>Zeile 3", "Zeile 1\nZeile 2\n\nZeile 3"},
		{"headings", "<h1>Titel</h1>Text<h2>Teil</h2>mehr", "Titel\n\nText\n\nTeil\n\nmehr"},
		{"link", `<p>Bitte <a href="https://x.de/b?id=1">bestätigen</a>.</p>`, "Bitte bestätigen (https://x.de/b?id=1)."},
		{"link showing its url", `<a href="https://x.de">https://x.de</a>`, "https://x.de"},
		{"mailto", `<a href="mailto:info@x.de">Schreiben Sie uns</a>`, "Schreiben Sie uns (info@x.de)"},
		{"blocked link", `<a href="#ZgotmplZ">Klick</a>`, "Klick"},
		{"link without text", `<a href="https://x.de"></a>`, "https://x.de"},
		{"unordered list", "<p>Liste:</p><ul><li>A</li><li>B <b>fett</b></li></ul><p>Ende</p>", "Liste:\n\n- A\n- B fett\n\nEnde"},
		{"ordered list", `<ol start="3"><li>drei</li><li>vier</li></ol>`, "3. drei\n4. vier"},
		{"nested list", "<ul><li>A<ul><li>A1</li></ul></li><li>B</li></ul>", "- A\n  - A1\n- B"},
		{"table", "<table><tr><td>Datum</td><td>12.03.</td></tr><tr><td>Ort</td><td>Kiel</td></tr></table>", "Datum 12.03.\nOrt Kiel"},
		{"script and style dropped", "<style>p{color:red}</style><p>sichtbar</p><script>alert(1)</script>", "sichtbar"},
		{"head dropped", "<html><head><title>T</title></head><body><div>Inhalt</div></body></html>", "Inhalt"},
		{"entities", "<p>a &amp; b &lt;c&gt; &nbsp;d</p>", "a & b <c> d"},
		{"image alt", `<p><img src="x.png" alt="Logo"> Agentur</p>`, "Logo Agentur"},
		{"hr", "<p>a</p><hr><p>b</p>", "a\n\n---\n\nb"},
		{"pre keeps whitespace", "<pre>a  b\n  c</pre>", "a  b\n  c"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, HTMLToText(tt.in))
		})
	}
}
