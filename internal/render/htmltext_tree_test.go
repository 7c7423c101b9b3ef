package render

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlToTextTree is the tree-based HTMLToText that the streaming converter
// replaced, kept verbatim (but for names) as the reference the differential
// tests and benchmarks compare against. It derives a readable plain-text
// body from an HTML body:
//
//   - paragraphs, headings, block elements and <br> become line breaks
//     (a blank line between paragraphs and around headings);
//   - links become "text (url)", or just the url when the text is the url;
//   - list items start with "- " (numbered "1. " in <ol>);
//   - table cells are separated by a space, rows by a line break;
//   - images show their alt text; <hr> becomes "---";
//   - script, style, head and other invisible elements are dropped;
//   - whitespace is collapsed except inside <pre>.
func htmlToTextTree(src string) string {
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil { // the reader cannot fail; html.Parse refuses nesting deeper than 512 elements
		return ""
	}
	c := &treeConv{}
	c.walk(doc)
	return c.result()
}

// treeConv accumulates text, turning pending breaks into line breaks only
// when more text follows.
type treeConv struct {
	b      strings.Builder
	breaks int // line breaks owed before the next text
	pre    int // depth of <pre>
	space  bool
	lists  []int // per open list: -1 for <ul>, else the next number of <ol>
}

// treeBlockBreaks says how many line breaks surround each block element.
var treeBlockBreaks = map[atom.Atom]int{
	atom.P: 2, atom.H1: 2, atom.H2: 2, atom.H3: 2, atom.H4: 2, atom.H5: 2, atom.H6: 2,
	atom.Blockquote: 2, atom.Pre: 2, atom.Table: 2, atom.Ul: 2, atom.Ol: 2,
	atom.Div: 1, atom.Li: 1, atom.Tr: 1, atom.Section: 1, atom.Article: 1,
	atom.Header: 1, atom.Footer: 1, atom.Address: 1, atom.Center: 1, atom.Dl: 1,
	atom.Dt: 1, atom.Dd: 1, atom.Figure: 1, atom.Form: 1, atom.Main: 1, atom.Nav: 1,
}

// treeHidden elements contribute no text.
var treeHidden = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Head: true, atom.Title: true,
	atom.Noscript: true, atom.Template: true, atom.Iframe: true, atom.Object: true,
	atom.Svg: true, atom.Select: true,
}

func (c *treeConv) walk(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		c.text(n.Data)
		return
	case html.ElementNode:
		if treeHidden[n.DataAtom] {
			return
		}
		if c.element(n) {
			return
		}
	}
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		c.walk(ch)
	}
}

// element handles an element and reports whether its children are done.
func (c *treeConv) element(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Br:
		c.lineBreak()
		return true
	case atom.Hr:
		c.block(1)
		c.word("---")
		c.block(1)
		return true
	case atom.Img:
		if alt := strings.TrimSpace(treeAttr(n, "alt")); alt != "" {
			c.text(alt)
		}
		return true
	case atom.A:
		c.link(n)
		return true
	case atom.Li:
		c.listItem(n)
		return true
	case atom.Td, atom.Th:
		c.space = true
	case atom.Ul, atom.Ol:
		c.list(n)
		return true
	case atom.Pre:
		c.block(2)
		c.pre++
		c.children(n)
		c.pre--
		c.block(2)
		return true
	}
	if k := treeBlockBreaks[n.DataAtom]; k > 0 {
		c.block(k)
		c.children(n)
		c.block(k)
		return true
	}
	return false
}

func (c *treeConv) children(n *html.Node) {
	for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
		c.walk(ch)
	}
}

func (c *treeConv) link(n *html.Node) {
	href := strings.TrimSpace(treeAttr(n, "href"))
	sub := &treeConv{}
	sub.children(n)
	label := strings.TrimSpace(sub.result())
	show := href != "" && !strings.HasPrefix(href, "#") && !strings.HasPrefix(strings.ToLower(href), "javascript:")
	target := strings.TrimPrefix(href, "mailto:")
	switch {
	case label == "" && show:
		c.text(target)
	case show && label != target && label != href:
		c.text(label + " (" + target + ")")
	default:
		c.text(label)
	}
}

func (c *treeConv) list(n *html.Node) {
	next := -1
	if n.DataAtom == atom.Ol {
		next = 1
		if s, err := strconv.Atoi(treeAttr(n, "start")); err == nil {
			next = s
		}
	}
	gap := 2
	if len(c.lists) > 0 { // a nested list continues its item
		gap = 1
	}
	c.block(gap)
	c.lists = append(c.lists, next)
	c.children(n)
	c.lists = c.lists[:len(c.lists)-1]
	c.block(gap)
}

func (c *treeConv) listItem(n *html.Node) {
	c.block(1)
	marker := "- "
	if k := len(c.lists); k > 0 && c.lists[k-1] >= 0 {
		marker = strconv.Itoa(c.lists[k-1]) + ". "
		c.lists[k-1]++
	}
	if k := len(c.lists); k > 1 {
		marker = strings.Repeat("  ", min(k-1, 10)) + marker
	}
	c.word(marker)
	c.space = false
	c.children(n)
	c.block(1)
}

// text adds text content, collapsing whitespace outside <pre>.
func (c *treeConv) text(s string) {
	if c.pre > 0 {
		c.flushBreaks()
		c.b.WriteString(s)
		return
	}
	if treeStartsSpace(s) {
		c.space = true
	}
	for i, w := range strings.Fields(s) {
		if i > 0 {
			c.space = true
		}
		c.word(w)
	}
	if treeEndsSpace(s) {
		c.space = true
	}
}

func treeStartsSpace(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsSpace(r)
}

func treeEndsSpace(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return unicode.IsSpace(r)
}

// word writes w, preceded by owed breaks or a pending space.
func (c *treeConv) word(w string) {
	if c.breaks > 0 {
		c.flushBreaks()
	} else if c.space && c.b.Len() > 0 {
		c.b.WriteByte(' ')
	}
	c.space = false
	c.b.WriteString(w)
}

func (c *treeConv) flushBreaks() {
	if c.b.Len() > 0 {
		c.b.WriteString(strings.Repeat("\n", c.breaks))
	}
	c.breaks = 0
	c.space = false
}

// block owes at least k line breaks before the next text.
func (c *treeConv) block(k int) { c.breaks = max(c.breaks, k) }

// lineBreak owes one more line break (for <br>, which may repeat), at
// most a blank line, and none at the very start.
func (c *treeConv) lineBreak() {
	if c.b.Len() > 0 {
		c.breaks = min(c.breaks+1, 2)
	}
}

// result trims trailing spaces from lines and surrounding blank lines.
func (c *treeConv) result() string {
	lines := strings.Split(c.b.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t")
	}
	return strings.Trim(strings.Join(lines, "\n"), "\n")
}

func treeAttr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}
