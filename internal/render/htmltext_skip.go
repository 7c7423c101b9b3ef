package render

import "golang.org/x/net/html/atom"

// skipper tracks a hidden element whose content HTMLToText drops. The
// tokenizer already returns the content of <script>, <style>, <title>,
// <noscript>, <iframe> and <noframes> as one raw text; <template>,
// <object>, <select> and <svg> hold markup, skipped up to their end tag.
type skipper struct {
	a     atom.Atom // the hidden element, 0 when nothing is skipped
	depth int       // open elements of its name, itself included
	svgIP int       // open <foreignObject>, <desc> or <title> in an <svg>, whose content is HTML
}

// hidden reports whether the element starting now contributes no text.
func (c *textConv) hidden(a atom.Atom, selfClosing bool) bool {
	switch a {
	case atom.Script, atom.Style, atom.Title, atom.Noscript, atom.Iframe,
		atom.Template, atom.Object, atom.Select:
		return true
	case atom.Svg: // <svg/> is empty: SVG honours the slash
		return !selfClosing
	case atom.Noframes: // in the head, where everything is hidden
		return !c.body
	}
	return false
}

// skipStart handles a start tag inside a hidden element. It reports true
// when the tag ends the hidden element and must be handled as usual.
func (c *textConv) skipStart(a atom.Atom, selfClosing bool) bool {
	s := &c.skip
	switch s.a {
	case atom.Svg:
		return c.svgStart(a, selfClosing)
	case atom.Select:
		switch a {
		case atom.Select: // acts as </select>
			*s = skipper{}
			return false
		case atom.Input, atom.Keygen, atom.Textarea:
			*s = skipper{}
			return true
		case atom.Caption, atom.Table, atom.Tbody, atom.Tfoot, atom.Thead, atom.Tr, atom.Td, atom.Th:
			if c.open.tableContext() >= 0 {
				*s = skipper{}
				return true
			}
		}
		return false
	}
	if a == s.a {
		s.depth++
	}
	return false
}

// skipEnd handles an end tag inside a hidden element, with skipStart's result.
func (c *textConv) skipEnd(a atom.Atom) bool {
	s := &c.skip
	switch {
	case s.a == atom.Svg:
		return c.svgEnd(a)
	case s.a == atom.Select && a != atom.Select:
		switch a {
		case atom.Caption, atom.Table, atom.Tbody, atom.Tfoot, atom.Thead, atom.Tr, atom.Td, atom.Th:
			if c.open.inScope(scopeTable, kindOf(a)) >= 0 {
				*s = skipper{}
				return true
			}
		}
		return false
	case a == s.a:
		if s.depth--; s.depth == 0 {
			*s = skipper{}
		}
	}
	return false
}

// svgStart: in SVG the slash of a self-closing tag counts, the tokenizer
// must not read <style> or <title> content as raw text, and an HTML
// element such as <p> or <div> ends the <svg> (outside its integration
// points).
func (c *textConv) svgStart(a atom.Atom, selfClosing bool) bool {
	s := &c.skip
	if s.svgIP == 0 {
		if breaksOutOfSVG(a) || a == atom.Font && c.fontBreaksOut() {
			*s = skipper{}
			return true
		}
		c.z.NextIsNotRawText()
	}
	if selfClosing {
		return false
	}
	switch a {
	case atom.Svg:
		s.depth++
	case atom.Foreignobject, atom.Desc, atom.Title:
		s.svgIP++
	}
	return false
}

// svgEnd: an end tag for an HTML element open around the <svg> ends it.
func (c *textConv) svgEnd(a atom.Atom) bool {
	s := &c.skip
	switch a {
	case atom.Svg:
		if s.depth--; s.depth == 0 {
			*s = skipper{}
		}
		return false
	case atom.Foreignobject, atom.Desc, atom.Title:
		s.svgIP = max(s.svgIP-1, 0)
		return false
	}
	if s.svgIP == 0 && (a == atom.P || a == atom.Br || c.open.inScope(scopeDefault, kindOf(a)) >= 0) {
		*s = skipper{}
		return true
	}
	return false
}

// breaksOutOfSVG reports whether a start tag ends foreign content (the
// HTML5 tree builder's list, less <font>, which needs an attribute).
func breaksOutOfSVG(a atom.Atom) bool {
	switch a {
	case atom.B, atom.Big, atom.Blockquote, atom.Body, atom.Br, atom.Center, atom.Code, atom.Dd,
		atom.Div, atom.Dl, atom.Dt, atom.Em, atom.Embed, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5,
		atom.H6, atom.Head, atom.Hr, atom.I, atom.Img, atom.Li, atom.Listing, atom.Menu, atom.Meta,
		atom.Nobr, atom.Ol, atom.P, atom.Pre, atom.Ruby, atom.S, atom.Small, atom.Span, atom.Strong,
		atom.Strike, atom.Sub, atom.Sup, atom.Table, atom.Tt, atom.U, atom.Ul, atom.Var:
		return true
	}
	return false
}

// fontBreaksOut reports whether the current <font> tag has a color, face
// or size, which makes it HTML inside SVG.
func (c *textConv) fontBreaksOut() bool {
	for more := true; more; {
		var k []byte
		k, _, more = c.z.TagAttr()
		switch string(k) {
		case "color", "face", "size":
			return true
		}
	}
	return false
}
