package render

import (
	"bytes"
	"strconv"
	"strings"

	"golang.org/x/net/html/atom"
)

// The rules below follow the HTML5 tree builder's "in body" and table
// insertion modes (https://html.spec.whatwg.org/#parsing-main-inbody) for
// the elements textConv keeps open; the others (inline ones such as <b>
// or <span>) add nothing to the text, so their tags are ignored.

func (c *textConv) startTag(a atom.Atom) {
	switch k := kindOf(a); {
	case k >= kindP:
		c.closeP()
		c.push(a, k)
	case k != notKept:
		c.startKept(a, k)
	default:
		c.startOther(a)
	}
}

// startOther handles a start tag of an element that is not kept open.
func (c *textConv) startOther(a atom.Atom) {
	switch a {
	case atom.Br:
		if !c.inTableBody() { // the tree builder moves it before the table, whose break absorbs it
			c.out.lineBreak()
		}
	case atom.Hr:
		c.closeP()
		c.out.rule()
	case atom.Img, atom.Image:
		if alt := bytes.TrimSpace(c.attr("alt")); len(alt) > 0 {
			c.out.text(alt)
		}
	case atom.Textarea:
		c.dropLF = true
	case atom.Xmp, atom.Plaintext:
		c.closeP()
	case atom.Tbody, atom.Thead, atom.Tfoot:
		c.clearToTable()
	}
}

func (c *textConv) startKept(a atom.Atom, k kind) {
	switch k {
	case kindA:
		c.startLink()
	case kindUl, kindOl:
		c.closeP()
		c.startList(a, k)
	case kindLi:
		c.closeItem([]kind{kindLi}, []kind{kindDd, kindDt})
		c.closeP()
		c.push(a, k)
	case kindDd, kindDt:
		c.closeItem([]kind{kindDd, kindDt}, []kind{kindLi})
		c.closeP()
		c.push(a, k)
	case kindHeading:
		c.closeP()
		if c.open.len() > 0 && c.open.top().kind == kindHeading {
			c.popTo(c.open.len() - 1)
		}
		c.push(a, k)
	case kindPre, kindListing:
		c.closeP()
		c.push(a, k)
		c.dropLF = true
	case kindButton:
		if i := c.open.inScope(scopeDefault, kindButton); i >= 0 {
			c.popTo(i)
		}
		c.push(a, k)
	case kindForm:
		c.startForm()
	case kindTable:
		c.startTable()
	case kindCaption, kindTr, kindTd, kindTh:
		c.startTablePart(a, k)
	default: // applet, marquee
		c.push(a, k)
	}
}

func (c *textConv) endTag(a atom.Atom) {
	switch k := kindOf(a); k {
	case notKept:
		switch a {
		case atom.Br: // </br> is a <br>
			c.startOther(atom.Br)
		case atom.Tbody, atom.Thead, atom.Tfoot:
			c.clearToTable()
		}
	case kindP:
		if i := c.open.inScope(scopeButton, kindP); i >= 0 {
			c.popTo(i)
		} else if !c.inTableBody() { // an empty paragraph
			c.out.block(2)
		}
	case kindLi:
		c.closeInScope(scopeListItem, k)
	case kindCaption, kindTable, kindTr, kindTd, kindTh:
		c.closeInScope(scopeTable, k)
	default:
		c.closeInScope(scopeDefault, k)
	}
}

// breaksAround says how many line breaks surround an element's text.
// Lists and <pre> keep their own accounts.
func breaksAround(a atom.Atom) int {
	switch a {
	case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Blockquote, atom.Table:
		return 2
	case atom.Div, atom.Li, atom.Tr, atom.Section, atom.Article, atom.Header, atom.Footer,
		atom.Address, atom.Center, atom.Dl, atom.Dt, atom.Dd, atom.Figure, atom.Form, atom.Main, atom.Nav:
		return 1
	}
	return 0
}

// push opens a kept element and starts its text. Beyond maxOpen elements
// it reports false, and the element counts as inline.
func (c *textConv) push(a atom.Atom, k kind) bool {
	if !c.open.push(a, k) {
		return false
	}
	switch k {
	case kindLi:
		c.out.listItem()
	case kindPre:
		c.out.block(2)
		c.out.pre++
	case kindTd, kindTh:
		c.out.space = true
	default:
		c.out.block(breaksAround(a))
	}
	return true
}

// popTo closes the open elements from the innermost out to index i.
func (c *textConv) popTo(i int) {
	for c.open.len() > i {
		switch a := c.open.pop(); a {
		case atom.A:
			c.endLink()
		case atom.Ul, atom.Ol:
			c.out.endList()
		case atom.Pre:
			c.out.pre--
			c.out.block(2)
		default:
			c.out.block(breaksAround(a))
		}
	}
}

func (c *textConv) closeInScope(s openScope, k kind) {
	if i := c.open.inScope(s, k); i >= 0 {
		c.popTo(i)
	}
}

func (c *textConv) closeP() { c.closeInScope(scopeButton, kindP) }

// closeItem closes the open list item (or dd/dt) that a new one ends.
func (c *textConv) closeItem(kinds, other []kind) {
	if i := c.open.itemToClose(kinds, other); i >= 0 {
		c.popTo(i)
	}
}

func (c *textConv) startList(a atom.Atom, k kind) {
	next := -1
	if k == kindOl {
		next = 1
		if s, err := strconv.Atoi(string(c.attr("start"))); err == nil {
			next = s
		}
	}
	if c.push(a, k) {
		c.out.startList(next)
	}
}

func (c *textConv) startForm() {
	switch {
	case c.inTableBody(): // an empty form in the table
		c.out.block(breaksAround(atom.Form))
	case c.open.inScope(scopeDefault, kindForm) < 0: // a form inside a form is ignored
		c.closeP()
		c.push(atom.Form, kindForm)
	}
}

// startLink starts collecting a link's label. An <a> ends an open one,
// unless a cell or caption lies between them.
func (c *textConv) startLink() {
	i := c.open.innermost(kindA)
	if i >= 0 && i > c.open.innermost(kindTd, kindTh, kindCaption, kindApplet, kindMarquee) {
		c.popTo(i)
	}
	href := strings.TrimSpace(string(c.attr("href")))
	if !c.push(atom.A, kindA) {
		return
	}
	var label *textOut
	if n := len(c.spare); n > 0 {
		label, c.spare = c.spare[n-1], c.spare[:n-1]
		label.reset()
	} else {
		label = &textOut{}
	}
	label.parent, label.href = c.out, href
	c.out = label
}

// endLink writes the link whose label is complete to its parent text:
// "label (url)", or the url alone when it is the label or there is none.
// Links to anchors and javascript: show no url.
func (c *textConv) endLink() {
	sub, out := c.out, c.out.parent
	c.out = out
	c.spare = append(c.spare, sub)
	label := bytes.TrimSpace(sub.trimmed())
	href := sub.href
	show := href != "" && !strings.HasPrefix(href, "#") && !strings.HasPrefix(strings.ToLower(href), "javascript:")
	target := strings.TrimPrefix(href, "mailto:")
	switch {
	case len(label) == 0 && show:
		out.textString(target)
	case show && string(label) != target && string(label) != href:
		out.text(label)
		out.textString(" (")
		out.textString(target)
		out.textString(")")
	default:
		out.text(label)
	}
}

// inTableBody reports whether the current position is inside a table but
// outside its cells, where the tree builder moves content before the table.
func (c *textConv) inTableBody() bool {
	i := c.open.tableContext()
	return i >= 0 && (c.open.stack[i].kind == kindTable || c.open.stack[i].kind == kindTr)
}

// clearToTable closes what is open inside the innermost table.
func (c *textConv) clearToTable() {
	if i := c.open.innermost(kindTable); i >= 0 {
		c.popTo(i + 1)
	}
}

// startTable opens a table; one that starts outside a cell of an open
// table ends that table first.
func (c *textConv) startTable() {
	if i := c.open.tableContext(); i >= 0 {
		if k := c.open.stack[i].kind; k != kindTd && k != kindTh {
			c.popTo(c.open.innermost(kindTable))
		}
	}
	if !c.quirks {
		c.closeP()
	}
	c.push(atom.Table, kindTable)
}

// startTablePart opens a caption, row or cell, closing the open ones it
// replaces; a cell outside a row gets one. Outside tables they are ignored.
func (c *textConv) startTablePart(a atom.Atom, k kind) {
	i := c.open.tableContext()
	if i < 0 {
		return
	}
	if k == kindCaption || k == kindTr {
		c.clearToTable()
		c.push(a, k)
		return
	}
	if x := c.open.stack[i].kind; x == kindTd || x == kindTh {
		if c.popTo(i); c.open.tableContext() < 0 {
			return
		}
		i = c.open.tableContext()
	}
	if c.open.stack[i].kind == kindTr {
		c.popTo(i + 1)
	} else {
		c.clearToTable()
		c.push(atom.Tr, kindTr)
	}
	c.push(a, k)
}
