package render

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
)

func TestRenderEscapesHostileDataInHTML(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    string // HTML source; .data.v is the hostile value
		value any
		want  string
	}{
		{"text", `<p>{{ .data.v }}</p>`, "<script>alert(1)</script>", `<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>`},
		{"quoted attribute", `<a title="{{ .data.v }}">x</a>`, `" onmouseover="x`, `<a title="&#34; onmouseover=&#34;x">x</a>`},
		{"unquoted attribute", `<a title={{ .data.v }}>x</a>`, `x onmouseover=alert(1)`, `<a title=x&#32;onmouseover&#61;alert(1)>x</a>`},
		{"href javascript", `<a href="{{ .data.v }}">x</a>`, "javascript:alert(1)", `<a href="#ZgotmplZ">x</a>`},
		{"href keeps https", `<a href="{{ .data.v }}">x</a>`, "https://example.de/a?b=1&c=2", `<a href="https://example.de/a?b=1&amp;c=2">x</a>`},
		{"URL query", `<a href="https://x.de/?q={{ .data.v }}">x</a>`, "a&b c\"", `<a href="https://x.de/?q=a%26b%20c%22">x</a>`},
		{"script", `<script>var n = {{ .data.v }};</script>`, "</script><b>", `<script>var n = "\u003c/script\u003e\u003cb\u003e";</script>`},
		{"style", `<p style="color: {{ .data.v }}">x</p>`, "red; background: url(javascript:alert(1))", `<p style="color: ZgotmplZ">x</p>`},
		{"event handler", `<a onclick="f({{ .data.v }})">x</a>`, `'); alert(1); ('`, `<a onclick="f(&#34;&#39;); alert(1); (&#39;&#34;)">x</a>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := mustCompile(t, model.TemplateContent{Subject: "s", HTML: tt.in})
			out, err := c.Render(context.Background(), testData(map[string]any{"v": tt.value}), Options{Now: testNow})
			require.NoError(t, err)
			require.Equal(t, tt.want, out.HTML)
		})
	}
}

func TestRenderSubjectIsOneLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"header injection", "Hi\r\nBcc: evil@x.de", "Hallo Hi Bcc: evil@x.de"},
		{"tabs and other controls", "a\tb\x00c\u2028d\x1b", "Hallo a b c d"},
		{"trimmed", "\n\n", "Hallo"},
		{"umlauts as they are", "Jürgen Müller", "Hallo Jürgen Müller"},
		{"invalid UTF-8", "a\xffb\xc3", "Hallo a\ufffdb\ufffd"},
		{"U+FFFD stays", "a\ufffdb", "Hallo a\ufffdb"},
		{"C1 controls and NEL", "a\u0080b\u0085c\u009fd", "Hallo a b c d"},
		{"paragraph separator", "a\u2029b", "Hallo a b"},
		{"DEL", "a\x7fb", "Hallo a b"},
		{"no-break space at the end trimmed", "Ann\u00a0", "Hallo Ann"},
	}
	c := mustCompile(t, model.TemplateContent{Subject: "Hallo {{ .data.v }}", Text: "x"})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := c.Render(context.Background(), testData(map[string]any{"v": tt.in}), Options{Now: testNow})
			require.NoError(t, err)
			require.Equal(t, tt.want, out.Subject)
		})
	}
}

func TestRenderExecutionProblems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   model.TemplateContent
		want []Problem
	}{
		{
			name: "missing key",
			in:   model.TemplateContent{Subject: "s", Text: "Hallo\n  {{ .data.nope }}"},
			want: []Problem{{PartText, 2, 6, `.data.nope: map has no entry for key "nope"`}},
		},
		{
			name: "function error",
			in:   model.TemplateContent{Subject: "s", HTML: "<p>\n{{ date_long .data.when }}</p>"},
			want: []Problem{{PartHTML, 2, 4, `date_long: "next week" is not a date (use YYYY-MM-DD, DD.MM.YYYY or RFC 3339)`}},
		},
		{
			name: "errors in several parts",
			in:   model.TemplateContent{Subject: "{{ .data.a }}", Text: "x {{ div 1 0 }}"},
			want: []Problem{
				{PartSubject, 1, 4, `.data.a: map has no entry for key "a"`},
				{PartText, 1, 6, "div: division by zero"},
			},
		},
		{
			name: "inside a defined template",
			in:   model.TemplateContent{Subject: "s", Text: "{{ define \"f\" }}{{ .x }}{{ end }}{{ template \"f\" .data }}"},
			want: []Problem{{PartText, 1, 20, `.x: map has no entry for key "x" (in template "f")`}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := mustCompile(t, tt.in)
			_, err := c.Render(context.Background(), testData(map[string]any{"when": "next week"}), Options{Now: testNow})
			require.Equal(t, tt.want, problemsOf(t, err))
			var e *Error
			require.ErrorAs(t, err, &e)
			require.NoError(t, e.Cause)
		})
	}
}

func TestRenderTextPart(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   model.TemplateContent
		want string
	}{
		{
			name: "derived from HTML",
			in: model.TemplateContent{Subject: "s", HTML: `<h1>Hallo {{ .contact.name }}</h1><p>Ihr Einsatz ist <b>bestätigt</b>.<br>Details:</p>` +
				`<ul>{{ range .data.items }}<li>{{ . }}</li>{{ end }}</ul><p><a href="{{ .data.url }}">Zum Portal</a></p><style>p{}</style>`},
			want: "Hallo Ann\n\nIhr Einsatz ist bestätigt.\nDetails:\n\n- Aufbau\n- Abbau\n\nZum Portal (https://portal.example.de/e/1)",
		},
		{
			name: "own text part kept",
			in:   model.TemplateContent{Subject: "s", HTML: "<p>html</p>", Text: "Hallo {{ .contact.name }}"},
			want: "Hallo Ann",
		},
	}
	data := testData(map[string]any{"items": []any{"Aufbau", "Abbau"}, "url": "https://portal.example.de/e/1"})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := mustCompile(t, tt.in).Render(context.Background(), data, Options{Now: testNow})
			require.NoError(t, err)
			require.Equal(t, tt.want, out.Text)
		})
	}
}

func TestRenderRequiresNow(t *testing.T) {
	t.Parallel()
	c := mustCompile(t, model.TemplateContent{Subject: "s", Text: "x"})
	_, err := c.Render(context.Background(), testData(nil), Options{})
	require.ErrorContains(t, err, "Options.Now is required")
}

func TestRenderConcurrent(t *testing.T) {
	t.Parallel()
	c := mustCompile(t, model.TemplateContent{
		Subject: "Hallo {{ .data.name }}",
		HTML:    `<p>{{ .data.name }} {{ date_long .data.day }} {{ number 2 .data.n }}{{ range .data.items }}, {{ . }}{{ end }}</p>`,
	})
	locales := []string{"de", "en"}
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for i := range 25 {
				loc := locales[(g+i)%2]
				name := fmt.Sprintf("n%d-%d", g, i)
				data := testData(map[string]any{"name": name, "day": "2025-01-06", "n": g*1000 + i, "items": []any{g, i}})
				opts := Options{Locale: loc, Now: testNow, Limits: Limits{Timeout: time.Minute}}
				out, err := c.Render(context.Background(), data, opts)
				if err != nil {
					t.Errorf("render: %v", err)
					return
				}
				day, num := "6. Januar 2025", fmt.Sprintf("%d.%03d,00", g, i)
				if loc == "en" {
					day, num = "January 6, 2025", fmt.Sprintf("%d,%03d.00", g, i)
				}
				if g == 0 {
					num = fmt.Sprintf("%d", i) + map[string]string{"de": ",00", "en": ".00"}[loc]
				}
				want := fmt.Sprintf("<p>%s %s %s, %d, %d</p>", name, day, num, g, i)
				if out.Subject != "Hallo "+name || out.HTML != want {
					t.Errorf("got %q / %q, want %q", out.Subject, out.HTML, want)
				}
			}
		})
	}
	wg.Wait()
}

func TestRenderContext(t *testing.T) {
	t.Parallel()
	c := mustCompile(t, model.TemplateContent{Subject: "s", Text: "{{ range 100000000000 }}{{ end }}"})
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Render(canceled, testData(nil), Options{Now: testNow})
	require.ErrorIs(t, err, context.Canceled)

	// A context canceled while the render runs stops it at the next check.
	ctx := &countdownContext{Context: context.Background(), left: 3}
	_, err = c.Render(ctx, testData(nil), Options{Now: testNow, Limits: Limits{Timeout: time.Minute}})
	require.ErrorIs(t, err, context.Canceled)
	require.False(t, errors.Is(err, ErrTimeout))
	require.Equal(t, []Problem{{PartText, 1, 10, "rendering was canceled"}}, problemsOf(t, err))
}

// countdownContext reports itself canceled from the left-th call of Err on.
type countdownContext struct {
	context.Context
	mu   sync.Mutex
	left int
}

func (c *countdownContext) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.left--
	if c.left < 0 {
		return context.Canceled
	}
	return nil
}

// TestRenderNilPrintsNothing renders a value that is not there (a missing
// key read with get or index, a JSON null, the first element of an empty
// list) in all three parts: each prints nothing, where text/template alone
// would print "<no value>" in the subject and the text part.
func TestRenderNilPrintsNothing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src, want string
	}{
		{"get of a missing key", `Hinweis: {{ get .data "note" }}`, "Hinweis: "},
		{"get in a pipeline", `[{{ "note" | get .data | default nil }}]`, "[]"},
		{"null value", `[{{ .data.null }}]`, "[]"},
		{"null in a nested map", `[{{ .data.shift.end }}]`, "[]"},
		{"index of a missing key", `[{{ index .data "note" }}]`, "[]"},
		{"first of an empty list", `[{{ first .data.none }}]`, "[]"},
		{"null in a range", `[{{ range .data.list }}{{ . }},{{ end }}]`, "[,1,]"},
		{"variable holding nil", `[{{ $n := get .data "note" }}{{ $n }}]`, "[]"},
		{"inside if, with and a defined template", `{{ define "t" }}({{ get . "x" }}){{ end }}[{{ if true }}{{ get .data "a" }}{{ end }}{{ with .data.shift }}{{ .end }}{{ template "t" $.data }}{{ end }}]`, "[()]"},
		{"present values still print", `{{ get .data "n" }} {{ get .data "f" }} {{ len .data.none }}`, "0 false 0"},
	}
	data := testData(map[string]any{"null": nil, "shift": map[string]any{"end": nil}, "none": []any{},
		"list": []any{nil, 1}, "n": 0, "f": false})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := mustCompile(t, model.TemplateContent{Subject: tt.src, Text: tt.src, HTML: tt.src})
			out, err := c.Render(context.Background(), data, Options{Now: testNow})
			require.NoError(t, err)
			require.Equal(t, strings.TrimSpace(tt.want), out.Subject, "subject")
			require.Equal(t, tt.want, out.Text, "text")
			require.Equal(t, tt.want, out.HTML, "html")
		})
	}
}
