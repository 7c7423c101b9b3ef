package render

import (
	"errors"
	"fmt"
	htmltemplate "html/template"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrTimeout is wrapped by the error Render returns when the time limit (or
// the context's deadline) stopped a render.
var ErrTimeout = errors.New("render time limit exceeded")

// ErrTooLarge is wrapped by the error Render returns when a part's output,
// or a value built while rendering, grew beyond the size limit.
var ErrTooLarge = errors.New("render output limit exceeded")

// errTooDeep stops template calls nested deeper than maxDepth (endless
// recursion through {{template}}).
var errTooDeep = errors.New("templates call each other too deeply")

// errInternal marks a panic inside the template engine that Render or
// Compile recovered from. It should never happen; the fuzz test checks that.
var errInternal = errors.New("internal error")

// Part names, as used in Problem.Part.
const (
	PartSubject = "subject"
	PartHTML    = "html"
	PartText    = "text"
)

// Problem is one mistake in a template, located as precisely as the parser
// allows.
type Problem struct {
	// Part is "subject", "html" or "text"; for the in-app part of a
	// template "inapp.title", "inapp.body", "inapp.link",
	// "inapp.actions[0].label" and so on (see CompileInApp).
	Part string `json:"part"`
	// Line is 1-based; 0 when unknown.
	Line int `json:"line,omitempty"`
	// Column is 1-based and counts characters; 0 when unknown.
	Column int `json:"column,omitempty"`
	// Message is English prose for people.
	Message string `json:"message"`
}

// String formats the problem as "part:line:column: message", leaving out
// the parts of the location that are unknown.
func (p Problem) String() string {
	switch {
	case p.Line > 0 && p.Column > 0:
		return fmt.Sprintf("%s:%d:%d: %s", p.Part, p.Line, p.Column, p.Message)
	case p.Line > 0:
		return fmt.Sprintf("%s:%d: %s", p.Part, p.Line, p.Message)
	}
	return fmt.Sprintf("%s: %s", p.Part, p.Message)
}

// Error is returned by Compile and Render for mistakes in a template and
// for renders stopped by a limit.
type Error struct {
	// Problems lists every problem found, in part and line order.
	Problems []Problem
	// Cause is what stopped a render: ErrTimeout, ErrTooLarge or a context
	// error. It is nil for mistakes in the template itself.
	Cause error
}

// Error joins the problems as "html:3:12: message; text:1: message".
func (e *Error) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.String()
	}
	return "template: " + strings.Join(parts, "; ")
}

// Unwrap returns the cause, so errors.Is(err, ErrTimeout) works.
func (e *Error) Unwrap() error { return e.Cause }

// Position converts a byte offset in src to a 1-based line and a 1-based
// column counted in characters; 0, 0 for an offset outside src.
func Position(src string, pos int) (line, col int) {
	if pos < 0 || pos > len(src) {
		return 0, 0
	}
	before := src[:pos]
	line = 1 + strings.Count(before, "\n")
	start := strings.LastIndexByte(before, '\n') + 1
	return line, 1 + utf8.RuneCountInString(before[start:])
}

// lineText returns the text of the 1-based line and its byte offset.
func lineText(src string, line int) (string, int, bool) {
	off := 0
	for i := 1; i < line; i++ {
		nl := strings.IndexByte(src[off:], '\n')
		if nl < 0 {
			return "", 0, false
		}
		off += nl + 1
	}
	text := src[off:]
	if nl := strings.IndexByte(text, '\n'); nl >= 0 {
		text = text[:nl]
	}
	return text, off, true
}

var parseErrRE = regexp.MustCompile(`(?s)^template: [^:]*:(\d+): (.*)$`)

// parseProblem turns a text/template/parse error ("template: NAME:LINE:
// MESSAGE") into a Problem. The parser gives no column; syntaxColumn
// finds the action the message is about.
func parseProblem(part, src string, err error) Problem {
	m := parseErrRE.FindStringSubmatch(err.Error())
	if m == nil {
		return Problem{Part: part, Message: err.Error()}
	}
	line, _ := strconv.Atoi(m[1])
	msg := strings.TrimPrefix(m[2], "template: ")
	if msg == "unexpected EOF" {
		// The parser reports the end of the template; the mistake is the
		// block left open, so the problem points there.
		if kw, off, ok := unclosedBlock(src); ok {
			line, col := Position(src, off)
			return Problem{Part: part, Line: line, Column: col,
				Message: "syntax error: unexpected EOF: {{ " + kw + " }} is not closed with {{ end }}"}
		}
	}
	if off, ok := misplacedAction(src, msg); ok {
		line, col := Position(src, off)
		return Problem{Part: part, Line: line, Column: col, Message: "syntax error: " + msg}
	}
	// An action over several lines is reported where the lexer gave up,
	// "… started at NAME:LINE" naming the line it began on.
	about := msg
	if m := startedAt.FindStringSubmatch(msg); m != nil {
		about = m[1]
		line, _ = strconv.Atoi(m[2])
	}
	return Problem{Part: part, Line: line, Column: syntaxColumn(src, line, about), Message: "syntax error: " + msg}
}

// startedAt splits the lexer's "unclosed action started at text:2".
var startedAt = regexp.MustCompile(`^(.*) started at [^:]*:(\d+)$`)

// misplacedAction finds, for the parser's "unexpected {{end}}" and
// "expected end; found {{else}}", the action it stopped at (see
// scanBlocks). The parser names only the line, which may hold several.
func misplacedAction(src, msg string) (offset int, ok bool) {
	switch {
	case msg == "unexpected {{end}}":
		offset = scanBlocks(src).extraEnd
	case strings.HasPrefix(msg, "expected end; found {{else"):
		offset = scanBlocks(src).extraElse
	default:
		return 0, false
	}
	return offset, offset >= 0
}

// blocks is what a walk over the actions of a template finds: the blocks
// left open, innermost last; the first {{ end }} that closes nothing; and
// the first {{ else }} after a block's plain {{ else }}. Offsets are in
// bytes, -1 when there is none.
type blocks struct {
	open                []openBlock
	extraEnd, extraElse int
}

// openBlock is an {{ if }}, {{ range }}, {{ with }}, {{ block }} or
// {{ define }} and whether a plain {{ else }} has been seen in it.
type openBlock struct {
	kw       string
	off      int
	elseSeen bool
}

func scanBlocks(src string) blocks {
	b := blocks{extraEnd: -1, extraElse: -1}
	for _, m := range action.FindAllStringSubmatchIndex(src, -1) {
		if m[2] < 0 {
			continue
		}
		switch kw := src[m[2]:m[3]]; kw {
		case "if", "range", "with", "block", "define":
			b.open = append(b.open, openBlock{kw: kw, off: m[0]})
		case "end":
			if len(b.open) == 0 {
				if b.extraEnd < 0 {
					b.extraEnd = m[0]
				}
				continue
			}
			b.open = b.open[:len(b.open)-1]
		case "else":
			if len(b.open) == 0 {
				continue
			}
			top := &b.open[len(b.open)-1]
			if top.elseSeen && b.extraElse < 0 {
				b.extraElse = m[0]
			}
			// {{ else if … }} and {{ else with … }} continue the block.
			top.elseSeen = top.elseSeen || !chainedElse.MatchString(src[m[0]:m[1]])
		}
	}
	return b
}

// chainedElse matches {{ else if … }} and {{ else with … }}.
var chainedElse = regexp.MustCompile(`^\{\{-?\s*else\s+(if|with)\b`)

// syntaxColumn returns the column on the given line of what the parser's
// message is about, or 0 when that is absent or ambiguous there.
func syntaxColumn(src string, line int, msg string) int {
	text, _, ok := lineText(src, line)
	if !ok {
		return 0
	}
	msg = strings.TrimSuffix(msg, " in action") // "unclosed left paren in action started at …"
	var re *regexp.Regexp
	switch {
	case msg == "unclosed action":
		// The lexer reached the end of the template inside an action:
		// the last {{ has no }} after it.
		open := strings.LastIndex(src, "{{")
		if open < 0 || strings.Contains(src[open:], "}}") {
			return 0
		}
		if at, col := Position(src, open); at == line {
			return col
		}
		return 0
	case msg == "unterminated quoted string":
		_, quote := actionScan(text, "")
		return column(text, quote)
	case badRune.MatchString(msg):
		code, _ := strconv.ParseUint(badRune.FindStringSubmatch(msg)[1], 16, 32)
		first, _ := actionScan(text, string(rune(code)))
		return column(text, first)
	case unexpectedToken.MatchString(msg):
		// The parser stopped at the token inside an action; the same
		// character may stand in the text around it ("<" of a tag).
		first, _ := actionScan(text, unexpectedToken.FindStringSubmatch(msg)[1])
		if first >= 0 {
			return column(text, first)
		}
		return guessColumn(text, msg)
	case strings.HasPrefix(msg, "missing value for "):
		kw := strings.TrimPrefix(msg, "missing value for ")
		if kw == "command" {
			re = emptyAction
		} else {
			re = regexp.MustCompile(`\{\{-?\s*` + regexp.QuoteMeta(kw) + `\s*-?\}\}`)
		}
	case msg == "unexpected right paren":
		return onceColumn(text, ")")
	case msg == "unclosed left paren":
		return onceColumn(text, "(")
	default:
		return guessColumn(text, msg)
	}
	if locs := re.FindAllStringIndex(text, 2); len(locs) == 1 {
		return column(text, locs[0][0])
	}
	return 0
}

// column is the 1-based column of a byte offset in a line, or 0 for -1.
func column(text string, off int) int {
	if off < 0 {
		return 0
	}
	return 1 + utf8.RuneCountInString(text[:off])
}

// onceColumn is the column of token on the line when it occurs there
// exactly once, else 0: more than one would be a guess.
func onceColumn(text, token string) int {
	if token == "" || strings.Count(text, token) != 1 {
		return 0
	}
	return column(text, strings.Index(text, token))
}

// emptyAction matches an action with nothing to do: {{ }} or {{ $x := }}.
var emptyAction = regexp.MustCompile(`\{\{-?\s*(\$\w*\s*:?=\s*)?-?\}\}`)

// actionScan walks one line's actions and returns the byte offset of the
// first token inside an action and outside quoted strings, and of the
// quote that opens a string no quote closes on the line (strings cannot
// span lines); -1 for none.
func actionScan(text, token string) (first, openQuote int) {
	first, openQuote = -1, -1
	inAction, inString := false, false
	for i := 0; i < len(text); i++ {
		switch {
		case inString && text[i] == '\\':
			i++
		case inString && text[i] == '"':
			inString = false
		case inString:
		case !inAction && strings.HasPrefix(text[i:], "{{"):
			inAction = true
			i++
		case inAction && strings.HasPrefix(text[i:], "}}"):
			inAction = false
			i++
		case inAction && text[i] == '"':
			inString, openQuote = true, i
		case inAction && first < 0 && token != "" && strings.HasPrefix(text[i:], token):
			first = i
		}
	}
	if !inString {
		openQuote = -1
	}
	return first, openQuote
}

// unexpectedToken reads the parser's `unexpected "<" in operand`.
var unexpectedToken = regexp.MustCompile(`^unexpected "([^"]+)" in `)

// badRune reads the character of the lexer's "bad character U+0040 '@'"
// and "unrecognized character in action: U+003C '<'".
var badRune = regexp.MustCompile(`^(?:bad character|unrecognized character in action:) U\+([0-9A-F]{4,6})\b`)

// action matches a template action with its first word.
var action = regexp.MustCompile(`(?s)\{\{-?\s*(/\*|[A-Za-z]+)?.*?\}\}`)

// unclosedBlock finds the innermost {{ if }}, {{ range }}, {{ with }},
// {{ block }} or {{ define }} of src that no {{ end }} closes: its
// keyword and byte offset.
func unclosedBlock(src string) (keyword string, offset int, ok bool) {
	open := scanBlocks(src).open
	if len(open) == 0 {
		return "", 0, false
	}
	top := open[len(open)-1]
	return top.kw, top.off, true
}

// guessColumn returns the column on the line of the first quoted token
// of msg (`"x"` or `<x>`), or 0 when it is absent or ambiguous there.
func guessColumn(text, msg string) int {
	var token string
	if i := strings.IndexByte(msg, '"'); i >= 0 {
		if q, err := strconv.QuotedPrefix(msg[i:]); err == nil {
			token, _ = strconv.Unquote(q)
		}
	} else if i := strings.IndexByte(msg, '<'); i >= 0 {
		if j := strings.IndexByte(msg[i:], '>'); j > 1 {
			token = msg[i+1 : i+j]
		}
	}
	return onceColumn(text, token)
}

var execErrRE = regexp.MustCompile(`(?s)^template: [^:]*:(\d+):(\d+): executing "(.*?)" at <(.*?)>: (.*)$`)

// execProblem turns an execution error into a Problem. text/template
// formats them as `template: NAME:LINE:COL: executing "TMPL" at <NODE>:
// MESSAGE`, where COL is a 0-based byte offset within the line.
func execProblem(part, src string, err error) Problem {
	msg := err.Error()
	m := execErrRE.FindStringSubmatch(msg)
	if m == nil {
		return Problem{Part: part, Message: strings.TrimPrefix(msg, "template: ")}
	}
	p := Problem{Part: part}
	p.Line, _ = strconv.Atoi(m[1])
	byteCol, _ := strconv.Atoi(m[2])
	node, detail := m[4], m[5]
	if text, off, ok := lineText(src, p.Line); ok && byteCol <= len(text) {
		_, p.Column = Position(src, chainStartAt(src, off+byteCol, node))
	}
	if rest, ok := strings.CutPrefix(detail, "error calling "); ok {
		detail = rest
		if name, inner, ok := strings.Cut(rest, ": "); ok && strings.HasPrefix(name, "__") {
			detail = inner
		}
	} else {
		detail = shorten(node, 60) + ": " + detail
	}
	p.Message = detail
	tmpl, _, _ := strings.Cut(m[3], "$htmltemplate") // html/template's copies per context
	if tmpl != part {
		p.Message += fmt.Sprintf(" (in template %q)", tmpl)
	}
	return p
}

// MissingKey reads a problem's `PATH: map has no entry for key "KEY"`, a
// placeholder without a value when rendering: the placeholder cut after
// the missing key (".data.job" of ".data.job.title"), and the key.
func MissingKey(message string) (path, key string, ok bool) {
	m := missingKey.FindStringSubmatch(message)
	if m == nil {
		return "", "", false
	}
	return keyPath(m[1], m[2]), m[2], true
}

var missingKey = regexp.MustCompile(`^(\S+): map has no entry for key "([^"]+)"`)

// ParseError reads the text of an *Error back into its problems, also
// after a prefix such as ingest's `template "job" (de): `; nil for text
// that is not one.
func ParseError(text string) []Problem {
	_, rest, ok := strings.Cut(text, "template: ")
	if !ok {
		return nil
	}
	starts := problemStart.FindAllStringSubmatchIndex(rest, -1)
	var out []Problem
	for i, m := range starts {
		end := len(rest)
		if i+1 < len(starts) {
			end = starts[i+1][0]
		}
		p := Problem{Part: rest[m[2]:m[3]], Message: rest[m[1]:end]}
		if m[4] >= 0 {
			p.Line, _ = strconv.Atoi(rest[m[4]:m[5]])
		}
		if m[6] >= 0 {
			p.Column, _ = strconv.Atoi(rest[m[6]:m[7]])
		}
		out = append(out, p)
	}
	return out
}

// problemStart finds where each Problem.String starts in an Error's text:
// at a part of the mail or of the in-app item.
var problemStart = regexp.MustCompile(`(?:^|; )(subject|html|text|inapp\.(?:title|body|link|actions(?:\[\d+\]\.(?:label|url))?))(?::(\d+))?(?::(\d+))?: `)

// keyPath cuts a placeholder path after the missing key.
func keyPath(path, key string) string {
	parts := strings.Split(path, ".")
	for i, p := range parts {
		if p == key {
			return strings.Join(parts[:i+1], ".")
		}
	}
	return path
}

// chainStartAt moves pos back to the start of a field chain such as
// ".data.nope", which the parser positions at its last element.
func chainStartAt(src string, pos int, node string) int {
	if node == "" || (node[0] != '.' && node[0] != '$') {
		return pos
	}
	for start := pos; start >= 0 && start >= pos-len(node); start-- {
		if strings.HasPrefix(src[start:], node) {
			return start
		}
	}
	return pos
}

func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

const rangeReentry = "a {{range}} body ends in a different HTML context than it starts (for example an unclosed quote or tag inside the loop)"

// escapeProblem turns an html/template escaping error into a Problem with
// a message an administrator can act on.
func escapeProblem(src string, e *htmltemplate.Error) Problem {
	p := Problem{Part: PartHTML, Line: e.Line, Message: e.Description}
	if e.Node != nil {
		p.Line, p.Column = Position(src, int(e.Node.Position()))
	}
	switch e.ErrorCode {
	case htmltemplate.ErrEndContext:
		p.Message = "the HTML ends inside an unfinished tag, attribute, comment, script or style: check for a missing quote or '>'"
	case htmltemplate.ErrBranchEnd:
		p.Message = "the branches of an {{if}} or {{with}} end in different HTML contexts (for example one closes a quote or tag and the other does not)"
		if strings.Contains(e.Description, "range loop re-entry") {
			p.Message = rangeReentry
		}
	case htmltemplate.ErrRangeLoopReentry:
		p.Message = rangeReentry
	case htmltemplate.ErrAmbigContext:
		p.Message = "a placeholder is in an ambiguous place inside a URL (after an {{if}} that may or may not have added a '?'): " + e.Description
	case htmltemplate.ErrPredefinedEscaper:
		p.Message = "html and urlquery may only come last in a pipeline in the HTML part (placeholders there are escaped automatically)"
	case htmltemplate.ErrPartialEscape:
		p.Message = "a placeholder follows an unfinished backslash escape in a script string"
	}
	return p
}
