package render

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/alloctest"
)

// TestHTMLToTextReusedTokenizer converts with a pooled converter whose
// tokenizer stopped in every state it has (inside a raw-text element, a
// tag, an attribute value, a comment, a doctype, a buffer grown past
// 4 KB): the next document comes out as from a new tokenizer, and so as
// the tree-based converter has it.
func TestHTMLToTextReusedTokenizer(t *testing.T) {
	t.Parallel()
	big := "<p>" + strings.Repeat("Ä viel Text <a href=\"https://x.de/ä\">Link</a> ", 200) // > 4 KB: the buffer grows
	unfinished := []string{
		"<textarea>offen\n<p>kein Absatz",
		"<title>ohne Ende",
		"<style>p { color: red }",
		"<plaintext><p>alles Text",
		`<a href="https://x.de/offen`,
		"<p class=x data-a='b",
		"<!-- offener Kommentar <p>",
		"<!DOCTYPE html PUBLIC \"-//W3C",
		"<![CDATA[ rest",
		"<p>Umlaute äöü und \x00 NUL",
		big,
	}
	docs := htmlCorpus(t)
	docs["big"] = big
	docs["tag at the start"] = `<a href="https://y.de">y</a> und <b>fett</b>`
	docs["text only"] = "schlicht   und\n einfach"
	for name, src := range docs {
		want := htmlToTextTree(src)
		for _, u := range unfinished {
			c := newTextConv(u)
			c.run()
			c.reset(src) // the same tokenizer buffer, as the pool gives it
			c.run()
			require.Equal(t, want, string(c.root.trimmed()), "%s after %.40q", name, u)
			c.release()
		}
	}
}

// TestHTMLToTextBytes pins what converting the W2 newsletter allocates:
// with the tokenizer's 4 KB buffer reused it is little more than the
// returned text (about 600 bytes).
func TestHTMLToTextBytes(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "htmltext", "w2-newsletter.html"))
	require.NoError(t, err)
	src := string(raw)
	got := alloctest.BytesPerRun(t, 200, func() { HTMLToText(src) })
	require.Less(t, got, 1500.0, "bytes allocated per conversion")
}
