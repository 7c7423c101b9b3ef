package web

import (
	"regexp"
	"strconv"
	"strings"

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
	// Alone is true for a sentence that needs no "template error" before
	// it (a part left empty).
	Alone bool
}

var (
	quoted       = regexp.MustCompile(`"([^"]*)"`)
	didYouMean   = regexp.MustCompile(`did you mean "([^"]+)"`)
	missingValue = regexp.MustCompile(`missing value for (\w+)`)
	notClosed    = regexp.MustCompile(`\{\{ (\w+) \}\} is not closed with \{\{ end \}\}`)
	argCount     = regexp.MustCompile(`^wrong number of arguments for "([^"]+)": takes (at least )?(\d+)(?: to (\d+))?, given (\d+)$`)
)

// explainTemplate explains a problem the service found in a template
// part, at the line and column render gave it. Problems it has no
// sentence for keep the service's message.
func explainTemplate(l *localizer, f service.FieldError) templateIssue {
	d := f.Detail
	is := templateIssue{Line: f.Line, Column: f.Column, Raw: d}
	name := ""
	if m := quoted.FindStringSubmatch(d); m != nil {
		name = m[1]
	}
	args := argCount.FindStringSubmatch(d)
	path, key, missing := render.MissingKey(d)
	switch {
	case d == render.ProblemNoSubject:
		return templateIssue{Message: tplT(l, "web.tpl.no_subject"), Alone: true}
	case d == render.ProblemNoBody:
		return templateIssue{Message: tplT(l, "web.tpl.no_body"), Alone: true}
	case strings.Contains(d, "syntax error: unexpected EOF"):
		// render points the problem at the block left open and names it.
		if m := notClosed.FindStringSubmatch(d); m != nil {
			is.Message = tplT(l, "web.tpl.missing_end", "block", "{{ "+m[1]+" }}", "line", is.Line)
		} else {
			is.Message = tplT(l, "web.tpl.eof")
		}
	case strings.HasSuffix(d, "unexpected {{end}}"):
		is.Message = tplT(l, "web.tpl.extra_end")
	case strings.Contains(d, "unclosed action"): // also "… started at text:2"
		is.Message = tplT(l, "web.tpl.unclosed_action")
	case args != nil:
		is.Message = tplT(l, "web.tpl.arg_count", "name", name, "want", wantArgs(l, args), "given", args[5])
	case strings.HasPrefix(d, "unknown function"):
		is.Message = tplT(l, "web.tpl.unknown_function", "name", name)
	case strings.HasPrefix(d, "unknown placeholder"):
		is.Message = tplT(l, "web.tpl.unknown_placeholder", "name", name)
	case missing:
		is.Message = tplT(l, "web.tpl.missing_key", "key", key, "path", path)
	case missingValue.MatchString(d):
		kw := missingValue.FindStringSubmatch(d)[1]
		is.Message = tplT(l, "web.tpl.missing_value", "block", "{{ "+kw+" }}", "example", "{{ "+kw+" .data.x }}")
	case strings.Contains(d, "the HTML ends inside an unfinished tag"):
		is.Message = tplT(l, "web.tpl.unfinished_tag")
	case strings.Contains(d, "syntax error"):
		is.Message = tplT(l, "web.tpl.syntax")
	default:
		// No sentence of ours: "template error" alone, with the
		// service's detail in small type.
		return is
	}
	if m := didYouMean.FindStringSubmatch(d); m != nil {
		is.Message += " " + tplT(l, "web.tpl.did_you_mean", "name", m[1])
	}
	return is
}

// wantArgs says how many arguments a function takes, from the parts of
// an argCount match: "1 Argument", "mindestens 2 Argumente", "1 bis 4
// Argumente".
func wantArgs(l *localizer, m []string) string {
	n, _ := strconv.Atoi(m[3])
	switch {
	case m[2] != "":
		return l.T("web.tpl.args_at_least", "n", n)
	case m[4] != "":
		return l.T("web.tpl.args_range", "min", m[3], "max", m[4])
	}
	return l.T("web.tpl.args_exactly", "n", n)
}

// tplT translates a template problem's sentence; the template syntax it
// quotes is passed in, since the catalog's own syntax is the same.
func tplT(l *localizer, id string, args ...any) string {
	return l.T(id, append([]any{"end", "{{ end }}", "if", "{{ if }}", "range", "{{ range }}", "with", "{{ with }}",
		"open", "{{", "close", "}}"}, args...)...)
}
