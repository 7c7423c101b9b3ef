package render

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
)

const rootsHint = "the data model has actors, contact, data, digest, event, now, object, project, recipient, today, workspace"

func TestCompileProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   model.TemplateContent
		want []Problem
	}{
		{
			name: "syntax error with line and column",
			in:   model.TemplateContent{Subject: "Hallo", Text: "Hallo {{ .contact.name }},\n{{ .data.total }"},
			want: []Problem{{PartText, 2, 16, `syntax error: unexpected "}" in operand`}},
		},
		{
			// The parser reports the end of the template; the problem
			// points at the block left open, the innermost one.
			name: "a block without its end",
			in:   model.TemplateContent{Subject: "Hallo", HTML: "<p>Hallo</p>\n<ul>{{ range .data.items }}\n  <li>{{ if .x }}{{ .x }}{{ end }}</li>\n  {{ with .y }}{{ . }}\n</ul>"},
			want: []Problem{{PartHTML, 4, 3, `syntax error: unexpected EOF: {{ with }} is not closed with {{ end }}`}},
		},
		{
			// The parser names only the line; the problem points at the
			// {{ end }} that closes nothing, not at the first on the line.
			name: "an end too many",
			in:   model.TemplateContent{Subject: "Hallo", Text: "a\n{{ if .data.x }}{{ end }} {{- end }}"},
			want: []Problem{{PartText, 2, 27, `syntax error: unexpected {{end}}`}},
		},
		{
			name: "a second else",
			in:   model.TemplateContent{Subject: "Hallo", Text: "{{ if .data.x }}a{{ else if .data.y }}b{{ else }}c{{ else }}d{{ end }}"},
			want: []Problem{{PartText, 1, 51, `syntax error: expected end; found {{else}}`}},
		},
		{
			name: "an action left open at the end",
			in:   model.TemplateContent{Subject: "Hallo", Text: "{{ .data.x }}\nHallo {{ .data.name "},
			want: []Problem{{PartText, 2, 7, `syntax error: unclosed action`}},
		},
		{
			// The lexer gives up at the end of the template and names the
			// line the action began on; the problem points at its {{.
			name: "an action left open over several lines",
			in:   model.TemplateContent{Subject: "Hallo", Text: "a\nb {{ .data.x\n\nmore"},
			want: []Problem{{PartText, 2, 3, `syntax error: unclosed action started at text:2`}},
		},
		{
			name: "a paren left open in an action over lines",
			in:   model.TemplateContent{Subject: "Hallo", Text: "a\n{{ (upper .data.x\n }}"},
			want: []Problem{{PartText, 2, 4, `syntax error: unclosed left paren in action started at text:2`}},
		},
		{
			name: "if without a value",
			in:   model.TemplateContent{Subject: "Hallo", Text: "{{ if .data.x }}{{ end }}\n  {{- if }}x{{ end }}"},
			want: []Problem{{PartText, 2, 3, `syntax error: missing value for if`}},
		},
		{
			name: "an empty assignment",
			in:   model.TemplateContent{Subject: "Hallo", Text: "{{ $x := 1 }}{{ $x := }}{{ $x }}"},
			want: []Problem{{PartText, 1, 14, `syntax error: missing value for command`}},
		},
		{
			name: "a string without its closing quote",
			in:   model.TemplateContent{Subject: "Hallo", Text: "\"Hallo\" {{ printf \"%s\" \"ä\\\"b }}\nx"},
			want: []Problem{{PartText, 1, 24, `syntax error: unterminated quoted string`}},
		},
		{
			name: "a right paren too many",
			in:   model.TemplateContent{Subject: "Hallo", Text: "x\n{{ upper .data.x) }}"},
			want: []Problem{{PartText, 2, 17, `syntax error: unexpected right paren`}},
		},
		{
			// The "<" the parser stopped at is the one inside the action
			// left open, not the tag's.
			name: "a tag inside an action",
			in:   model.TemplateContent{Subject: "Hallo", HTML: "<p>a</p>\n<p>{{ .data.x </p>\n"},
			want: []Problem{{PartHTML, 2, 15, `syntax error: unexpected "<" in operand`}},
		},
		{
			name: "a character that has no place in an action",
			in:   model.TemplateContent{Subject: "Hallo", HTML: "<b>{{ a@b }}</b>@"},
			want: []Problem{{PartHTML, 1, 8, `syntax error: bad character U+0040 '@'`}},
		},
		{
			// text/template checks argument counts only when a call runs;
			// a call in a branch that rarely runs is refused at once.
			name: "wrong numbers of arguments",
			in: model.TemplateContent{Subject: "{{ .data.d | date_long }}",
				Text: "{{ if .data.x }}{{ date_long }}{{ end }}\n{{ .data.d | date }} {{ upper date_long }} {{ eq 1 }} {{ printf \"%d\" (len 1 2) }}"},
			want: []Problem{
				{PartText, 1, 20, `wrong number of arguments for "date_long": takes 1, given 0`},
				{PartText, 2, 14, `wrong number of arguments for "date": takes 2, given 1`},
				{PartText, 2, 31, `wrong number of arguments for "date_long": takes 1, given 0`},
				{PartText, 2, 47, `wrong number of arguments for "eq": takes at least 2, given 1`},
				{PartText, 2, 71, `wrong number of arguments for "len": takes 1, given 2`},
			},
		},
		{
			name: "undefined variable",
			in:   model.TemplateContent{Subject: "Hallo", Text: "a\nb {{ $total }}"},
			want: []Problem{{PartText, 2, 6, `syntax error: undefined variable "$total"`}},
		},
		{
			name: "unknown function",
			in:   model.TemplateContent{Subject: "Hallo", Text: "Hallo\n  {{ frobnicate .data.x }}"},
			want: []Problem{{PartText, 2, 6, `unknown function "frobnicate"`}},
		},
		{
			name: "unknown function with suggestion",
			in:   model.TemplateContent{Subject: "{{ uper .data.x }}", Text: "x"},
			want: []Problem{{PartSubject, 1, 4, `unknown function "uper"; did you mean "upper"?`}},
		},
		{
			name: "unknown placeholder",
			in:   model.TemplateContent{Subject: "Hallo", HTML: "<p>\n  Typ: {{ .evnt.type }}\n</p>"},
			want: []Problem{{PartHTML, 2, 11, `unknown placeholder ".evnt.type": ` + rootsHint + `; did you mean "event"?`}},
		},
		{
			name: "unknown event field",
			in:   model.TemplateContent{Subject: "Neu: {{ .event.typo }}", Text: "x"},
			want: []Problem{{PartSubject, 1, 9, `unknown placeholder ".event.typo": event has id, occurred_at, project, source, type; did you mean "type"?`}},
		},
		{
			name: "unknown workspace field through $",
			in:   model.TemplateContent{Subject: "s", Text: "{{ range .data.items }}{{ $.workspace.email }}{{ end }}"},
			want: []Problem{{PartText, 1, 27, `unknown placeholder "$.workspace.email": workspace has key, name`}},
		},
		{
			name: "placeholder in a with's else branch sees the root",
			in:   model.TemplateContent{Subject: "s", Text: "{{ with .data.x }}{{ .anything }}{{ else }}{{ .dta }}{{ end }}"},
			want: []Problem{{PartText, 1, 47, `unknown placeholder ".dta": ` + rootsHint + `; did you mean "data"?`}},
		},
		{
			name: "defined template called with the root",
			in:   model.TemplateContent{Subject: "s", Text: "{{ define \"x\" }}{{ .evnt }}{{ end }}{{ template \"x\" . }}"},
			want: []Problem{{PartText, 1, 20, `unknown placeholder ".evnt": ` + rootsHint + `; did you mean "event"?`}},
		},
		{
			name: "undefined template",
			in:   model.TemplateContent{Subject: "s", Text: "a\n{{ template \"footer\" . }}"},
			want: []Problem{{PartText, 2, 13, `no template named "footer" is defined`}},
		},
		{
			name: "reserved names",
			in:   model.TemplateContent{Subject: "s", Text: "{{ .data.__x }}{{ __herold_tick }}{{ $__v := 1 }}"},
			want: []Problem{
				{PartText, 1, 4, `placeholder ".data.__x": names starting with "__" are reserved`},
				{PartText, 1, 19, `unknown function "__herold_tick"`},
				{PartText, 1, 38, `variable $__v: names starting with "__" are reserved`},
			},
		},
		{
			name: "CR LF in subject",
			in:   model.TemplateContent{Subject: "Hallo {{ .data.x }}\r\nBcc: evil@x.de", Text: "x"},
			want: []Problem{{PartSubject, 1, 20, "the subject must be a single line (mail headers cannot contain line breaks)"}},
		},
		{
			name: "LF inside a subject action",
			in:   model.TemplateContent{Subject: "{{ .data.x\n}}", Text: "x"},
			want: []Problem{{PartSubject, 1, 11, "the subject must be a single line (mail headers cannot contain line breaks)"}},
		},
		{
			name: "subject and body required",
			in:   model.TemplateContent{Subject: "  "},
			want: []Problem{
				{Part: PartSubject, Message: "a subject is required"},
				{Part: PartHTML, Message: "an HTML body or a text body is required"},
			},
		},
		{
			name: "source too large",
			in:   model.TemplateContent{Subject: "s", HTML: strings.Repeat("x", MaxSourceBytes+1)},
			want: []Problem{{Part: PartHTML, Message: "the html is larger than 256 KiB"}},
		},
		{
			name: "problems in every part are all reported",
			in:   model.TemplateContent{Subject: "{{ .evnt }}", HTML: "<p>{{ nope }}</p>", Text: "{{ .event.typ }}"},
			want: []Problem{
				{PartSubject, 1, 4, `unknown placeholder ".evnt": ` + rootsHint + `; did you mean "event"?`},
				{PartHTML, 1, 7, `unknown function "nope"`},
				{PartText, 1, 4, `unknown placeholder ".event.typ": event has id, occurred_at, project, source, type; did you mean "type"?`},
			},
		},
		{
			name: "escaping problems are reported with the other parts' problems",
			in:   model.TemplateContent{Subject: "{{ .evnt }}", HTML: `<a href="{{ .data.url }}>x</a>`, Text: "{{ nope }}"},
			want: []Problem{
				{PartSubject, 1, 4, `unknown placeholder ".evnt": ` + rootsHint + `; did you mean "event"?`},
				{Part: PartHTML, Message: "the HTML ends inside an unfinished tag, attribute, comment, script or style: check for a missing quote or '>'"},
				{PartText, 1, 4, `unknown function "nope"`},
			},
		},
		{
			name: "ambiguous URL context",
			in:   model.TemplateContent{Subject: "s", HTML: `<a href="{{ if .data.c }}/p/{{ else }}/s?q={{ end }}{{ .data.x }}">x</a>`},
			want: []Problem{{PartHTML, 1, 56, `a placeholder is in an ambiguous place inside a URL (after an {{if}} that may or may not have added a '?'): {{.data.x}} appears in an ambiguous context within a URL`}},
		},
		{
			name: "branches end in different contexts",
			in:   model.TemplateContent{Subject: "s", HTML: "<p>\n{{ if .data.v }}<a href=\"{{ end }}x\">"},
			want: []Problem{{PartHTML, 2, 7, "the branches of an {{if}} or {{with}} end in different HTML contexts (for example one closes a quote or tag and the other does not)"}},
		},
		{
			name: "predefined escaper inside a pipeline",
			in:   model.TemplateContent{Subject: "s", HTML: `<p>{{ .data.v | html | upper }}</p>`},
			want: []Problem{{PartHTML, 1, 7, "html and urlquery may only come last in a pipeline in the HTML part (placeholders there are escaped automatically)"}},
		},
		{
			name: "HTML ends inside an attribute",
			in:   model.TemplateContent{Subject: "s", HTML: `<a href="{{ .data.url }}>x</a>`},
			want: []Problem{{Part: PartHTML, Message: "the HTML ends inside an unfinished tag, attribute, comment, script or style: check for a missing quote or '>'"}},
		},
		{
			name: "range body changes the context",
			in:   model.TemplateContent{Subject: "s", HTML: "<p>\n{{ range .data.l }}<a href=\"{{ . }}{{ end }}\">x</a>"},
			want: []Problem{{PartHTML, 2, 10, "a {{range}} body ends in a different HTML context than it starts (for example an unclosed quote or tag inside the loop)"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Compile(tt.in)
			require.Error(t, err)
			require.Nil(t, c)
			require.Equal(t, tt.want, problemsOf(t, err))
		})
	}
}

func TestCompileAccepts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
	}{
		{"range rebinds dot", "{{ range .data.items }}{{ .name }} {{ .anything.deep }}{{ end }}"},
		{"with rebinds dot", "{{ with .contact }}{{ .birthday }}{{ end }}"},
		{"else with", "{{ with .data.a }}{{ .x }}{{ else with .data.b }}{{ .y }}{{ end }}"},
		{"range variables and $", "{{ range $i, $x := .data.l }}{{ $i }}{{ $x.y }}{{ $.event.type }}{{ end }}"},
		{"variables are not checked", "{{ $e := .event }}{{ $e.whatever }}"},
		{"methods on free roots", "{{ .now.Year }} {{ .today.Weekday }}"},
		{"known event and workspace fields", "{{ .event.id }}{{ .event.type }}{{ .event.occurred_at }}{{ .workspace.name }}"},
		{"free-form roots", "{{ .data.a.b.c }}{{ .contact.x }}{{ .object.y }}{{ .actors.promoter.name }}{{ .project.z }}{{ .recipient.email }}"},
		{"defined template with other dot", "{{ define \"row\" }}{{ .name }}{{ end }}{{ range .data.items }}{{ template \"row\" . }}{{ end }}"},
		{"block", "{{ block \"footer\" . }}{{ .workspace.name }}{{ end }}"},
		{"builtins", "{{ if and (eq .event.type \"x\") (not (lt 1 2)) }}{{ len .data }}{{ index .data \"k\" }}{{ end }}{{ urlquery \"a b\" }}"},
		{"break and continue", "{{ range .data.l }}{{ if . }}{{ break }}{{ end }}{{ continue }}{{ end }}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Compile(model.TemplateContent{Subject: "s", HTML: "<p>" + tt.in + "</p>", Text: tt.in})
			require.NoError(t, err)
		})
	}
}

func TestErrorString(t *testing.T) {
	t.Parallel()
	err := &Error{Problems: []Problem{
		{PartHTML, 3, 12, "one"}, {PartText, 1, 0, "two"}, {Part: PartSubject, Message: "three"},
	}}
	require.Equal(t, "template: html:3:12: one; text:1: two; subject: three", err.Error())
}

func TestCompileDefinedTemplateScope(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		wantErr bool
	}{
		{"called with the root", `{{ define "x" }}{{ .evnt }}{{ end }}{{ template "x" . }}`, true},
		{"called with $", `{{ define "x" }}{{ .evnt }}{{ end }}{{ range .data.l }}{{ template "x" $ }}{{ end }}`, true},
		{"called through a rooted template", `{{ define "x" }}{{ .evnt }}{{ end }}{{ define "y" }}{{ template "x" . }}{{ end }}{{ template "y" . }}`, true},
		{"called with other data", `{{ define "x" }}{{ .evnt }}{{ end }}{{ template "x" .data }}`, false},
		{"called once with other data", `{{ define "x" }}{{ .evnt }}{{ end }}{{ template "x" . }}{{ template "x" .data }}`, false},
		{"called through an unrooted template", `{{ define "x" }}{{ .evnt }}{{ end }}{{ define "y" }}{{ template "x" . }}{{ end }}{{ template "y" .data }}`, false},
		{"called with dot inside range", `{{ define "x" }}{{ .evnt }}{{ end }}{{ range .data.l }}{{ template "x" . }}{{ end }}`, false},
		{"never called", `{{ define "x" }}{{ .evnt }}{{ end }}`, false},
		{"recursive with the root", `{{ define "x" }}{{ .evnt }}{{ template "x" . }}{{ end }}{{ template "x" . }}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Compile(model.TemplateContent{Subject: "s", Text: tt.in})
			if !tt.wantErr {
				require.NoError(t, err)
				return
			}
			p := problemsOf(t, err)
			require.Len(t, p, 1)
			require.Contains(t, p[0].Message, `unknown placeholder ".evnt"`)
		})
	}
}

func TestCompileCapsProblems(t *testing.T) {
	t.Parallel()
	_, err := Compile(model.TemplateContent{Subject: "s", Text: strings.Repeat("{{ .nope }}\n", 200)})
	p := problemsOf(t, err)
	require.Len(t, p, maxProblems+1)
	require.Equal(t, Problem{Part: PartText, Message: "and 150 more problems"}, p[maxProblems])
	require.Equal(t, 50, p[maxProblems-1].Line)
}

// TestParseErrorReadsTheTextBack: an Error's text, as ingest records it
// after the template's name, reads back into the same problems, also when
// a message holds "; " itself; MissingKey reads a placeholder without a
// value from one of them.
func TestParseErrorReadsTheTextBack(t *testing.T) {
	t.Parallel()
	c, err := Compile(model.TemplateContent{Subject: "Job {{ .data.job.title }}",
		HTML: "<p>a; b</p>\n<p>{{ .data.day | date_long }}</p>", Text: "x"})
	require.NoError(t, err)
	_, err = c.Render(context.Background(), map[string]any{"data": map[string]any{"day": "gestern; früh"}},
		Options{Locale: "de", Location: time.UTC, Now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)})
	var rerr *Error
	require.ErrorAs(t, err, &rerr)
	got := ParseError(fmt.Sprintf("template %q (%s): %v", "job", "de", err))
	require.Equal(t, rerr.Problems, got)
	require.Len(t, got, 2)
	path, key, ok := MissingKey(got[0].Message)
	require.True(t, ok)
	require.Equal(t, ".data.job", path)
	require.Equal(t, "job", key)
	_, _, ok = MissingKey(got[1].Message)
	require.False(t, ok)
	require.Nil(t, ParseError("database is closed"))
}

// TestParseErrorReadsInAppPartsBack: a render error of the in-app part
// names its part ("inapp.title", "inapp.actions[1].url"); its text, as
// ingest records it, reads back into the same problem.
func TestParseErrorReadsInAppPartsBack(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		inApp model.InAppContent
		part  string
	}{
		{"title", model.InAppContent{Title: "Einsatz am {{ .data.date | date_long }}"}, "inapp.title"},
		{"body", model.InAppContent{Title: "Einsatz", Body: "Hallo\nam {{ .data.date | date_long }}"}, "inapp.body"},
		{"link", model.InAppContent{Title: "Einsatz", Link: "/jobs/{{ .data.job.id }}"}, "inapp.link"},
		{"action label", model.InAppContent{Title: "Einsatz", Actions: []model.InAppAction{
			{Label: "Ansehen", URL: "/jobs"}, {Label: "Am {{ .data.date | date_long }}", URL: "/jobs"}}}, "inapp.actions[1].label"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := CompileInApp(model.TemplateContent{Subject: "x", InApp: &tc.inApp})
			require.NoError(t, err)
			_, err = c.Render(context.Background(), map[string]any{"data": map[string]any{"date": "gestern"}},
				Options{Locale: "de", Location: time.UTC, Now: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)})
			var rerr *Error
			require.ErrorAs(t, err, &rerr)
			require.Equal(t, tc.part, rerr.Problems[0].Part)
			got := ParseError(fmt.Sprintf("template %q (%s): %v", "job-requested", "de", err))
			require.Equal(t, rerr.Problems, got)
		})
	}
}
