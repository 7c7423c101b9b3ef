package model

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
)

// nested returns levels objects and arrays nested in each other, starting
// with an object: {"a":[{"a":[…]}]}.
func nested(levels int) map[string]any {
	var v any = "leaf"
	for i := levels - 1; i >= 1; i-- {
		if i%2 == 1 {
			v = []any{v}
		} else {
			v = map[string]any{"a": v}
		}
	}
	return map[string]any{"a": v}
}

// nestedPath is the path of the object or array at level of nested(n).
func nestedPath(root string, level int) string {
	p := root
	for i := 2; i <= level; i++ {
		if i%2 == 0 {
			p += ".a"
		} else {
			p += "[0]"
		}
	}
	return p
}

func TestCheckDataDepth(t *testing.T) {
	t.Parallel()
	if p := CheckData("data", nested(MaxDataDepth)); p != nil {
		t.Fatalf("%d levels refused: %v", MaxDataDepth, p)
	}
	for _, levels := range []int{MaxDataDepth + 1, 10_000} {
		p := CheckData("data", nested(levels))
		if p == nil || p.Limit != LimitDepth {
			t.Fatalf("%d levels: got %v, want a depth problem", levels, p)
		}
		if want := nestedPath("data", MaxDataDepth+1); p.Path != want {
			t.Fatalf("%d levels: path %q, want %q", levels, p.Path, want)
		}
	}
	// The root may be named nothing: paths start at the first member.
	if p := CheckData("", nested(MaxDataDepth+1)); p == nil || !strings.HasPrefix(p.Path, "a[0]") {
		t.Fatalf("unnamed root: %v", p)
	}
}

func TestCheckDataValues(t *testing.T) {
	t.Parallel()
	wide := func(n int) []any {
		l := make([]any, n)
		for i := range l {
			l[i] = json.Number("1")
		}
		return l
	}
	// 10,000 values in all: the list, and its 9,999 numbers.
	ok := map[string]any{"list": wide(MaxDataValues - 1)}
	if p := CheckData("attributes", ok); p != nil {
		t.Fatalf("%d values refused: %v", MaxDataValues, p)
	}
	tests := []struct {
		name string
		in   map[string]any
		path string
	}{
		{"one list too long", map[string]any{"list": wide(MaxDataValues)}, "attributes.list"},
		{"spread over lists", map[string]any{"a": wide(6000), "b": map[string]any{"c": wide(4000)}}, "attributes.b.c"},
		{"a huge object", map[string]any{"m": func() map[string]any {
			m := map[string]any{}
			for i := range 20_000 {
				m[fmt.Sprint(i)] = true
			}
			return m
		}()}, "attributes.m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := CheckData("attributes", tt.in)
			if p == nil || p.Limit != LimitValues || p.Path != tt.path {
				t.Fatalf("got %+v, want a values problem at %q", p, tt.path)
			}
		})
	}
}

func TestCheckDataNumbers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string // "" accepted, else a part of the detail
	}{
		{"0", ""}, {"-0", ""}, {"12.50", ""}, {"0.1", ""}, {"9007199254740991", ""}, {"-9007199254740991", ""},
		{"1.7976931348623157e308", ""}, {"5e-324", ""}, {"1e300", ""}, {"0e999999", ""}, {"0.000e-999", ""},
		{"3.14159265358979323846264338327950288", ""},
		{"9007199254740992", "2^53"}, {"-9007199254740992", "2^53"}, {"12345678901234567890", "2^53"},
		{"123456789012345678901234567890", "2^53"},
		{"1e999999", "range"}, {"-1e400", "range"}, {"1.8e308", "range"},
		{"1e-400", "close to zero"}, {"-2.5e-999999", "close to zero"},
		{"1." + strings.Repeat("5", 99), "at most 100"},
	}
	for _, tt := range tests {
		p := CheckData("data", map[string]any{"n": json.Number(tt.in)})
		switch {
		case tt.want == "" && p != nil:
			t.Errorf("%s refused: %v", tt.in, p)
		case tt.want != "" && p == nil:
			t.Errorf("%s accepted", tt.in)
		case p != nil && (p.Path != "data.n" || p.Limit != LimitNumber || !strings.Contains(p.Detail, tt.want) ||
			!strings.Contains(p.Detail, "as a string")):
			t.Errorf("%s: %+v, want %q at data.n, telling to send a string", tt.in, p, tt.want)
		}
	}
	if p := CheckData("data", map[string]any{"f": math.Inf(1)}); p == nil || p.Path != "data.f" {
		t.Errorf("+Inf accepted: %v", p)
	}
}
