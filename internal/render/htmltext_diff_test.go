package render

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// The streaming HTMLToText must say what the tree-based htmlToTextTree
// said. These tests compare the two on a corpus of realistic e-mails
// (testdata/htmltext, one file per case), on documents generated from a
// grammar of well-formed e-mail HTML, and on fuzzed inputs.

func TestHTMLToTextMatchesTree(t *testing.T) {
	t.Parallel()
	for name, src := range htmlCorpus(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			want := htmlToTextTree(src)
			require.NotEmpty(t, want)
			require.Equal(t, want, HTMLToText(src))
		})
	}
}

// TestHTMLToTextGenerated compares the converters on generated documents,
// which must all be ones the tree builder keeps as written.
func TestHTMLToTextGenerated(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		choices := make([]byte, 1+rng.IntN(600))
		for i := range choices {
			choices[i] = byte(rng.Uint32())
		}
		doc := generateHTML(choices)
		require.True(t, sameStructure(doc), "the tree builder rearranges %q", doc)
		require.Equal(t, htmlToTextTree(doc), HTMLToText(doc), "input %q", doc)
	}
}

// FuzzHTMLToTextMatchesTree compares the converters on the fuzzed input
// where the rule of sameStructure allows, and always on the document the
// grammar generates from the input's bytes.
func FuzzHTMLToTextMatchesTree(f *testing.F) {
	for _, src := range htmlCorpus(f) {
		f.Add(src)
	}
	for _, s := range htmlToTextSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if sameStructure(in) {
			if want, got := htmlToTextTree(in), HTMLToText(in); want != got {
				t.Fatalf("input %q\ntree:   %q\nstream: %q", in, want, got)
			}
		}
		doc := generateHTML([]byte(in))
		if !sameStructure(doc) {
			t.Fatalf("the tree builder rearranges generated %q", doc)
		}
		if want, got := htmlToTextTree(doc), HTMLToText(doc); want != got {
			t.Fatalf("generated %q\ntree:   %q\nstream: %q", doc, want, got)
		}
	})
}

func htmlCorpus(t testing.TB) map[string]string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "htmltext", "*.html"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	corpus := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		corpus[strings.TrimSuffix(filepath.Base(f), ".html")] = string(b)
	}
	return corpus
}

// sameStructure is the rule for comparing the converters on arbitrary
// input: html.Parse must build exactly the body the tokens spell out. The
// body's tree, flattened to start tags (with attributes), end tags and
// merged text, must equal the token stream from the first token that
// starts the body, where
//
//   - a void element has no end tag, a self-closing tag of another
//     element is a start and an end tag;
//   - <html>, <head>, <body> and <tbody> tags are left out on both sides
//     (the tree builder adds them where they are missing);
//   - comments and the doctype are left out;
//   - the text gets what the tree builder does to all text: leading
//     whitespace before the body, NULs and the first newline in <pre>,
//     <listing> and <textarea> are dropped.
//
// Where the tree builder moves, adds or drops elements or text (implicit
// ends, foster parenting in tables, formatting elements reopened, nesting
// beyond its 512 limit), the converters may differ and the input is not
// compared; TestHTMLToTextImplied checks the common cases of those.
func sameStructure(src string) bool {
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil {
		return false
	}
	body := findElement(doc, atom.Body)
	if body == nil {
		return false
	}
	var tree flatEvents
	tree.node(body)
	return slices.Equal(tree.list, tokenEvents(src))
}

func findElement(n *html.Node, a atom.Atom) *html.Node {
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		if ch.Type == html.ElementNode && ch.DataAtom == a {
			return ch
		}
		if found := findElement(ch, a); found != nil {
			return found
		}
	}
	return nil
}

// flatEvents is a document flattened to tags and text.
type flatEvents struct{ list []string }

func (e *flatEvents) text(s string) {
	if s == "" {
		return
	}
	if n := len(e.list); n > 0 && strings.HasPrefix(e.list[n-1], "text:") {
		e.list[n-1] += s
		return
	}
	e.list = append(e.list, "text:"+s)
}

func (e *flatEvents) tag(prefix, name string, attrs []html.Attribute) {
	var b strings.Builder
	b.WriteString(prefix + name)
	for _, a := range attrs {
		b.WriteString(" " + a.Namespace + ":" + a.Key + "=" + a.Val)
	}
	e.list = append(e.list, b.String())
}

// node adds the content of n.
func (e *flatEvents) node(n *html.Node) {
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		switch ch.Type {
		case html.TextNode:
			e.text(ch.Data)
		case html.ElementNode:
			if wrapperElement(ch.DataAtom) && ch.Namespace == "" {
				e.node(ch)
				continue
			}
			e.tag("<", ch.Data, ch.Attr)
			e.node(ch)
			if !voidElement(ch.DataAtom) || ch.Namespace != "" {
				e.tag("</", ch.Data, nil)
			}
		}
	}
}

func tokenEvents(src string) []string {
	var e flatEvents
	z := html.NewTokenizer(strings.NewReader(src))
	inBody, inRaw := false, false
	for z.Next() != html.ErrorToken {
		tok := z.Token()
		if !inBody {
			// The text of a <style>, <title> or the like in the head is its own.
			if inRaw || !startsBody(tok) {
				inRaw = tok.Type == html.StartTagToken && rawTextElement(tok.DataAtom)
				continue
			}
			inBody = true
			tok.Data = strings.TrimLeft(tok.Data, htmlSpace)
		}
		switch tok.Type {
		case html.TextToken:
			s := strings.ReplaceAll(tok.Data, "\x00", "")
			if n := len(e.list); n > 0 && firstNewlineDropped(e.list[n-1]) {
				s = strings.TrimPrefix(s, "\n")
			}
			e.text(s)
		case html.StartTagToken, html.SelfClosingTagToken:
			if wrapperElement(tok.DataAtom) {
				continue
			}
			e.tag("<", tok.Data, tok.Attr)
			if tok.Type == html.SelfClosingTagToken && !voidElement(tok.DataAtom) {
				e.tag("</", tok.Data, nil)
			}
		case html.EndTagToken:
			if !wrapperElement(tok.DataAtom) {
				e.tag("</", tok.Data, nil)
			}
		}
	}
	return e.list
}

// startsBody reports whether the tree builder puts tok in the body rather
// than the head.
func startsBody(tok html.Token) bool {
	switch tok.Type {
	case html.TextToken:
		return strings.Trim(tok.Data, htmlSpace) != ""
	case html.StartTagToken, html.SelfClosingTagToken:
		return !headElement(tok.DataAtom)
	case html.EndTagToken:
		return tok.DataAtom == atom.Br || tok.DataAtom == atom.Body || tok.DataAtom == atom.Html
	}
	return false
}

func rawTextElement(a atom.Atom) bool {
	switch a {
	case atom.Script, atom.Style, atom.Title, atom.Noscript, atom.Noframes:
		return true
	}
	return false
}

func firstNewlineDropped(event string) bool {
	for _, p := range []string{"<pre", "<listing", "<textarea"} {
		if rest, ok := strings.CutPrefix(event, p); ok && (rest == "" || rest[0] == ' ') {
			return true
		}
	}
	return false
}

func wrapperElement(a atom.Atom) bool {
	return a == atom.Html || a == atom.Head || a == atom.Body || a == atom.Tbody
}

func voidElement(a atom.Atom) bool {
	switch a {
	case atom.Area, atom.Base, atom.Br, atom.Col, atom.Embed, atom.Hr, atom.Img, atom.Input,
		atom.Keygen, atom.Link, atom.Meta, atom.Param, atom.Source, atom.Track, atom.Wbr:
		return true
	}
	return false
}

// generateHTML builds a well-formed e-mail-like document, taking its
// choices from the bytes of choices; when they run out, it closes what is
// open and stops. Every element is closed explicitly, blocks never stand
// in paragraphs or links, and table parts stand only in tables, so the
// tree builder keeps the document as written.
func generateHTML(choices []byte) string {
	g := &htmlGen{choices: choices, budget: 150}
	g.document()
	return g.b.String()
}

type htmlGen struct {
	choices []byte
	b       strings.Builder
	budget  int // elements left to generate
}

// pick returns a choice in [0, n); 0 once the choices run out.
func (g *htmlGen) pick(n int) int {
	if len(g.choices) == 0 {
		return 0
	}
	c := g.choices[0]
	g.choices = g.choices[1:]
	return int(c) % n
}

func (g *htmlGen) one(options ...string) { g.b.WriteString(options[g.pick(len(options))]) }

func (g *htmlGen) document() {
	g.one("", "<!DOCTYPE html>\n", "<!doctype html>",
		`<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">`+"\n",
		`<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.0 Transitional//EN">`)
	if g.pick(2) == 0 {
		g.flow(0)
		return
	}
	g.b.WriteString("<html>\n")
	if g.pick(2) == 1 {
		g.b.WriteString("<head>")
		for range g.pick(4) {
			g.one(`<meta charset="utf-8">`, "<title>Betreff &amp; mehr</title>",
				"<style>p { color: red } /* <p>x</p> */</style>", "\n  ", "<!-- Kopf -->")
		}
		g.b.WriteString("</head>\n")
	}
	g.one("<body>", `<body style="margin:0">`)
	g.flow(0)
	g.b.WriteString("</body>\n</html>")
	g.one("", "\n", "\n\n")
}

// flow writes a sequence of flow content (blocks, text, inline elements).
func (g *htmlGen) flow(depth int) {
	for n := g.pick(6); n > 0; n-- {
		g.flowItem(depth)
		g.space()
	}
}

func (g *htmlGen) flowItem(depth int) {
	if g.budget--; g.budget <= 0 || depth > 7 {
		g.text()
		return
	}
	switch g.pick(15) {
	case 0:
		g.text()
	case 1:
		g.element("<p>", "</p>", func() { g.phrasing(depth + 1) })
	case 2:
		g.element(`<div style="padding:4px">`, "</div>", func() { g.flow(depth + 1) })
	case 3:
		g.element("<h1>", "</h1>", func() { g.phrasing(depth + 1) })
	case 4:
		g.list(depth, "<ul>", "</ul>")
	case 5:
		g.list(depth, g.pickString(`<ol>`, `<ol start="3">`, `<ol start="x">`, `<ol start="-2">`), "</ol>")
	case 6:
		g.table(depth)
	case 7:
		g.pre(depth)
	case 8:
		g.element("<blockquote>", "</blockquote>", func() { g.flow(depth + 1) })
	case 9:
		g.one("<hr>", "<hr/>", `<hr style="border:0">`)
	case 10:
		g.element(g.pickString("<section>", "<center>", "<footer>", "<address>"), "", func() { g.flow(depth + 1) })
	case 11:
		g.element("<dl>", "</dl>", func() {
			g.element("<dt>", "</dt>", func() { g.phrasing(depth + 1) })
			g.element("<dd>", "</dd>", func() { g.flow(depth + 1) })
		})
	case 12:
		g.one("<!-- Kommentar -->", "<script>var a = '<p>';</script>", "<style>.x{}</style>", "<noscript>aus</noscript>")
	default:
		g.phrasingItem(depth, true)
	}
}

// element writes open, the content and the matching end tag (close, or
// derived from open when empty).
func (g *htmlGen) element(open, close string, content func()) {
	if close == "" {
		name, _, _ := strings.Cut(strings.Trim(open, "<>"), " ")
		close = "</" + name + ">"
	}
	g.b.WriteString(open)
	content()
	g.b.WriteString(close)
}

func (g *htmlGen) pickString(options ...string) string { return options[g.pick(len(options))] }

func (g *htmlGen) list(depth int, open, close string) {
	g.element(open, close, func() {
		for n := g.pick(4); n > 0; n-- {
			g.space()
			g.element("<li>", "</li>", func() { g.flow(depth + 1) })
		}
		g.space()
	})
}

func (g *htmlGen) table(depth int) {
	g.element(g.pickString("<table>", `<table width="100%" cellpadding="0">`), "</table>", func() {
		g.space()
		if g.pick(4) == 1 {
			g.element("<caption>", "</caption>", func() { g.phrasing(depth + 1) })
		}
		tbody := g.pick(2) == 1
		if tbody {
			g.b.WriteString("<tbody>")
		}
		for n := g.pick(4); n > 0; n-- {
			g.space()
			g.element("<tr>", "</tr>", func() {
				for m := g.pick(4); m > 0; m-- {
					g.space()
					g.element(g.pickString("<td>", "<th>", `<td align="right">`), "", func() { g.flow(depth + 1) })
				}
			})
		}
		if tbody {
			g.b.WriteString("</tbody>")
		}
		g.space()
	})
}

func (g *htmlGen) pre(depth int) {
	g.element("<pre>", "</pre>", func() {
		g.one("", "\n", "\n\n", "  ")
		for n := g.pick(5); n > 0; n-- {
			switch g.pick(4) {
			case 0:
				g.one("a  b\n  c", "\tTab\n", " x ", "&lt;tag&gt;  ")
			case 1:
				g.element("<b>", "</b>", func() { g.text() })
			case 2:
				g.link(depth + 1)
			default:
				g.text()
			}
		}
	})
}

// phrasing writes a sequence of inline content.
func (g *htmlGen) phrasing(depth int) {
	for n := g.pick(5); n > 0; n-- {
		g.phrasingItem(depth, true)
	}
}

func (g *htmlGen) phrasingItem(depth int, links bool) {
	if g.budget--; g.budget <= 0 || depth > 9 {
		g.text()
		return
	}
	switch g.pick(9) {
	case 0, 1:
		g.text()
	case 2:
		g.element(g.pickString("<b>", "<strong>", "<em>", "<span>", `<font color="red">`, "<code>"), "", func() { g.inline(depth+1, links) })
	case 3:
		if links {
			g.link(depth)
			return
		}
		g.text()
	case 4:
		g.one("<br>", "<br/>", "<br />")
	case 5:
		g.one(`<img src="a.png" alt="Logo">`, `<img src="a.png">`, `<img alt=" Bild &amp; Text ">`, `<img alt="">`)
	case 6:
		g.one("<!-- c -->", "&nbsp;", " &amp; ", "\n")
	default:
		g.text()
	}
}

func (g *htmlGen) inline(depth int, links bool) {
	for n := g.pick(4); n > 0; n-- {
		g.phrasingItem(depth, links)
	}
}

func (g *htmlGen) link(depth int) {
	href := g.pickString(`https://x.de/a?b=1&amp;c=2`, "mailto:info@x.de", "#top", "javascript:void(0)", "", "https://x.de", " https://x.de/s ")
	g.b.WriteString(`<a href="` + href + `">`)
	switch g.pick(4) {
	case 0:
	case 1:
		g.b.WriteString(strings.TrimSpace(strings.ReplaceAll(href, "&amp;", "&")))
	default:
		g.inline(depth+1, false)
	}
	g.b.WriteString("</a>")
}

var genWords = []string{"Hallo", "Ann,", "Einsatz", "Köln", "12.–16.", "April", "&amp;", "&euro;", "&lt;b&gt;",
	"&#8211;", "&#x2014;", "https://x.de", "Grüße", "&nbsp;", "a&nbsp;b", "x", "–", "🎉", "&quot;Zitat&quot;"}

func (g *htmlGen) text() {
	for n := 1 + g.pick(4); n > 0; n-- {
		g.b.WriteString(genWords[g.pick(len(genWords))])
		g.one(" ", "", "\n", "  ", "\t")
	}
}

// space writes whitespace that may stand anywhere, tables included.
func (g *htmlGen) space() { g.one("", "\n", " ", "\n  ") }
