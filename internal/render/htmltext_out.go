package render

import (
	"bytes"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// textOut accumulates the text of HTMLToText, turning pending breaks into
// line breaks only when more text follows. The document has one; every
// open link has one of its own that collects its label.
type textOut struct {
	buf    []byte
	breaks int   // line breaks owed before the next text: 0, 1 or 2
	pre    int   // depth of <pre>
	space  bool  // a space is owed before the next word
	lists  []int // per open list: -1 for <ul>, else the next number of <ol>

	// For a link's label: where the link goes when it ends, and its target.
	parent *textOut
	href   string
}

// reset empties o for reuse as another link's label, keeping its buffers.
func (o *textOut) reset() {
	*o = textOut{buf: o.buf[:0], lists: o.lists[:0]}
}

// text adds text content, collapsing whitespace outside <pre>. Text split
// into pieces comes out as if it were added in one piece.
func (o *textOut) text(s []byte) {
	if o.pre > 0 {
		o.flushBreaks()
		o.buf = append(o.buf, s...)
		return
	}
	for i := 0; i < len(s); {
		start := skipSpace(s, i)
		if start > i {
			o.space = true
		}
		if start == len(s) {
			return
		}
		// Words separated by single spaces are copied as they stand.
		i = skipWord(s, start)
		for i+1 < len(s) && s[i] == ' ' {
			next := skipWord(s, i+1)
			if next == i+1 {
				break
			}
			i = next
		}
		o.word(s[start:i])
	}
}

// textString is text for a string: the short ones of a link's url.
func (o *textOut) textString(s string) { o.text([]byte(s)) }

// skipSpace returns the index of the first non-space character in s[i:],
// or len(s). Spaces are what strings.Fields splits at (unicode.IsSpace,
// so a no-break space separates words too).
func skipSpace(s []byte, i int) int {
	for i < len(s) {
		if c := s[i]; c < utf8.RuneSelf {
			if !asciiSpace[c] {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if !unicode.IsSpace(r) {
			return i
		}
		i += size
	}
	return i
}

// skipWord returns the index of the first space in s[i:], or len(s).
func skipWord(s []byte, i int) int {
	for i < len(s) {
		if c := s[i]; c < utf8.RuneSelf {
			if asciiSpace[c] {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if unicode.IsSpace(r) {
			return i
		}
		i += size
	}
	return i
}

// asciiSpace marks the ASCII bytes unicode.IsSpace accepts.
var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// word writes w, preceded by owed breaks or a pending space.
func (o *textOut) word(w []byte) {
	o.startWord()
	o.buf = append(o.buf, w...)
}

func (o *textOut) startWord() {
	if o.breaks > 0 {
		o.flushBreaks()
	} else if o.space && len(o.buf) > 0 {
		o.buf = append(o.buf, ' ')
	}
	o.space = false
}

func (o *textOut) flushBreaks() {
	if len(o.buf) > 0 {
		o.buf = append(o.buf, "\n\n"[:o.breaks]...)
	}
	o.breaks = 0
	o.space = false
}

// block owes at least k line breaks before the next text.
func (o *textOut) block(k int) { o.breaks = max(o.breaks, k) }

// lineBreak owes one more line break (for <br>, which may repeat), at
// most a blank line, and none at the very start.
func (o *textOut) lineBreak() {
	if len(o.buf) > 0 {
		o.breaks = min(o.breaks+1, 2)
	}
}

// rule writes the "---" of <hr> on a line of its own.
func (o *textOut) rule() {
	o.block(1)
	o.word([]byte("---"))
	o.block(1)
}

// startList opens a list whose first item has number next (-1 for <ul>).
// A nested list continues its item, so it is set off by one line break,
// not a blank line.
func (o *textOut) startList(next int) {
	o.block(o.listGap())
	o.lists = append(o.lists, next)
}

func (o *textOut) endList() {
	o.lists = o.lists[:len(o.lists)-1]
	o.block(o.listGap())
}

func (o *textOut) listGap() int {
	if len(o.lists) > 0 {
		return 1
	}
	return 2
}

// listItem starts a list item with its marker, indented by its nesting.
func (o *textOut) listItem() {
	o.block(1)
	o.startWord()
	k := len(o.lists)
	for range min(k-1, 10) {
		o.buf = append(o.buf, "  "...)
	}
	if k > 0 && o.lists[k-1] >= 0 {
		o.buf = strconv.AppendInt(o.buf, int64(o.lists[k-1]), 10)
		o.buf = append(o.buf, ". "...)
		o.lists[k-1]++
		return
	}
	o.buf = append(o.buf, "- "...)
}

// trimmed returns the text with trailing spaces and tabs cut from every
// line and blank lines cut from both ends. It reuses o's buffer.
func (o *textOut) trimmed() []byte {
	b, w := o.buf, 0
	for start := 0; ; {
		end := bytes.IndexByte(b[start:], '\n')
		last := end < 0
		if last {
			end = len(b)
		} else {
			end += start
		}
		w += copy(b[w:], bytes.TrimRight(b[start:end], " \t"))
		if last {
			break
		}
		b[w] = '\n'
		w++
		start = end + 1
	}
	return bytes.Trim(b[:w], "\n")
}
