package httpapi

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/herold-dev/herold/internal/service"
)

// TestDuplicateMembers: a member named twice in one object, at any depth
// and however its name is spelled, is refused as malformed with its path
// and the position of the second name; equal names in different objects,
// and names that appear as values, are not duplicates.
func TestDuplicateMembers(t *testing.T) {
	t.Parallel()
	wide := func(n int, dup bool) string {
		var b strings.Builder
		b.WriteString(`{"data":{`)
		for i := range n {
			fmt.Fprintf(&b, `"k%d":%d,`, i, i)
		}
		if dup {
			b.WriteString(`"k7":0,`)
		}
		b.WriteString(`"end":true}}`)
		return b.String()
	}
	tests := []struct {
		name, body string
		field      string // "" for no error
		line, col  int
	}{
		{"top level", `{"type":"aaa","type":"bbb","project":"p"}`, "type", 1, 15},
		{"nested", `{"type":"x","data":{"b":1,"c":{"b":2},"b":3}}`, "data.b", 1, 39},
		{"in an array", `{"type":"x","actors":{"to":["a",{"id":"x"},{"id":"y","email":"y@example.org","id":"z"}]}}`,
			"actors.to[2].id", 1, 78},
		{"escaped name", `{"type":"x","\u0074ype":"y"}`, "type", 1, 13},
		{"next line", "{\n  \"type\": \"x\",\n  \"type\": \"y\"\n}", "type", 3, 3},
		{"wide object", wide(1000, true), "data.k7", 1, 0},
		{"same name in other objects", `{"type":"x","data":{"type":{"type":1},"x":{"type":2}}}`, "", 0, 0},
		{"names as values", `{"type":"type","project":"type","data":{"a":"a","b":["a","a"]}}`, "", 0, 0},
		{"quotes and brackets in strings", `{"type":"\"type\":{[","data":{"s":"\\","type":"]}"}}`, "", 0, 0},
		{"escaped name, no duplicate", `{"\u0074ype":"x","data":{"\"":1,"\\":2}}`, "", 0, 0},
		{"wide object, no duplicate", wide(1000, false), "", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var in eventInput
			err := decodeBytes([]byte(tt.body), &in)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var m *malformedError
			if !errors.As(err, &m) {
				t.Fatalf("got %v, want a malformed body", err)
			}
			if m.Field != tt.field || m.Code != service.CodeDuplicate || m.Line != tt.line || (tt.col > 0 && m.Column != tt.col) {
				t.Fatalf("got %+v, want duplicate %s at %d:%d", m.FieldError, tt.field, tt.line, tt.col)
			}
		})
	}
}

// TestDuplicateScanIsLinear: an object of 200,000 members is scanned in
// linear time (comparing each name with all before it would take
// seconds), and an ordinary event costs no allocation.
func TestDuplicateScanIsLinear(t *testing.T) {
	var b strings.Builder
	b.WriteString("{")
	for i := range 200000 {
		fmt.Fprintf(&b, `"k%d":0,`, i)
	}
	b.WriteString(`"k0":1}`)
	body := []byte(b.String())
	start := time.Now()
	res := scanBody(body, maxBodyDepth)
	if took := time.Since(start); took > time.Second {
		t.Errorf("scanning 200,000 members took %v", took)
	}
	if !res.maybeDuplicate {
		t.Error("the duplicate was not found")
	}
	if n := testing.AllocsPerRun(20, func() { scanBody(w1Body, maxBodyDepth) }); n > 0 {
		t.Errorf("scanning an event allocates %v times", n)
	}
}

// TestStringsNotUTF8: a string that is not UTF-8 is refused with its path
// and position, not stored with U+FFFD in place of its bytes.
func TestStringsNotUTF8(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		field      string // "" for no error
		col        int
	}{
		{"value", "{\"type\":\"a\xffb\",\"project\":\"p\"}", "type", 11},
		{"in a list", "{\"type\":\"x\",\"data\":{\"list\":[\"ok\",\"\xfe\"]}}", "data.list[1]", 35},
		{"member name", "{\"type\":\"x\",\"data\":{\"k\xff\":1}}", "data", 23},
		{"cut multi-byte", "{\"type\":\"x\",\"data\":{\"s\":\"\xc3\"}}", "data.s", 26},
		{"after an escape", "{\"type\":\"\\\"\xff\"}", "type", 12},
		{"valid multi-byte", `{"type":"x","data":{"s":"äöü €𝄞","ü":1}}`, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var in eventInput
			err := decodeBytes([]byte(tt.body), &in)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var verr *service.ValidationError
			if !errors.As(err, &verr) || len(verr.Fields) != 1 {
				t.Fatalf("got %v, want one invalid field", err)
			}
			if fe := verr.Fields[0]; fe.Field != tt.field || fe.Code != service.CodeInvalid || fe.Line != 1 || fe.Column != tt.col {
				t.Fatalf("got %+v, want invalid %s at 1:%d", fe, tt.field, tt.col)
			}
		})
	}
}
