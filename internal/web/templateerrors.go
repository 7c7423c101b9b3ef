package web

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/herold-dev/herold/internal/render"
	"github.com/herold-dev/herold/internal/service"
)

// templateIssue is a template problem explained for people: what is wrong
// and what to do, in the user's language, where it is, and the parser's
// own message (shown in small type).
type templateIssue struct {
	Line, Column int
	Message      string
	Raw          string
}

var (
	quoted       = regexp.MustCompile(`"([^"]*)"`)
	didYouMean   = regexp.MustCompile(`did you mean "([^"]+)"`)
	missingValue = regexp.MustCompile(`missing value for (\w+)`)
	noEntry      = regexp.MustCompile(`^(\S+): map has no entry for key "([^"]+)"`)
	// endAction and openAction find an {{ end }} and an action that is
	// not closed on its line.
	endAction  = regexp.MustCompile(`\{\{-?\s*end\b`)
	openAction = regexp.MustCompile(`\{\{[^}]*$`)
)

// explainTemplate explains a problem the service found in a template
// part; src is the part's source, which says where a missing {{ end }}
// belongs. Problems it has no sentence for keep the service's message.
func explainTemplate(l *localizer, src string, f service.FieldError) templateIssue {
	d := f.Detail
	is := templateIssue{Line: f.Line, Column: f.Column, Raw: d}
	name := ""
	if m := quoted.FindStringSubmatch(d); m != nil {
		name = m[1]
	}
	switch {
	case strings.Contains(d, "syntax error: unexpected EOF"):
		if kw, off, ok := render.UnclosedBlock(src); ok {
			is.Line, is.Column = render.Position(src, off)
			is.Message = tplT(l, "web.tpl.missing_end", "block", "{{ "+kw+" }}", "line", is.Line)
		} else {
			is.Message = tplT(l, "web.tpl.eof")
		}
	case strings.HasSuffix(d, "unexpected {{end}}"):
		is.Column = columnOf(src, is.Line, endAction)
		is.Message = tplT(l, "web.tpl.extra_end")
	case strings.HasSuffix(d, "unclosed action"), strings.HasSuffix(d, "unclosed action started at"):
		is.Column = columnOf(src, is.Line, openAction)
		is.Message = tplT(l, "web.tpl.unclosed_action")
	case strings.HasPrefix(d, "unknown function"):
		is.Message = tplT(l, "web.tpl.unknown_function", "name", name)
	case strings.HasPrefix(d, "unknown placeholder"):
		is.Message = tplT(l, "web.tpl.unknown_placeholder", "name", name)
	case noEntry.MatchString(d):
		m := noEntry.FindStringSubmatch(d)
		is.Message = tplT(l, "web.tpl.missing_key", "key", m[2], "path", keyPath(m[1], m[2]))
	case missingValue.MatchString(d):
		kw := missingValue.FindStringSubmatch(d)[1]
		is.Message = tplT(l, "web.tpl.missing_value", "block", "{{ "+kw+" }}", "example", "{{ "+kw+" .data.x }}")
	case strings.Contains(d, "the HTML ends inside an unfinished tag"):
		is.Message = tplT(l, "web.tpl.unfinished_tag")
	case strings.Contains(d, "syntax error"):
		is.Message = tplT(l, "web.tpl.syntax")
	default:
		is.Message, is.Raw = fieldMessage(l, service.FieldError{Code: f.Code, Detail: d}), ""
		return is
	}
	if m := didYouMean.FindStringSubmatch(d); m != nil {
		is.Message += " " + tplT(l, "web.tpl.did_you_mean", "name", m[1])
	}
	return is
}

// columnOf is the column of re's first match on line (1-based) of src,
// or 0.
func columnOf(src string, line int, re *regexp.Regexp) int {
	lines := strings.Split(src, "\n")
	if line < 1 || line > len(lines) {
		return 0
	}
	loc := re.FindStringIndex(lines[line-1])
	if loc == nil {
		return 0
	}
	return utf8.RuneCountInString(lines[line-1][:loc[0]]) + 1
}

// keyPath cuts a placeholder path after the missing key: ".data.job" of
// ".data.job.title" when "job" is missing.
func keyPath(path, key string) string {
	parts := strings.Split(path, ".")
	for i, p := range parts {
		if p == key {
			return strings.Join(parts[:i+1], ".")
		}
	}
	return path
}

// tplT translates a template problem's sentence; the template syntax it
// quotes is passed in, since the catalog's own syntax is the same.
func tplT(l *localizer, id string, args ...any) string {
	return l.T(id, append([]any{"end", "{{ end }}", "if", "{{ if }}", "range", "{{ range }}", "with", "{{ with }}",
		"open", "{{", "close", "}}"}, args...)...)
}
