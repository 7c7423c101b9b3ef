package render

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/herold-dev/herold/internal/model"
)

// renderChecked renders like Render but always with the checked trees, in
// which every printing action that may print nil has its nil check.
func renderChecked(t *testing.T, c *Compiled, data map[string]any, opts Options) (Output, error) {
	t.Helper()
	in, err := c.get()
	require.NoError(t, err)
	opts = opts.withDefaults()
	in.st.reset(context.Background(), opts)
	return c.render(in, data, opts, false)
}

// TestLeanTreesRenderAsChecked renders text parts whose field chains lead
// to values, to nulls, to missing keys and through values that are not
// maps, and compares every output and error with the checked trees'.
func TestLeanTreesRenderAsChecked(t *testing.T) {
	t.Parallel()
	srcs := []string{
		`[{{ .data.a }}|{{ .data.b.c }}|{{ .recipient.name }}]`,
		`{{ if .data.a }}{{ .data.a }}{{ else }}{{ .data.b }}{{ end }}`,
		`{{ with .data.b }}{{ .c }}{{ end }}{{ range .data.list }}[{{ . }}]{{ end }}`,
		`{{ define "t" }}({{ .c }}){{ end }}{{ template "t" .data.b }}{{ .data.a }}`,
		`{{ .data.missing }}`,
		`{{ .data.a.b }}`,
		`{{ $x := .data.a }}{{ $x }} {{ $.data.a }} {{ $.data.b.c }}`,
		`{{ .data.seq }} {{ .data.date | date_long }} {{ .data.a | upper }}`,
		`{{ range .data.list }}{{ $.data.a }}{{ end }}{{ .data.b.c }}`,
		`{{ get .data "a" }}{{ .data.b }}`,
	}
	datas := []map[string]any{
		{"a": "x", "b": map[string]any{"c": 1}, "list": []any{1, nil}, "seq": json.Number("7"), "date": "2026-04-15"},
		{"a": nil, "b": map[string]any{"c": nil}, "list": []any{}, "seq": nil, "date": nil},
		{"a": "x", "b": "not a map", "list": []any{"y"}, "seq": 1, "date": "2026-04-15"},
		{"a": false, "b": map[string]any{}, "list": nil},
		{"a": 0, "b": map[string]any{"c": map[string]any{}}},
		{"a": "x", "b": map[string]any{"c": nil}, "list": []any{nil}, "seq": json.Number("7"), "date": "2026-04-15"},
	}
	opts := Options{Locale: "de", Now: testNow}
	leaned := 0
	for i, src := range srcs {
		c := mustCompile(t, model.TemplateContent{Subject: src, Text: src})
		for j, d := range datas {
			data := testData(d)
			name := fmt.Sprintf("template %d, data %d", i, j)
			if c.subject.lean != nil && nilFree(data, c.subject.paths) {
				leaned++
			}
			got, gotErr := c.Render(context.Background(), data, opts)
			want, wantErr := renderChecked(t, c, data, opts)
			require.Equal(t, want, got, name)
			require.Equal(t, fmt.Sprint(wantErr), fmt.Sprint(gotErr), name)
			require.NotContains(t, got.Text, "<no value>", name)
		}
	}
	require.Greater(t, leaned, 10, "renders that took the lean trees")
}

// TestLeanTreesNeedNilFree shows what the lean trees would print for a null
// without the nilFree check: text/template's "<no value>".
func TestLeanTreesNeedNilFree(t *testing.T) {
	t.Parallel()
	c := mustCompile(t, model.TemplateContent{Subject: "s", Text: "[{{ .data.a }}]"})
	data := testData(map[string]any{"a": nil})
	require.False(t, nilFree(data, c.text.paths))
	in, err := c.get()
	require.NoError(t, err)
	in.st.reset(context.Background(), Options{Now: testNow}.withDefaults())
	require.NoError(t, in.execute(2, true, data, DefaultMaxBytes))
	require.Equal(t, "[<no value>]", string(in.w.buf))
	out, err := c.Render(context.Background(), data, Options{Now: testNow})
	require.NoError(t, err)
	require.Equal(t, "[]", out.Text)
}

// TestJobRequestTakesLeanTrees checks that W1's subject and text, with the
// benchmark's data, print their field chains without the nil check.
func TestJobRequestTakesLeanTrees(t *testing.T) {
	t.Parallel()
	c := mustCompile(t, jobRequest["de"])
	data := jobRequestData()
	require.Len(t, c.subject.paths, 2)
	require.Len(t, c.text.paths, 3)
	require.True(t, nilFree(data, c.subject.paths))
	require.True(t, nilFree(data, c.text.paths))
}

// FuzzLeanTrees renders arbitrary text parts with Render, which takes the
// lean trees where the data allows, and with the checked trees: outputs
// and errors are the same (renders stopped by the clock aside, which stop
// where they happen to be).
func FuzzLeanTrees(f *testing.F) {
	for _, s := range []string{
		"{{ .data.a }}{{ .data.b.c }}{{ .data.n }}",
		"{{ if .data.a }}{{ .data.b }}{{ else }}{{ .data.n.x }}{{ end }}",
		`{{ with .data.b }}{{ .c }}{{ end }}{{ range .data.l }}{{ . }}{{ end }}{{ define "t" }}{{ .c }}{{ end }}{{ template "t" .data.b }}`,
		"{{ $ := .data.b }}{{ $.c }}{{ .data.a | printf \"%v\" }}{{ .recipient.name }}",
	} {
		f.Add(s)
	}
	datas := []map[string]any{
		testData(map[string]any{"a": "x", "b": map[string]any{"c": 1}, "n": json.Number("2"), "l": []any{nil, 1}}),
		testData(map[string]any{"a": nil, "b": map[string]any{"c": nil}, "n": nil, "l": []any{}}),
		testData(map[string]any{"a": false, "b": "s", "n": map[string]any{"x": nil}}),
	}
	opts := Options{Locale: "de", Now: testNow, Limits: Limits{Timeout: 200 * time.Millisecond, MaxBytes: 4096}}
	f.Fuzz(func(t *testing.T, src string) {
		c, err := Compile(model.TemplateContent{Subject: "s", Text: src})
		if err != nil {
			return
		}
		for _, data := range datas {
			got, gotErr := c.Render(context.Background(), data, opts)
			want, wantErr := renderChecked(t, c, data, opts)
			if errors.Is(gotErr, ErrTimeout) || errors.Is(wantErr, ErrTimeout) {
				continue
			}
			if got != want || fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
				t.Fatalf("lean %q, %v; checked %q, %v", got.Text, gotErr, want.Text, wantErr)
			}
		}
	})
}
