package render

import (
	"bytes"
	"strings"
	"sync"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// HTMLToText derives a readable plain-text body from an HTML body, for
// templates that have no text part of their own:
//
//   - paragraphs, headings, block elements and <br> become line breaks
//     (a blank line between paragraphs and around headings);
//   - links become "text (url)", or just the url when the text is the url;
//   - list items start with "- " (numbered "1. " in <ol>);
//   - table cells are separated by a space, rows by a line break;
//   - images show their alt text; <hr> becomes "---";
//   - script, style, head and other invisible elements are dropped;
//   - whitespace is collapsed except inside <pre>.
//
// It runs once per message of a mailing, so it converts in one pass over
// the HTML tokens instead of building a document tree, and follows the
// HTML5 tree builder's rules where they show in the text: a <p>, <li> or
// <td> left open ends where the next one starts, stray end tags are
// ignored, </br> is a <br>. Elements nested deeper than 512 count as
// inline, which keeps time linear and memory bounded.
func HTMLToText(src string) string {
	c := newTextConv(src)
	c.run()
	text := string(c.root.trimmed())
	c.release()
	return text
}

// convPool keeps converters with their buffers between messages: a
// mailing converts one body per message, and reusing the tokenizer's
// buffer, the output buffer, the open elements and the link labels leaves
// the returned string as the conversion's main allocation.
var convPool = sync.Pool{New: func() any { return new(textConv) }}

// maxPooledBuf is the largest output buffer a pooled converter keeps, so
// that one huge body does not pin its buffer in the pool.
const maxPooledBuf = 64 << 10

// maxOpen bounds the open elements textConv keeps track of; html.Parse
// refuses documents nested deeper than this.
const maxOpen = 512

// textConv converts an HTML token stream to text. Of the open elements it
// keeps only those that shape the text (blocks, lists, table parts, links)
// and closes them as the HTML5 tree builder would.
type textConv struct {
	src strings.Reader // the HTML the tokenizer reads
	z   html.Tokenizer
	// fresh is a tokenizer as html.NewTokenizer made it for src, kept to
	// start every conversion from: x/net/html has no Reset, and a new
	// tokenizer costs a 4 KB buffer per message. Copying fresh over z
	// resets every field; the copy shares fresh's buffer, whose bytes a
	// conversion may overwrite since a new tokenizer reads none it has not
	// filled itself. A buffer z grows is left to z.
	fresh *html.Tokenizer
	root  textOut
	out   *textOut   // the root, or the label of the innermost open link
	open  openElems  // open elements that shape the text
	spare []*textOut // labels of closed links, for reuse
	skip  skipper    // the hidden element being dropped, if any

	begun  bool // past the point where a doctype counts
	quirks bool // quirks mode (no or an old doctype): <table> does not end an open <p>
	body   bool // past the document's head
	dropLF bool // the next text starts a <pre>, <listing> or <textarea>, whose first newline is dropped
}

// newTextConv returns a converter for src from convPool, its state as new
// and its buffers kept; release gives it back.
func newTextConv(src string) *textConv {
	c := convPool.Get().(*textConv)
	c.reset(src)
	return c
}

// reset prepares c to convert src as a new converter would, keeping the
// buffers of its earlier conversions.
func (c *textConv) reset(src string) {
	buf, lists, spare, fresh := c.root.buf[:0], c.root.lists[:0], c.spare, c.fresh
	if cap(buf) < len(src)+64 {
		buf = make([]byte, 0, len(src)+64)
	}
	if fresh == nil {
		fresh = html.NewTokenizer(&c.src)
	}
	c.src.Reset(src)
	*c = textConv{src: c.src, z: *fresh, root: textOut{buf: buf, lists: lists}, spare: spare, fresh: fresh}
	c.out = &c.root
	c.open.init()
}

// release returns c to convPool once its output has been copied.
func (c *textConv) release() {
	c.z = html.Tokenizer{} // drops a grown buffer
	c.src.Reset("")
	if cap(c.root.buf) > maxPooledBuf {
		c.root.buf = nil
	}
	convPool.Put(c)
}

func (c *textConv) run() {
	for {
		tt := c.z.Next()
		dropLF := c.dropLF
		c.dropLF = false
		switch tt {
		case html.ErrorToken: // the end of the input: a string reader fails no other way
			c.popTo(0)
			return
		case html.TextToken:
			c.onText(c.z.Text(), dropLF)
		case html.StartTagToken, html.SelfClosingTagToken:
			c.onStart(c.tagAtom(len("<")), tt == html.SelfClosingTagToken)
		case html.EndTagToken:
			c.onEnd(c.tagAtom(len("</")))
		case html.DoctypeToken:
			if !c.begun {
				c.begun = true
				if d := c.z.Text(); string(d) != "html" { // the common case, without a copy
					c.quirks = quirksMode(string(d))
				}
			}
		}
	}
}

// begin notes content before any doctype: the document is in quirks mode.
func (c *textConv) begin() {
	if !c.begun {
		c.begun = true
		c.quirks = true
	}
}

func (c *textConv) onText(s []byte, dropLF bool) {
	if c.skip.a != 0 {
		return
	}
	if dropLF && len(s) > 0 && s[0] == '\n' {
		s = s[1:]
	}
	if bytes.IndexByte(s, 0) >= 0 { // the tree builder drops NULs from text
		s = bytes.ReplaceAll(s, []byte{0}, nil)
	}
	if len(s) == 0 { // no text: in <pre> it would still flush breaks
		return
	}
	if !c.body && len(bytes.Trim(s, htmlSpace)) > 0 {
		c.begin()
		c.body = true
	}
	c.out.text(s)
}

// htmlSpace is what HTML counts as whitespace between tokens.
const htmlSpace = " \t\n\f\r"

func (c *textConv) onStart(a atom.Atom, selfClosing bool) {
	c.begin()
	if c.skip.a != 0 && !c.skipStart(a, selfClosing) {
		return
	}
	if !c.body && !headElement(a) {
		c.body = true
	}
	if c.hidden(a, selfClosing) {
		c.skip = skipper{a: a, depth: 1}
		return
	}
	c.startTag(a)
}

func (c *textConv) onEnd(a atom.Atom) {
	c.begin()
	if c.skip.a != 0 && !c.skipEnd(a) {
		return
	}
	switch a {
	case atom.Br, atom.Body, atom.Html:
		c.body = true
	}
	c.endTag(a)
}

// headElement reports whether a start tag may stand in a document's head;
// any other starts the body.
func headElement(a atom.Atom) bool {
	switch a {
	case atom.Html, atom.Head, atom.Base, atom.Basefont, atom.Bgsound, atom.Link, atom.Meta,
		atom.Noframes, atom.Noscript, atom.Script, atom.Style, atom.Template, atom.Title:
		return true
	}
	return false
}

// tagAtom returns the atom of the current tag's name, read from the raw
// token after its prefix ("<" or "</"): Tokenizer.TagName would allocate
// a copy for every tag. Names longer than any the converter knows are 0.
func (c *textConv) tagAtom(prefix int) atom.Atom {
	var name [16]byte
	n := 0
	for _, b := range c.z.Raw()[prefix:] {
		switch b {
		case ' ', '\n', '\r', '\t', '\f', '/', '>':
			return atom.Lookup(name[:n])
		}
		if n == len(name) {
			return 0
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		name[n] = b
		n++
	}
	return atom.Lookup(name[:n])
}

// attr returns the value of the current tag's attribute key, or nil. It
// reads the tag's attributes, so it can be called once per tag.
func (c *textConv) attr(key string) []byte {
	for more := true; more; {
		var k, v []byte
		k, v, more = c.z.TagAttr()
		if string(k) == key {
			return v
		}
	}
	return nil
}
