package render

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

// TestHTMLToTextImplied covers what the HTML5 tree builder does implicitly
// and a token stream must do by itself; each case gives what html.Parse
// and the tree walk that HTMLToText replaced gave.
func TestHTMLToTextImplied(t *testing.T) {
	t.Parallel()
	for _, tt := range htmlToTextImpliedCases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, HTMLToText(tt.in))
			require.Equal(t, tt.want, htmlToTextTree(tt.in), "the tree-based converter disagrees")
		})
	}
}

var htmlToTextImpliedCases = []struct {
	name, in, want string
}{
	{"block ends paragraph", "<p>a<div>b</div>c</p>", "a\n\nb\nc"},
	{"paragraph ends paragraph", "<p>Text<p>Text2", "Text\n\nText2"},
	{"list ends paragraph", "<p>a<ul><li>b</ul>c", "a\n\n- b\n\nc"},
	{"hr ends paragraph", "<p>a<hr>b", "a\n\n---\nb"},
	{"item ends item", "<ul><li>a<li>b<li>c</ul>d", "- a\n- b\n- c\n\nd"},
	{"item ends item past a div", "<li>a<div><li>b", "- a\n- b"},
	{"nested ol items", "<ol><li>a<ol><li>b<li>c</ol><li>d</ol>", "1. a\n  1. b\n  2. c\n2. d"},
	{"dt and dd end each other", "<dl><dt>a<dd>b<dt>c<dd>d</dl>", "a\nb\nc\nd"},
	{"cells and rows end each other", "<table><tr><td>a<td>b<tr><td>c</table>d", "a b\nc\n\nd"},
	{"cells without a row", "<table><td>a</td><td>b</td></table>", "a b"},
	{"caption then a cell", "<table><caption>Kopf</caption><td>a</td></table>", "Kopf\na"},
	{"nested tables", "<table><tr><td>a<table><tr><td>b</table>c</table>", "a\n\nb\n\nc"},
	{"table in a row ends the table", "<table><tr><table><tr><td>x</td></tr></table>", "x"},
	{"table parts outside a table", "a<td>b<tr>c</tr>d", "abcd"},
	{"br between cells moves before the table", "<table><tr><td>a</td><br><td>b</td></tr></table>", "a b"},
	{"stray </p> between cells", "<table><tr><td><p>a</td></p><td>b</td></tr></table>", "a\n\nb"},
	{"end tag does not close past a cell", "<div><table><tr><td>a</div>b</td></tr></table>c", "ab\n\nc"},
	{"stray </p> is an empty paragraph", "a</p>b", "a\n\nb"},
	{"</br> is a br", "a</br>b", "a\nb"},
	{"stray end tags", "</div>a</span>b</li>c", "abc"},
	{"inline end tag does not close a block", "<b><p>a</b>b</p>", "ab"},
	{"any heading ends a heading", "<h1>a<h2>b</h1>c", "a\n\nb\n\nc"},
	{"form in a form is ignored", "<form><p>a<form>b</form>c</form>d", "ab\n\ncd"},
	{"button ends a paragraph's scope", "<button><p>a</button>b<div>c", "a\n\nb\nc"},
	{"a link ends an open link", `<a href="https://x.de/1">eins<a href="https://x.de/2">zwei</a>`, "eins (https://x.de/1)zwei (https://x.de/2)"},
	{"unclosed link", `<a href="https://x.de/1">offen`, "offen (https://x.de/1)"},
	{"pre drops its first newline", "<pre>\nx\n</pre>", "x"},
	{"pre drops only one newline", "<pre>\n\nx</pre>", "x"},
	{"textarea drops its first newline", "<textarea>\nx</textarea>", "x"},
	{"NULs dropped", "a\x00b<pre>\x00\nc</pre>", "ab\n\n\nc"},
	{"head without end tag", "<head><title>T</title><p>x", "x"},
	{"body content in the head", "<head><p>x</p></head>", "x"},
	{"head after the body is ignored", "<p>a</p><head><title>t</title></head>b", "a\n\nb"},
	{"noframes hidden only in the head", "<noframes>n</noframes><p>x</p><noframes>m</noframes>", "x\n\nm"},
	{"html element leaves svg", "<svg><p>x</p></svg>y", "x\n\ny"},
	{"end tag around svg closes it", "<div><svg><circle/></div>x", "x"},
	{"svg title is hidden", "<svg><title>t</title>x</svg>y", "y"},
	{"no doctype: table stays in the paragraph", "<p>a<table><tr><td>b</td></tr></table>c<div>d</div>", "a\n\nb\n\nc\n\nd"},
	{"doctype: table ends the paragraph", "<!DOCTYPE html><p>a<table><tr><td>b</td></tr></table>c<div>d</div>", "a\n\nb\n\nc\nd"},
	{"select ends at </select>", "<select><option>x</select>y", "y"},
	{"select ends at input", "<select><option>x<input>y", "y"},
	{"object hides markup", "<object><p>a</object>b", "b"},
	{"nested templates", "<template><p>a<template>b</template>c</template>d", "d"},
	{"raw text elements", "<script>a</script>b<style>c</style>d<title>t</title>e", "bde"},
	{"plaintext", "a<plaintext><p>b</p>", "a<p>b</p>"},
	{"xmp", "<xmp><p>a</p></xmp>b", "<p>a</p>b"},
	{"image is img", "x<image alt=Bild>y", "xBildy"},
}

// TestHTMLToTextReopenedLink documents where the converters differ: the
// tree builder reopens a link that an implicitly closed element cut off
// in the next element, the token stream does not.
func TestHTMLToTextReopenedLink(t *testing.T) {
	t.Parallel()
	in := `<ul><li><a href="x">y<li>z</ul>`
	require.Equal(t, "- y (x)\n- z (x)", htmlToTextTree(in))
	require.Equal(t, "- y (x)\n- z", HTMLToText(in))
}

// TestHTMLToTextLarge checks that deep nesting and long inputs cost linear
// time and bounded memory. html.Parse refuses nesting beyond 512 elements,
// so the tree-based converter returned nothing for the deep cases.
func TestHTMLToTextLarge(t *testing.T) {
	t.Parallel()
	const deep = 10_000
	para := "<p>Hallo <b>Person</b> &amp; Co., <a href=\"https://x.de/p?id=1\">hier</a> klicken.</p>\n"
	tests := []struct {
		name  string
		in    string
		check func(t *testing.T, out string)
	}{
		{"nested divs", strings.Repeat("<div>", deep) + "x" + strings.Repeat("</div>", deep) + "y", func(t *testing.T, out string) {
			require.Equal(t, "x\ny", out)
		}},
		{"nested lists", strings.Repeat("<ul><li>", deep) + "x" + strings.Repeat("</li></ul>", deep) + "y", func(t *testing.T, out string) {
			// Beyond the bound the lists no longer nest: each item ends the one before.
			lines := strings.Split(out, "\n")
			require.Len(t, lines, deep+2)
			require.Equal(t, strings.Repeat(" ", 20)+"- x", lines[deep-1])
			require.Equal(t, "y", lines[deep+1])
		}},
		{"nested links", strings.Repeat(`<a href="u"><table><tr><td>`, deep) + "x", func(t *testing.T, out string) {
			require.Equal(t, "x"+strings.Repeat(" (u)", maxOpen/4), out)
		}},
		{"links", strings.Repeat(`<a href="u">`, deep) + "x", func(t *testing.T, out string) {
			require.Equal(t, strings.Repeat("u", deep-1)+"x (u)", out) // each link ends the one before
		}},
		{"unclosed items", "<ol>" + strings.Repeat("<li>a", deep), func(t *testing.T, out string) {
			require.Equal(t, deep, strings.Count(out, "\n")+1)
			require.True(t, strings.HasSuffix(out, "\n10000. a"))
		}},
		{"1 MB newsletter", strings.Repeat(para, 1<<20/len(para)), func(t *testing.T, out string) {
			require.Equal(t, htmlToTextTree(strings.Repeat(para, 1<<20/len(para))), out)
		}},
		{"1 MB of text", strings.Repeat("Wort &amp; ", 1<<20/11), func(t *testing.T, out string) {
			require.Len(t, out, 1<<20/11*7-1)
		}},
		{"1 MB of items in deep divs", strings.Repeat("<div>", maxOpen) + strings.Repeat("<li>a", 1<<20/5), func(t *testing.T, out string) {
			require.Equal(t, strings.Repeat("a", 1<<20/5), out) // every item is beyond the bound
		}},
		{"1 MB of end tags in deep divs", strings.Repeat("<div>", maxOpen-1) + "<p>" + strings.Repeat("</li></td>", 1<<20/10) + "x", func(t *testing.T, out string) {
			require.Equal(t, "x", out)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The least time of up to three runs: input that costs more
			// than linear time fails every run, while a run slowed by a
			// machine busy with other tests (the suite runs packages side
			// by side) is measured again.
			elapsed := time.Duration(math.MaxInt64)
			for run := 0; run < 3 && elapsed >= time.Second; run++ {
				start := time.Now()
				c := newTextConv(tt.in)
				c.run()
				elapsed = min(elapsed, time.Since(start))
				require.LessOrEqual(t, cap(c.open.stack), 2*maxOpen) // bounded, whatever append's growth
				require.LessOrEqual(t, len(c.spare), maxOpen)
				tt.check(t, string(c.root.trimmed()))
			}
			t.Logf("%d bytes in %s", len(tt.in), elapsed)
			// Generous for the race detector: without it, each case
			// takes under 50 ms.
			require.Less(t, elapsed, time.Second)
		})
	}
}

// FuzzHTMLToText feeds arbitrary input: HTMLToText must not panic, must
// return in time, and its output must stay within 11 times the input. The
// largest output per input byte is a list item's marker: "<li>" (4 bytes)
// in a deeply nested list numbered from -9223372036854775808 gives a line
// of 20 spaces of indentation, the 20-character number, "." and a line
// break: 42 bytes.
func FuzzHTMLToText(f *testing.F) {
	for _, src := range htmlCorpus(f) {
		f.Add(src)
	}
	for _, s := range htmlToTextSeeds {
		f.Add(s)
	}
	f.Add(strings.Repeat("<ol start=-9223372036854775808>", 12) + strings.Repeat("<li>", 100))
	f.Fuzz(func(t *testing.T, in string) {
		watchdog := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("hang: %q", in)) })
		defer watchdog.Stop()
		start := time.Now()
		out := HTMLToText(in)
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("took %s for %d bytes", d, len(in))
		}
		if len(out) > 11*len(in) {
			t.Fatalf("%d bytes of text from %d bytes of HTML: %q", len(out), len(in), out)
		}
	})
}

// htmlToTextSeeds seed both fuzz targets.
var htmlToTextSeeds = func() []string {
	var seeds []string
	for _, tt := range htmlToTextImpliedCases {
		seeds = append(seeds, tt.in)
	}
	return append(seeds,
		"<p>Eins</p><p>Zwei</p>", "Zeile 1<br>Zeile 2<br/><br>Zeile 3",
		`<p>Bitte <a href="https://x.de/b?id=1">bestätigen</a>.</p>`, `<a href="mailto:info@x.de">Schreiben Sie uns</a>`,
		"<ul><li>A<ul><li>A1</li></ul></li><li>B</li></ul>", `<ol start="3"><li>drei</li><li>vier</li></ol>`,
		"<pre>a  b\n  c</pre>", "<p>a &amp; b &lt;c&gt; &nbsp;d</p>",
		"<svg><foreignObject><p>x</p></foreignObject><font color=red>y</font></svg>z",
		"<table><tr><td><select><option>a<td>b</select></td></tr></table>c",
	)
}()

// BenchmarkHTMLToText measures the converter on one message of the W2
// newsletter and on a table-heavy layout, against the tree-based one it
// replaced (the "tree" sub-benchmarks).
func BenchmarkHTMLToText(b *testing.B) {
	for _, name := range []string{"w2-newsletter", "table-layout"} {
		raw, err := os.ReadFile(filepath.Join("testdata", "htmltext", name+".html"))
		require.NoError(b, err)
		src := string(raw)
		for _, conv := range []struct {
			name string
			fn   func(string) string
		}{{"stream", HTMLToText}, {"tree", htmlToTextTree}} {
			b.Run(name+"/"+conv.name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(src)))
				for b.Loop() {
					conv.fn(src)
				}
			})
		}
	}
}

// TestHTMLToTextReusedConverter converts with a converter that has
// converted documents left unfinished in every state it keeps (an open
// link, list, <pre>, table, hidden element, quirks mode): the next
// document comes out as from a new converter.
func TestHTMLToTextReusedConverter(t *testing.T) {
	t.Parallel()
	unfinished := []string{
		`<p>Ein <a href="https://x.de/a">offener <b>Link`,
		`<ol start="7"><li>sieben<ul><li>tief<ol><li>tiefer`,
		"<pre>  vor\n  formatiert",
		`<table><tr><td>a<td>b<tr><td>c`,
		`<script>var x = "</p>";`,
		`<div><a href="#x">eins</a><a href="/y">zwei</a><a href="mailto:a@b.de">drei`,
		`text before any doctype <table><p>quirks`,
	}
	docs := htmlCorpus(t)
	// Documents whose text depends on the kept state.
	docs["standards mode"] = `<!DOCTYPE html><p>a<table><tr><td>b</td></tr></table>c<div>d</div>`
	docs["no doctype"] = `<p>a<table><tr><td>b</td></tr></table>c<div>d</div>`
	docs["item outside a list"] = `<li>lose</li><p>x</p><li>y`
	docs["text only"] = "schlicht   und\n einfach"
	reused := new(textConv)
	for name, src := range docs {
		want := htmlToTextTree(src)
		for _, u := range unfinished {
			reused.reset(u)
			reused.run()
			reused.reset(src)
			reused.run()
			require.Equal(t, want, string(reused.root.trimmed()), "%s after %q", name, u)
		}
	}
}
