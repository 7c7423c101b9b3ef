package render

import "golang.org/x/net/html/atom"

// kind numbers the elements textConv keeps open; all others are notKept.
type kind uint8

const (
	notKept kind = iota
	kindA
	kindUl
	kindOl
	kindLi
	kindDd
	kindDt
	kindHeading // h1 to h6, which end each other
	kindPre
	kindListing
	kindTable
	kindCaption
	kindTr
	kindTd
	kindTh
	kindButton
	kindForm
	kindApplet
	kindMarquee
	// From here on, blocks that end an open <p> and need nothing else.
	kindP
	kindAddress
	kindArticle
	kindAside
	kindBlockquote
	kindCenter
	kindDetails
	kindDialog
	kindDir
	kindDiv
	kindDl
	kindFieldset
	kindFigcaption
	kindFigure
	kindFooter
	kindHeader
	kindHgroup
	kindMain
	kindMenu
	kindNav
	kindSearch
	kindSection
	kindSummary
	numKinds
)

// kindOf returns the kind of an element, notKept if textConv ignores it.
func kindOf(a atom.Atom) kind {
	switch a {
	case atom.A:
		return kindA
	case atom.Ul:
		return kindUl
	case atom.Ol:
		return kindOl
	case atom.Li:
		return kindLi
	case atom.Dd:
		return kindDd
	case atom.Dt:
		return kindDt
	case atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6:
		return kindHeading
	case atom.Pre:
		return kindPre
	case atom.Listing:
		return kindListing
	case atom.Table:
		return kindTable
	case atom.Caption:
		return kindCaption
	case atom.Tr:
		return kindTr
	case atom.Td:
		return kindTd
	case atom.Th:
		return kindTh
	case atom.Button:
		return kindButton
	case atom.Form:
		return kindForm
	case atom.Applet:
		return kindApplet
	case atom.Marquee:
		return kindMarquee
	case atom.P:
		return kindP
	case atom.Address:
		return kindAddress
	case atom.Article:
		return kindArticle
	case atom.Aside:
		return kindAside
	case atom.Blockquote:
		return kindBlockquote
	case atom.Center:
		return kindCenter
	case atom.Details:
		return kindDetails
	case atom.Dialog:
		return kindDialog
	case atom.Dir:
		return kindDir
	case atom.Div:
		return kindDiv
	case atom.Dl:
		return kindDl
	case atom.Fieldset:
		return kindFieldset
	case atom.Figcaption:
		return kindFigcaption
	case atom.Figure:
		return kindFigure
	case atom.Footer:
		return kindFooter
	case atom.Header:
		return kindHeader
	case atom.Hgroup:
		return kindHgroup
	case atom.Main:
		return kindMain
	case atom.Menu:
		return kindMenu
	case atom.Nav:
		return kindNav
	case atom.Search:
		return kindSearch
	case atom.Section:
		return kindSection
	case atom.Summary:
		return kindSummary
	}
	return notKept
}

// blocksItemSearch reports whether an open element of kind k stops the
// search for a <li>, <dd> or <dt> that a new one ends: the tree builder
// looks past <address>, <div>, <p> and elements that are not "special".
func (k kind) blocksItemSearch() bool {
	switch k {
	case kindA, kindDialog, kindSearch, kindAddress, kindDiv, kindP, kindLi, kindDd, kindDt:
		return false
	}
	return true
}

// openElems is the stack of open elements that shape the text. It also
// keeps, per kind, the index of the innermost open element, so that every
// question of the tree builder's rules ("is a <p> open in button scope?")
// takes constant time at any depth.
type openElems struct {
	stack []openElem
	last  [numKinds]int16 // index of the innermost open element of each kind, -1 if none
	buf   [32]openElem
}

type openElem struct {
	a       atom.Atom
	kind    kind
	prev    int16 // index of the next open element of the same kind further out, -1 if none
	blocker int16 // index of the innermost element up to this one that blocksItemSearch, -1 if none
}

func (o *openElems) init() {
	o.stack = o.buf[:0]
	for k := range o.last {
		o.last[k] = -1
	}
}

func (o *openElems) len() int { return len(o.stack) }

// top returns the innermost open element; there must be one.
func (o *openElems) top() openElem { return o.stack[len(o.stack)-1] }

// push opens an element; beyond maxOpen it reports false.
func (o *openElems) push(a atom.Atom, k kind) bool {
	n := len(o.stack)
	if n == maxOpen {
		return false
	}
	e := openElem{a: a, kind: k, prev: o.last[k], blocker: -1}
	if k.blocksItemSearch() {
		e.blocker = int16(n)
	} else if n > 0 {
		e.blocker = o.stack[n-1].blocker
	}
	o.stack = append(o.stack, e)
	o.last[k] = int16(n)
	return true
}

func (o *openElems) pop() atom.Atom {
	e := o.stack[len(o.stack)-1]
	o.stack = o.stack[:len(o.stack)-1]
	o.last[e.kind] = e.prev
	return e.a
}

// innermost returns the index of the innermost open element of the
// kinds, or -1.
func (o *openElems) innermost(kinds ...kind) int {
	i := int16(-1)
	for _, k := range kinds {
		i = max(i, o.last[k])
	}
	return int(i)
}

// openScope names the elements past which the tree builder does not look
// for an open element to close.
type openScope int

const (
	scopeDefault openScope = iota
	scopeListItem
	scopeButton
	scopeTable
)

// boundary returns the index of the innermost open element that bounds
// the scope, or -1.
func (o *openElems) boundary(s openScope) int {
	if s == scopeTable {
		return o.innermost(kindTable)
	}
	i := o.innermost(kindTable, kindApplet, kindCaption, kindTd, kindTh, kindMarquee)
	switch s {
	case scopeListItem:
		i = max(i, o.innermost(kindOl, kindUl))
	case scopeButton:
		i = max(i, o.innermost(kindButton))
	}
	return i
}

// inScope returns the index of the innermost open element of kind k if no
// boundary of the scope is open inside it (it may be one itself), or -1.
func (o *openElems) inScope(s openScope, k kind) int {
	i := o.innermost(k)
	if i < 0 || i < o.boundary(s) {
		return -1
	}
	return i
}

// itemToClose returns the index of the open item of the kinds that a new
// <li> (or <dd>, <dt>) ends, or -1. The tree builder looks for it past
// <address>, <div>, <p> and inline elements only; other are the item kinds
// that stop the search too (<dd> and <dt> for an <li>, and the reverse).
func (o *openElems) itemToClose(kinds, other []kind) int {
	i := o.innermost(kinds...)
	if i < 0 || len(o.stack) == 0 {
		return -1
	}
	if block := max(int(o.top().blocker), o.innermost(other...)); block > i {
		return -1
	}
	return i
}

// tableContext returns the index of the innermost open cell, row, caption
// or table, or -1 outside tables.
func (o *openElems) tableContext() int {
	return o.innermost(kindTd, kindTh, kindTr, kindCaption, kindTable)
}
