package web

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestViewJSON: small documents read like indented JSON; deep and large
// ones cost at most maxDataView bytes, with indentation that stops
// growing, cut at a whole character.
func TestViewJSON(t *testing.T) {
	t.Parallel()
	small := map[string]any{"job": "Aufbau <Halle 3>", "n": json.Number("12.50"), "tags": []any{"a", true, nil}, "empty": map[string]any{}}
	got := viewJSON(small)
	want := "{\n  \"empty\": {},\n  \"job\": \"Aufbau <Halle 3>\",\n  \"n\": 12.50,\n  \"tags\": [\n    \"a\",\n    true,\n    null\n  ]\n}"
	if got.Cut || got.Text != want {
		t.Fatalf("got (cut=%v)\n%s\nwant\n%s", got.Cut, got.Text, want)
	}

	var deep any = "leaf"
	for range 9_990 {
		deep = []any{deep}
	}
	wide := make([]any, 100_000)
	for i := range wide {
		wide[i] = "ä" + strings.Repeat("x", 20)
	}
	for _, tt := range []struct {
		name string
		doc  any
		cut  bool
	}{
		{"9,990 levels", map[string]any{"a": deep}, false}, // ~20 KB compact; 599 MB indented
		{"100,000 values", map[string]any{"list": wide}, true},
		{"a long string", map[string]any{"s": strings.Repeat("ü", 1<<20)}, true},
	} {
		got := viewJSON(tt.doc)
		if len(got.Text) > maxDataView || got.Cut != tt.cut || !utf8.ValidString(got.Text) {
			t.Errorf("%s: %d bytes, cut=%v, valid UTF-8=%v", tt.name, len(got.Text), got.Cut, utf8.ValidString(got.Text))
		}
		for _, line := range strings.Split(got.Text, "\n") {
			if indent := len(line) - len(strings.TrimLeft(line, " ")); indent > 2*maxIndentLevels {
				t.Fatalf("%s: a line indented by %d spaces", tt.name, indent)
			}
		}
	}

	// Below the cut, deep data is all there, compact past the indented
	// levels.
	var d any = json.Number("1")
	for range 40 {
		d = map[string]any{"k": d}
	}
	got = viewJSON(d)
	var back any
	if got.Cut || json.Unmarshal([]byte(got.Text), &back) != nil {
		t.Fatalf("40 levels: cut=%v, not JSON:\n%s", got.Cut, got.Text)
	}
	if n := strings.Count(got.Text, "\n"); n != 2*maxIndentLevels {
		t.Fatalf("40 levels on %d lines:\n%s", n+1, got.Text)
	}
}
