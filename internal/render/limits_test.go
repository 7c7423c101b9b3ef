package render

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
)

func TestRenderTimeLimit(t *testing.T) {
	t.Parallel()
	// The bound on the elapsed time is wall-clock; the subtests run one
	// after the other so that they do not compete for the CPUs.
	const timeout = 500 * time.Millisecond
	tests := []struct {
		name string
		in   model.TemplateContent
	}{
		{"huge range over an int", model.TemplateContent{Subject: "s", Text: "{{ range 100000000000 }}{{ end }}"}},
		{"huge range in HTML", model.TemplateContent{Subject: "s", HTML: `<a href="{{ range 100000000000 }}{{ end }}">x</a>`}},
		{"huge range in the subject", model.TemplateContent{Subject: "{{ range 100000000000 }}{{ end }}", Text: "x"}},
		{"nested ranges", model.TemplateContent{Subject: "s", Text: "{{ range 100000 }}{{ range 100000 }}{{ end }}{{ end }}"}},
		{"loop with expensive work", model.TemplateContent{Subject: "s", Text: `{{ $x := printf "%1000s" "" }}{{ range 100000000 }}{{ $y := replace " " "ab" $x }}{{ end }}`}},
		{"exponential recursion", model.TemplateContent{Subject: "s", Text: `{{ define "a" }}{{ if lt . 60 }}{{ template "a" (add . 1) }}{{ template "a" (add . 1) }}{{ end }}{{ end }}{{ template "a" 0 }}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustCompile(t, tt.in)
			start := time.Now()
			_, err := c.Render(context.Background(), testData(nil), Options{Now: testNow, Limits: Limits{Timeout: timeout}})
			elapsed := time.Since(start)
			require.ErrorIs(t, err, ErrTimeout)
			require.Less(t, elapsed, 3*timeout, "the render was not stopped promptly")
			p := problemsOf(t, err)
			require.Len(t, p, 1)
			require.Equal(t, "rendering took longer than the limit of 500ms", p[0].Message)
		})
	}
}

func TestRenderContextDeadline(t *testing.T) {
	t.Parallel()
	c := mustCompile(t, model.TemplateContent{Subject: "s", Text: "{{ range 100000000000 }}{{ end }}"})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Render(ctx, testData(nil), Options{Now: testNow, Limits: Limits{Timeout: time.Minute}})
	require.ErrorIs(t, err, ErrTimeout)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Less(t, time.Since(start), 5*time.Second)
}

func TestRenderRecursionStops(t *testing.T) {
	t.Parallel()
	c := mustCompile(t, model.TemplateContent{Subject: "s", Text: "{{ define \"a\" }}x{{ template \"a\" . }}{{ end }}\n{{ template \"a\" . }}"})
	_, err := c.Render(context.Background(), testData(nil), Options{Now: testNow})
	require.ErrorIs(t, err, errTooDeep)
	require.Equal(t, []Problem{{PartText, 1, 17, `templates call each other too deeply: more than 100 levels (endless recursion?) (in template "a")`}}, problemsOf(t, err))

	// Depth is counted per render: a recursion just within the limit works
	// again and again on the same pooled instances.
	ok := mustCompile(t, model.TemplateContent{Subject: "s", Text: `{{ define "a" }}{{ if lt . 99 }}{{ template "a" (add . 1) }}{{ end }}{{ end }}{{ template "a" 0 }}done`})
	for range 3 {
		out, err := ok.Render(context.Background(), testData(nil), Options{Now: testNow})
		require.NoError(t, err)
		require.Equal(t, "done", out.Text)
	}
}

func TestRenderSizeLimit(t *testing.T) {
	t.Parallel()
	many := make([]any, 10000)
	for i := range many {
		many[i] = "x"
	}
	data := testData(map[string]any{"many": many, "big": strings.Repeat("a", 40<<10)})
	tests := []struct {
		name string
		in   string
	}{
		{"output flood", "{{ range 100000000 }}0123456789{{ end }}"},
		{"print doubling", `{{ $x := "ab" }}{{ range 100 }}{{ $x = print $x $x }}{{ end }}`},
		{"println doubling", `{{ $x := "ab" }}{{ range 100 }}{{ $x = println $x $x }}{{ end }}`},
		{"printf doubling", `{{ $x := "ab" }}{{ range 100 }}{{ $x = printf "%s%s" $x $x }}{{ end }}`},
		{"printf repeating one argument", `{{ printf "%[1]s%[1]s%[1]s%[1]s%[1]s%[1]s%[1]s%[1]s" .data.big }}`},
		{"printf width on every list element", `{{ printf "%1000v" .data.many }}`},
		{"js doubling backslashes", `{{ $x := "\\" }}{{ range 100 }}{{ $x = js $x }}{{ end }}`},
		{"html growth", `{{ $x := "&&&&" }}{{ range 100 }}{{ $x = html (print $x $x) }}{{ end }}`},
		{"urlquery growth", `{{ $x := "&" }}{{ range 100 }}{{ $x = urlquery $x $x }}{{ end }}`},
		{"replace growth", `{{ $x := "a" }}{{ range 100 }}{{ $x = replace "a" "aaaa" $x }}{{ end }}`},
		{"replace empty old", `{{ replace "" (printf "%1000s" "") .data.big }}`},
		{"join with a long separator", `{{ join (printf "%1000s" "") .data.many }}`},
		{"date layout growth", `{{ $x := "Monday" }}{{ range 100 }}{{ $x = print $x $x }}{{ end }}{{ date $x .now }}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// Stopping by size, long before the time limit.
			start := time.Now()
			_, err := renderText(t, tt.in, data, Options{Limits: Limits{Timeout: 10 * time.Second, MaxBytes: 64 << 10}})
			require.ErrorIs(t, err, ErrTooLarge)
			require.Less(t, time.Since(start), 5*time.Second)
			require.Equal(t, "the output is larger than the limit of 65536 bytes", problemsOf(t, err)[0].Message)
		})
	}
}

func TestRenderSmallMaxBytes(t *testing.T) {
	t.Parallel()
	c := mustCompile(t, model.TemplateContent{Subject: "s", HTML: "<p>{{ .data.v }}</p>"})
	opts := Options{Now: testNow, Limits: Limits{MaxBytes: 20}}
	out, err := c.Render(context.Background(), testData(map[string]any{"v": "0123456789"}), opts)
	require.NoError(t, err)
	require.Equal(t, "<p>0123456789</p>", out.HTML)
	_, err = c.Render(context.Background(), testData(map[string]any{"v": "0123456789abcdef"}), opts)
	require.ErrorIs(t, err, ErrTooLarge)
	require.Equal(t, PartHTML, problemsOf(t, err)[0].Part)
}

func TestPrintfRejectsHugeWidths(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr string
	}{
		{"plain", `{{ printf "%s-%05d-%.2f" "a" 42 3.14159 }}`, "a-00042-3.14", ""},
		{"width at the limit", `{{ len (printf "%1000d" 1) }}`, "1000", ""},
		{"percent", `{{ printf "100%%" }}`, "100%", ""},
		{"indexed", `{{ printf "%[2]s %[1]s" "a" "b" }}`, "b a", ""},
		{"huge width", `{{ printf "%099999999d" 1 }}`, "", "printf: a width above 1000 is not allowed"},
		{"width below fmt's own cap", `{{ printf "%0999999d" 1 }}`, "", "printf: a width above 1000 is not allowed"},
		{"huge precision", `{{ printf "%.5000f" 1.0 }}`, "", "printf: a precision above 1000 is not allowed"},
		{"star width", `{{ printf "%*d" 99999999 1 }}`, "", "printf: '*' widths and precisions are not supported in printf"},
		{"star precision after index", `{{ printf "%.[1]*f" 99999999 1.0 }}`, "", "printf: '*' widths and precisions are not supported in printf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := renderText(t, tt.in, testData(nil), Options{})
			if tt.wantErr != "" {
				require.Equal(t, tt.wantErr, problemsOf(t, err)[0].Message)
				require.False(t, errors.Is(err, ErrTooLarge))
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}
