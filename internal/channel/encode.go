package channel

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"math/bits"
	"net/mail"
	"strings"
	"unicode/utf8"
)

// The encoders in this file append to a byte slice, so BuildMIME writes a
// whole message into one buffer without intermediate strings. Their output
// is what go-mail v0.8 (and the standard library encoders it uses) wrote
// for ordinary input, byte for byte where no header field is folded, so a
// message sent before the builder was replaced still rebuilds to the
// fields that went out; where that output did not read back as written
// (see needsWords, foldField and appendQP), they deviate.

const (
	// lineWidth is the line length RFC 5322 (2.1.1) asks header lines to
	// keep to, CRLF not counted; a field is folded only where a line would
	// be longer.
	lineWidth = 78
	// qpLineMax is RFC 2045's limit for a quoted-printable line, CRLF not
	// counted.
	qpLineMax = 76
	// maxWordContent is how many encoded characters fit into one RFC 2047
	// encoded-word of at most 75 characters with its "=?UTF-8?q?" and "?="
	// (mime.WordEncoder's split point).
	maxWordContent = 75 - len("=?UTF-8?q?") - len("?=")
	// maxPlainWord is the longest word a plain header value may contain; a
	// longer one could not be folded below SMTP's 998-octet line limit.
	maxPlainWord = 900
	upperhex     = "0123456789ABCDEF"
)

// endField folds the field that starts at b[start] with a name of nameLen
// bytes and terminates it with CRLF.
func endField(b []byte, start, nameLen int) []byte {
	return append(foldField(b, start, nameLen), "\r\n"...)
}

// foldField folds the unterminated field at b[start:]: the value is split
// at single spaces, and a space is replaced by CRLF and a space only where
// the next word would make the line longer than lineWidth. A word longer
// than a line stays whole. It never folds before an empty word (a second
// space), which could leave a line of only white space, and never between
// the field name and the first word: Python's email package, for one,
// keeps the space that starts the continuation line as part of the value
// ("Subject:\r\n =?UTF-8?q?…" reads as " Einsatz-…"). Only a first word
// that would not fit into SMTP's 998 octets even so is moved to a line of
// its own, since a message with a longer line cannot be sent at all.
func foldField(b []byte, start, nameLen int) []byte {
	if len(b)-start <= lineWidth {
		return b // the common case: the field fits on one line
	}
	valueStart := start + nameLen + 2
	var scratch [256]byte
	value := append(scratch[:0], b[valueStart:]...)
	b = b[:valueStart]
	col := nameLen + 2 // characters on the current line
	first := true      // no word written yet, only spaces if anything
	for {
		word, rest, more := bytes.Cut(value, []byte{' '})
		if col+len(word) > lineWidth && len(word) > 0 && (!first || col+len(word) > maxLine) {
			b = append(b[:len(b)-1], "\r\n "...) // replaces the space before the word
			col = 1
		}
		first = first && len(word) == 0
		b = append(b, word...)
		col += len(word)
		if !more {
			return b
		}
		b = append(b, ' ')
		col++
		value = rest
	}
}

// firstWordMax is how many encoded characters the first Q encoded-word of
// a field with a name of nameLen bytes may hold so that the field's first
// line, which is never folded before that word, stays within lineWidth.
// Later words take the full maxWordContent on continuation lines.
func firstWordMax(nameLen int) int {
	return min(maxWordContent, lineWidth-nameLen-len(": =?UTF-8?q??="))
}

// appendSubject appends the Subject field so that an RFC 2047 decoder
// gives back exactly s: as is when it is plain, as UTF-8 Q encoded-words
// otherwise, the first one short enough to fit on the field's first line.
func appendSubject(b []byte, s string) []byte {
	const name = "Subject"
	start := len(b)
	b = append(b, name+": "...)
	if needsWords(s) {
		b = appendQWords(b, "UTF-8", s, firstWordMax(len(name)))
	} else {
		b = append(b, s...)
	}
	return endField(b, start, len(name))
}

// appendExtra appends the value of an extra header field with a name of
// nameLen bytes the way go-mail did: encoded-words only for characters a
// header cannot carry, so structured fields such as List-Unsubscribe keep
// their syntax. The first encoded-word fits on the field's first line.
func appendExtra(b []byte, nameLen int, s string) []byte {
	if !needsEncoding(s) {
		return append(b, s...)
	}
	return appendQWords(b, "UTF-8", s, firstWordMax(nameLen))
}

// needsEncoding reports whether s has a byte outside printable ASCII other
// than a tab, the test of mime.WordEncoder.Encode.
func needsEncoding(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < ' ' || c > '~') && c != '\t' {
			return true
		}
	}
	return false
}

// needsWords reports whether text (a subject or display name) has to be
// written as encoded-words to come back unchanged from a parser: besides
// needsEncoding, white space other than single spaces between words
// (parsers trim lines and unfold, so it would be lost), "=?" (a decoder
// would take it for an encoded-word) and words too long to fold.
func needsWords(s string) bool {
	if needsEncoding(s) || strings.Contains(s, "=?") {
		return true
	}
	if s == "" {
		return false
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' || strings.Contains(s, "  ") || strings.IndexByte(s, '\t') >= 0 {
		return true
	}
	for word := range strings.SplitSeq(s, " ") {
		if len(word) > maxPlainWord {
			return true
		}
	}
	return false
}

// appendQWords appends s as Q encoded-words (RFC 2047) separated by spaces,
// each at most 75 characters and never splitting a UTF-8 sequence: the
// output of mime.QEncoding.Encode(charset, s) for a UTF-8 charset when
// firstMax is maxWordContent. firstMax limits the encoded characters of the
// first word.
func appendQWords(b []byte, charset, s string, firstMax int) []byte {
	b = openWord(b, charset)
	n, limit := 0, firstMax // encoded characters in the current word, and its limit
	for i := 0; i < len(s); {
		c := s[i]
		size, encLen := 1, 1
		if !qSafe(c) {
			_, size = utf8.DecodeRuneInString(s[i:])
			encLen = 3 * size
		}
		if n+encLen > limit && n > 0 {
			b = append(b, "?= "...)
			b = openWord(b, charset)
			n, limit = 0, maxWordContent
		}
		for j := i; j < i+size; j++ {
			b = appendQByte(b, s[j])
		}
		n += encLen
		i += size
	}
	return append(b, "?="...)
}

// appendBWords appends s as B encoded-words (RFC 2047) separated by spaces,
// each at most 75 characters and never splitting a UTF-8 sequence: the
// output of mime.BEncoding.Encode(charset, s) for a UTF-8 charset and an s
// that needs encoding. Unlike Encode it also encodes an s that does not,
// since a display name lands here because it would not come back
// unchanged as a quoted-string (needsWords).
func appendBWords(b []byte, charset, s string) []byte {
	// maxBWordBytes is how many bytes fit into one encoded-word of at most
	// 75 characters: 63 base64 characters decode to 45 bytes.
	const maxBWordBytes = (75 - len("=?UTF-8?b?") - len("?=")) / 4 * 3
	open := func(b []byte) []byte {
		b = append(b, "=?"...)
		b = append(b, charset...)
		return append(b, "?b?"...)
	}
	b = open(b)
	last, n := 0, 0 // start of the current word in s, and its length
	for i := 0; i < len(s); {
		_, size := utf8.DecodeRuneInString(s[i:])
		if n+size > maxBWordBytes {
			b = base64.StdEncoding.AppendEncode(b, []byte(s[last:i]))
			b = open(append(b, "?= "...))
			last, n = i, 0
		}
		n += size
		i += size
	}
	b = base64.StdEncoding.AppendEncode(b, []byte(s[last:]))
	return append(b, "?="...)
}

func openWord(b []byte, charset string) []byte {
	b = append(b, "=?"...)
	b = append(b, charset...)
	return append(b, "?q?"...)
}

// qSafe reports whether c stands for itself in a Q encoded-word.
func qSafe(c byte) bool {
	return c >= ' ' && c <= '~' && c != '=' && c != '?' && c != '_'
}

func appendQByte(b []byte, c byte) []byte {
	switch {
	case c == ' ':
		return append(b, '_')
	case qSafe(c):
		return append(b, c)
	}
	return append(b, '=', upperhex[c>>4], upperhex[c&0x0f])
}

// bWordSpecials are the characters that make a display name base64
// encoded when it needs encoded-words: those RFC 2047 forbids in a Q
// encoded-word of a phrase and Q encoding would leave as they are.
const bWordSpecials = "\"#$%&'(),.:;<>@[\\]^`{|}~"

// appendAddress appends a as net/mail's Address.String formats it: the
// display name as a quoted-string when it is printable ASCII, as
// encoded-words otherwise (base64 when it holds characters a Q-encoded name
// must not), then "<addr-spec>" with the local part quoted where needed.
// Unlike Address.String, a name whose white space or "=?" a parser would
// not give back is also encoded (needsWords), as is a name with a word too
// long to fold once quoted (quotedWordTooLong), and a name with a backslash
// is base64 encoded too: RFC 2047 (5.3) allows only letters, digits and
// "!*+-/=_" in a Q encoded-word of a display name, and parsers such as
// go-message refuse the backslash that Address.String leaves in one.
//
// Unlike a subject's, a display name's first encoded-word is not shortened
// to keep the field's first line within 78 characters (it may reach 85
// with Reply-To): Python's email package reads a space between two
// encoded-words of a name ("Ve ranstaltungen"), so a name that fits into
// one word stays one.
func appendAddress(b []byte, name, addr string) []byte {
	if name != "" {
		if !needsWords(name) && !quotedWordTooLong(name) {
			b = appendQuoted(b, name)
		} else {
			b = appendNameWords(b, name)
		}
		b = append(b, ' ')
	}
	at := strings.LastIndexByte(addr, '@')
	local, domain := addr, ""
	if at >= 0 {
		local, domain = addr[:at], addr[at+1:]
	}
	b = append(b, '<')
	if localNeedsQuotes(local) {
		b = appendQuoted(b, local)
	} else {
		b = append(b, local...)
	}
	b = append(b, '@')
	b = append(b, domain...)
	return append(b, '>')
}

// appendNameWords appends a display name as encoded-words: base64 when it
// holds characters a Q-encoded name must not (bWordSpecials), Q otherwise.
// A name that fits into one encoded-word is one. A longer name would be
// cut wherever a word is full, and Python's email package, reading a
// space between two encoded-words of a name, makes "Maximilian" into
// "Ma ximilian". So a longer name of single-space separated words is
// written word by word: a word of ASCII letters and the like (an atom) as
// it is, the runs of other words between such words as encoded-words,
// each encoded-word ending after a space where a run needs several. Every
// RFC 2047 decoder reads the same name back; Python then keeps every
// word whole (it reads two spaces where a run is split at a space).
func appendNameWords(b []byte, name string) []byte {
	b64 := strings.ContainsAny(name, bWordSpecials)
	if fitsWord(name, b64) || strings.HasPrefix(name, " ") || strings.HasSuffix(name, " ") || strings.Contains(name, "  ") {
		if b64 {
			return appendBWords(b, "utf-8", name)
		}
		return appendQWords(b, "utf-8", name, maxWordContent)
	}
	for len(name) > 0 {
		word, rest, more := strings.Cut(name, " ")
		if plainAtom(word) {
			b = append(b, word...)
		} else {
			// The run goes on up to the next atom.
			end := len(word)
			for r := rest; more; {
				var next string
				next, r, more = strings.Cut(r, " ")
				if plainAtom(next) {
					break
				}
				end += 1 + len(next)
			}
			b = appendRunWords(b, name[:end], strings.ContainsAny(name[:end], bWordSpecials))
			rest, more = strings.CutPrefix(name[end:], " ")
		}
		if !more {
			break
		}
		b = append(b, ' ')
		name = rest
	}
	return b
}

// appendRunWords appends run, words separated by single spaces, as
// encoded-words of at most 75 characters, each ending after a space when
// the next word does not fit; only a word longer than an encoded-word is
// cut (between two characters).
func appendRunWords(b []byte, run string, b64 bool) []byte {
	for first := true; run != ""; first = false {
		if !first {
			b = append(b, ' ')
		}
		n := len(run)
		if !fitsWord(run, b64) {
			// The longest prefix that ends after a space and fits.
			n = 0
			for i := strings.IndexByte(run, ' '); i >= 0 && fitsWord(run[:i+1], b64); {
				n = i + 1
				j := strings.IndexByte(run[n:], ' ')
				if j < 0 {
					break
				}
				i = n + j
			}
			if n == 0 { // the first word alone is too long: cut it
				for n < len(run) {
					// A byte that is no UTF-8 counts as one character.
					_, size := utf8.DecodeRuneInString(run[n:])
					if n > 0 && !fitsWord(run[:n+size], b64) {
						break
					}
					n += size
				}
			}
		}
		if b64 {
			b = appendBWords(b, "utf-8", run[:n])
		} else {
			b = appendQWords(b, "utf-8", run[:n], maxWordContent)
		}
		run = run[n:]
	}
	return b
}

// fitsWord reports whether s fits into one encoded-word of a display name:
// 45 bytes in base64, maxWordContent encoded characters in Q.
func fitsWord(s string, b64 bool) bool {
	if b64 {
		return len(s) <= (75-len("=?utf-8?b?")-len("?="))/4*3
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if qSafe(s[i]) || s[i] == ' ' {
			n++
		} else {
			n += 3
		}
	}
	return n <= maxWordContent
}

// plainAtom reports whether word can stand unencoded among the
// encoded-words of a display name: ASCII atext (no specials, no dot), not
// looking like an encoded-word, and short enough for any line.
func plainAtom(word string) bool {
	if word == "" || len(word) > maxWordContent || strings.Contains(word, "=?") {
		return false
	}
	for i := 0; i < len(word); i++ {
		if word[i] >= utf8.RuneSelf || !isAtext(rune(word[i])) {
			return false
		}
	}
	return true
}

// quotedWordTooLong reports whether a word of name, with the backslashes
// that escape its quotes and backslashes in a quoted-string, is longer
// than maxPlainWord and so could not be folded below 998 octets.
func quotedWordTooLong(name string) bool {
	for word := range strings.SplitSeq(name, " ") {
		if len(word)+strings.Count(word, `"`)+strings.Count(word, `\`) > maxPlainWord {
			return true
		}
	}
	return false
}

// localNeedsQuotes reports whether a local part is not a dot-atom and must
// be written as a quoted-string, by Address.String's rule.
func localNeedsQuotes(local string) bool {
	for i, r := range local {
		if isAtext(r) {
			continue
		}
		if r == '.' && i > 0 && local[i-1] != '.' && i < len(local)-1 {
			continue
		}
		return true
	}
	return false
}

// appendQuoted appends s as an RFC 5322 quoted-string, escaping '"' and
// '\' and dropping what a quoted-string cannot hold, like net/mail.
func appendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r == ' ' || r == '\t' || isVchar(r):
			b = utf8.AppendRune(b, r)
		}
	}
	return append(b, '"')
}

func isVchar(r rune) bool { return '!' <= r && r <= '~' || r >= utf8.RuneSelf }

// isAtext reports whether r may appear in an atom (RFC 5322 3.2.3), with
// multi-byte characters allowed as RFC 6532 does.
func isAtext(r rune) bool {
	switch r {
	case '.', '(', ')', '<', '>', '[', ']', ':', ';', '@', '\\', ',', '"':
		return false
	}
	return isVchar(r)
}

// appendAddressList appends addresses separated by ", ".
func appendAddressList(b []byte, list []mail.Address) []byte {
	for i, a := range list {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = appendAddress(b, a.Name, a.Address)
	}
	return b
}

// appendQP appends s quoted-printable encoded (RFC 2045 6.7) the way
// mime/quotedprintable's Writer does: lines of at most 76 characters with
// soft breaks, '=' and bytes outside printable ASCII encoded, white space
// encoded before a line break and at the end, and every line break (LF,
// CRLF or a lone CR) written as CRLF. The Writer forgets a CR before an
// encoded byte and then takes a following LF for part of a CRLF; here that
// LF stays a line break of its own.
func appendQP(b []byte, s string) []byte {
	b, col, _ := appendQPPiece(b, 0, false, s)
	return qpTrailingSpace(b, col)
}

// appendQPParts appends the concatenation of parts as appendQP does,
// without joining them first.
func appendQPParts(b []byte, parts []string) []byte {
	col, cr := 0, false
	for _, s := range parts {
		b, col, cr = appendQPPiece(b, col, cr, s)
	}
	return qpTrailingSpace(b, col)
}

// appendQPPiece encodes s, a piece of a body, continuing the line at
// column col; cr says that the previous piece ended in a CR, whose line
// break an LF at the start of s completes. It returns the column and
// whether s ended in a CR, and leaves a trailing space to the caller.
func appendQPPiece(b []byte, col int, cr bool, s string) ([]byte, int, bool) {
	i := 0
	if cr && len(s) > 0 {
		cr = false
		if s[0] == '\n' { // the LF of a CRLF already written
			i++
		}
	}
	for i < len(s) {
		c := s[i]
		switch {
		case qpLiteral(c):
			j := i + 1
			for j < len(s) && qpLiteral(s[j]) {
				j++
			}
			b, col = qpLiterals(b, col, s[i:j])
			i = j
		case c == '\r' || c == '\n':
			b = append(qpTrailingSpace(b, col), "\r\n"...)
			col = 0
			if c == '\r' {
				if i+1 == len(s) {
					cr = true // the LF may begin the next piece
				} else if s[i+1] == '\n' {
					i++
				}
			}
			i++
		default:
			b, col = qpEncode(b, col, c)
			i++
		}
	}
	return b, col, cr
}

// qpLiteral reports whether c is written as itself: printable ASCII
// except '=', and white space, which qpTrailingSpace encodes at a line end.
func qpLiteral(c byte) bool { return qpLiteralByte[c] }

// qpLiteralByte is qpLiteral as a table, for the loops over a body.
var qpLiteralByte = func() (t [256]bool) {
	for c := range t {
		t[c] = c >= ' ' && c <= '~' && c != '=' || c == '\t'
	}
	return t
}()

// qpLiterals appends a run of literal characters, breaking lines softly
// where the Writer does: before a character that would be a line's 76th.
func qpLiterals(b []byte, col int, run string) ([]byte, int) {
	for len(run) > 0 {
		if col == qpLineMax-1 {
			b = append(b, "=\r\n"...)
			col = 0
		}
		n := min(len(run), qpLineMax-1-col)
		b = append(b, run[:n]...)
		col += n
		run = run[n:]
	}
	return b, col
}

// qpEncode appends c as "=XX", after a soft line break if it does not fit.
func qpEncode(b []byte, col int, c byte) ([]byte, int) {
	if qpLineMax-1-col < 3 {
		b = append(b, "=\r\n"...)
		col = 0
	}
	return append(b, '=', upperhex[c>>4], upperhex[c&0x0f]), col + 3
}

// qpTrailingSpace encodes a space or tab that ends the current line, which
// transport could otherwise strip.
func qpTrailingSpace(b []byte, col int) []byte {
	if col == 0 {
		return b
	}
	last := b[len(b)-1]
	if last != ' ' && last != '\t' {
		return b
	}
	b, _ = qpEncode(b[:len(b)-1], col-1, last)
	return b
}

// qpSize estimates len(appendQP(nil, s)) from above for the usual text,
// so the message buffer is allocated once: every non-ASCII byte and '='
// takes three characters, a line break two, and a soft break "=\r\n" is
// needed at most every 73 characters.
func qpSize(s string) int {
	n := len(s) + 2*(nonASCII(s)+strings.Count(s, "=")) + strings.Count(s, "\n")
	return n + n/24 + 3
}

// nonASCII counts the bytes of s with the high bit set, eight at a time.
func nonASCII(s string) int {
	const high = 0x8080808080808080
	n := 0
	for ; len(s) >= 8; s = s[8:] {
		n += bits.OnesCount64(binary.LittleEndian.Uint64([]byte(s[:8])) & high)
	}
	for i := 0; i < len(s); i++ {
		n += int(s[i] >> 7)
	}
	return n
}
