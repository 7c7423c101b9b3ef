package httpapi

import (
	"errors"
	"strings"
	"testing"

	"github.com/herold-dev/herold/internal/service"
)

func TestTooDeep(t *testing.T) {
	t.Parallel()
	brackets := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	tests := []struct {
		name, body string
		max        int
		want       string // the path; "-" for none
	}{
		{"at the limit", `{"a":{"b":[1]}}`, 3, "-"},
		{"object member", `{"a":{"b":{"c":{}}}}`, 3, "a.b.c"},
		{"array element", `{"a":[1,{"x":2},[[3]]]}`, 3, "a[2][0]"},
		{"after siblings", `{"z":1,"a":[{"b":1},{"c":[1,2]},{"d":{"e":{}}}]}`, 4, "a[2].d.e"},
		{"body itself", `[[]]`, 1, "[0]"},
		{"brackets in strings", `{"s":"[[[[{{{{","t":"\"[[[[[\\"}`, 2, "-"},
		{"escaped quote then deep", `{"s":"\"","a":[[[1]]]}`, 3, "a[0][0]"},
		{"deep and unclosed", `{"a":[[[[[[`, 3, "a[0][0]"},
		{"malformed before", `{"a" 1,"b":` + brackets(10) + `}`, 3, "-"},
		{"deep in the middle", `{"a":[1,2,` + brackets(100) + `]}`, 48, "a[2]" + strings.Repeat("[0]", 46)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tooDeep([]byte(tt.body), tt.max)
			if tt.want == "-" {
				if got != nil {
					t.Fatalf("refused: %+v", got)
				}
				return
			}
			if got == nil || got.Field != tt.want || got.Code != service.CodeTooDeep {
				t.Fatalf("got %+v, want too_deep at %q", got, tt.want)
			}
		})
	}
}

// TestDeepBodyCostsLittle: a 9,990-deep body (the attack's) is refused without building
// a tree of it (which takes one allocation per level at least), and a
// malformed one still gets its syntax error.
func TestDeepBodyCostsLittle(t *testing.T) {
	body := []byte(`{"type":"x","project":"p","data":` + strings.Repeat(`{"a":[`, 4995) + "1" + strings.Repeat("]}", 4995) + "}")
	var err error
	allocs := testing.AllocsPerRun(5, func() {
		var in eventInput
		err = decodeBytes(body, &in)
	})
	var verr *service.ValidationError
	if !errors.As(err, &verr) || verr.Fields[0].Code != service.CodeTooDeep {
		t.Fatalf("got %v, want too_deep", err)
	}
	if allocs > 1000 {
		t.Fatalf("%.0f allocations for a body refused for its depth", allocs)
	}
	var malformed *malformedError
	if err := decodeBytes([]byte(`{"a" 1,"b":`+strings.Repeat("[", 100)), &eventInput{}); !errors.As(err, &malformed) {
		t.Fatalf("got %v, want a syntax error", err)
	}
}
