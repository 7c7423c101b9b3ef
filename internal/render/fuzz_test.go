package render

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/herold-dev/herold/internal/model"
)

// FuzzCompileRender compiles arbitrary sources and renders what compiles
// with small limits. Neither may panic, exceed the limits, take long, or
// locate a problem outside its source.
func FuzzCompileRender(f *testing.F) {
	seeds := [][3]string{
		{"Hallo {{ .contact.name }}", "<p>{{ .data.v }}</p>", ""},
		{"s", `<a href="{{ .data.v }}" title='{{ .data.v }}'>{{ range .data.l }}{{ . }}{{ end }}</a>`, "{{ .data.v }}"},
		{"s", "", "{{ range 100000000000 }}{{ end }}"},
		{"s", "", `{{ define "a" }}{{ template "a" . }}{{ end }}{{ template "a" . }}`},
		{"s", "", `{{ $x := "ab" }}{{ range 100 }}{{ $x = print $x $x }}{{ end }}{{ $x }}`},
		{"s", "", `{{ printf "%099999999d" 1 }}{{ printf "%[1]*d" 5 1 }}`},
		{"s", "<script>var a = {{ .data.v }};</script><style>{{ .data.v }}</style>", ""},
		{"{{ date_long .now }} {{ number 2 .data.n }} {{ currency \"EUR\" .data.n }}", "", "{{ days_until .today }} {{ age .contact.birthday }}"},
		{"s", "<p>{{ with .data.v }}{{ . }}{{ else }}{{ .event.type }}{{ end }}</p>", "{{ truncate 3 .data.v }}{{ join \",\" .data.l }}"},
		{"s", `{{ if .data.v }}<a href="{{ else }}<b>{{ end }}`, ""},
		{"s", "<!-- {{ .data.v }} --><textarea>{{ .data.v }}</textarea><{{ .data.v }}>", ""},
		{"s", "", "{{ .data.v | replace \"a\" \"bb\" | upper | lower | title | trim }}"},
		{"s", "", "{{ block \"b\" . }}{{ .workspace.name }}{{ end }}{{ break }}"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1], s[2])
	}
	data := testData(map[string]any{
		"v": `<script>"'&\` + "\r\n", "n": 1234.5, "l": []any{"a", 2, nil},
	})
	f.Fuzz(func(t *testing.T, subject, html, text string) {
		in := model.TemplateContent{Subject: subject, HTML: html, Text: text}
		// A hang never returns to report itself: crash the worker instead,
		// so the fuzzer keeps the input.
		watchdog := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("hang: %#v", in)) })
		defer watchdog.Stop()
		start := time.Now()
		c, err := Compile(in)
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("Compile took %s", d)
		}
		if err != nil {
			checkProblems(t, in, err)
			return
		}
		opts := Options{Locale: "de", Now: testNow, Limits: Limits{Timeout: 50 * time.Millisecond, MaxBytes: 4096}}
		start = time.Now()
		out, err := c.Render(context.Background(), data, opts)
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("Render took %s", d)
		}
		if err != nil {
			checkProblems(t, in, err)
			return
		}
		for _, s := range []string{out.Subject, out.HTML, out.Text} {
			if len(s) > opts.Limits.MaxBytes {
				t.Fatalf("a part has %d bytes, more than the limit", len(s))
			}
		}
		if strings.ContainsAny(out.Subject, "\r\n") {
			t.Fatalf("subject %q has a line break", out.Subject)
		}
	})
}

// checkProblems fails unless err is an *Error whose problems lie inside
// the sources they name.
func checkProblems(t *testing.T, in model.TemplateContent, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || errors.Is(err, errInternal) {
		t.Fatalf("unexpected error %T: %v", err, err)
	}
	srcs := map[string]string{PartSubject: in.Subject, PartHTML: in.HTML, PartText: in.Text}
	for _, p := range e.Problems {
		src, ok := srcs[p.Part]
		if !ok || p.Message == "" {
			t.Fatalf("bad problem %+v", p)
		}
		if p.Line == 0 {
			continue
		}
		line, _, ok := lineText(src, p.Line)
		if !ok || p.Column < 0 || p.Column > utf8.RuneCountInString(line)+1 {
			t.Fatalf("problem %+v lies outside its source %q", p, src)
		}
	}
}
