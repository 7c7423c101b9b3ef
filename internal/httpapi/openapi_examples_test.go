package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestOpenAPIExamplesMatchSchemas checks every example of the OpenAPI
// document against the schema it illustrates: a schema's example and
// examples, a media type's or parameter's example and examples (their
// values). A client generator or a linter reads them as the contract's own
// word, so an example missing a required field or carrying a wrong type is
// a defect of the document.
func TestOpenAPIExamplesMatchSchemas(t *testing.T) {
	t.Parallel()
	doc := decodeOpenAPI(t)
	c := &exampleChecker{doc: doc}
	c.walk(doc, "#")
	if c.checked < 100 {
		t.Errorf("checked %d examples; the document has far more, so the walk misses some", c.checked)
	}
	for _, e := range c.errs {
		t.Error(e)
	}
}

// TestExampleCheckerRefuses checks that the checker finds each kind of
// mismatch it is meant to find (so that the test above can fail).
func TestExampleCheckerRefuses(t *testing.T) {
	t.Parallel()
	doc := map[string]any{"components": map[string]any{"schemas": map[string]any{
		"Time": map[string]any{"type": "string", "format": "date-time"},
		"Item": map[string]any{"type": "object", "additionalProperties": false, "required": []any{"id", "at"},
			"properties": map[string]any{
				"id":    map[string]any{"type": "string", "minLength": json.Number("2"), "pattern": "^[a-z]+$"},
				"at":    map[string]any{"$ref": "#/components/schemas/Time"},
				"n":     map[string]any{"type": "integer", "minimum": json.Number("0")},
				"kind":  map[string]any{"enum": []any{"a", "b"}},
				"tags":  map[string]any{"type": "array", "items": map[string]any{"type": "string"}, "maxItems": json.Number("2")},
				"maybe": map[string]any{"type": []any{"string", "null"}},
				"one": map[string]any{"oneOf": []any{
					map[string]any{"type": "string"}, map[string]any{"type": "integer"}}},
			}},
	}}}
	c := &exampleChecker{doc: doc}
	item := map[string]any{"$ref": "#/components/schemas/Item"}
	good := `{"id":"ab","at":"2026-03-02T09:15:04.512Z","n":3,"kind":"a","tags":["x"],"maybe":null,"one":"s"}`
	if errs := c.check(decodeJSON(t, good), item, "good"); len(errs) > 0 {
		t.Fatalf("a valid example refused: %v", errs)
	}
	for _, bad := range []string{
		`{"at":"2026-03-02T09:15:04.512Z"}`,               // id missing
		`{"id":"ab","at":"yesterday"}`,                    // not a date-time
		`{"id":"ab","at":"2026-03-02T09:15:04Z","x":1}`,   // unknown field
		`{"id":"a","at":"2026-03-02T09:15:04Z"}`,          // too short
		`{"id":"AB","at":"2026-03-02T09:15:04Z"}`,         // pattern
		`{"id":"ab","at":"2026-03-02T09:15:04Z","n":1.5}`, // not an integer
		`{"id":"ab","at":"2026-03-02T09:15:04Z","n":-1}`,  // below the minimum
		`{"id":"ab","at":"2026-03-02T09:15:04Z","kind":"c"}`,
		`{"id":"ab","at":"2026-03-02T09:15:04Z","tags":[1]}`,
		`{"id":"ab","at":"2026-03-02T09:15:04Z","tags":["a","b","c"]}`,
		`{"id":"ab","at":"2026-03-02T09:15:04Z","maybe":3}`,
		`{"id":"ab","at":"2026-03-02T09:15:04Z","one":true}`,
		`[]`,
	} {
		if errs := c.check(decodeJSON(t, bad), item, "bad"); len(errs) == 0 {
			t.Errorf("%s accepted", bad)
		}
	}
}

func decodeOpenAPI(t *testing.T) map[string]any {
	t.Helper()
	doc, ok := decodeJSON(t, string(openAPIDoc)).(map[string]any)
	if !ok {
		t.Fatal("openapi.json is not an object")
	}
	return doc
}

// decodeJSON decodes with numbers kept as written, so that an integer is
// told from a number with a fraction.
func decodeJSON(t *testing.T, text string) any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader([]byte(text)))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("decode %.40q: %v", text, err)
	}
	return v
}

// exampleChecker validates examples against the JSON Schema keywords the
// document uses (type, enum, const, required, properties,
// additionalProperties, items, allOf, anyOf, oneOf, $ref, minimum,
// maximum, minLength, maxLength, minItems, maxItems, pattern, and the
// date-time format).
type exampleChecker struct {
	doc     map[string]any
	checked int
	errs    []string
}

// walk visits every node of the document: each "schema" value and each
// component schema as a schema, and the example and examples next to a
// media type's or parameter's schema.
func (c *exampleChecker) walk(node any, path string) {
	switch n := node.(type) {
	case map[string]any:
		for _, k := range sortedKeys(n) {
			v, p := n[k], path+"/"+k
			switch {
			case k == "schema":
				c.walkSchema(v, p)
				c.checkExamples(n, v, path)
			case k == "schemas" && path == "#/components":
				for _, name := range sortedKeys(v.(map[string]any)) {
					c.walkSchema(v.(map[string]any)[name], p+"/"+name)
				}
			case k == "example" || k == "examples":
				// checked with their schema
			default:
				c.walk(v, p)
			}
		}
	case []any:
		for i, v := range n {
			c.walk(v, fmt.Sprintf("%s/%d", path, i))
		}
	}
}

// checkExamples checks the example and the examples' values of a media
// type or parameter (holder) against schema.
func (c *exampleChecker) checkExamples(holder map[string]any, schema any, path string) {
	if ex, ok := holder["example"]; ok {
		c.record(c.check(ex, schema, path+"/example"))
	}
	if exs, ok := holder["examples"].(map[string]any); ok {
		for _, name := range sortedKeys(exs) {
			if e, ok := exs[name].(map[string]any); ok {
				if v, ok := e["value"]; ok {
					c.record(c.check(v, schema, path+"/examples/"+name+"/value"))
				}
			}
		}
	}
}

// walkSchema checks a schema's own examples and walks its subschemas.
func (c *exampleChecker) walkSchema(node any, path string) {
	s, ok := node.(map[string]any)
	if !ok {
		return
	}
	if ex, ok := s["example"]; ok {
		c.record(c.check(ex, s, path+"/example"))
	}
	if exs, ok := s["examples"].([]any); ok {
		for i, ex := range exs {
			c.record(c.check(ex, s, fmt.Sprintf("%s/examples/%d", path, i)))
		}
	}
	if props, ok := s["properties"].(map[string]any); ok {
		for _, k := range sortedKeys(props) {
			c.walkSchema(props[k], path+"/properties/"+k)
		}
	}
	for _, k := range []string{"items", "additionalProperties", "not"} {
		c.walkSchema(s[k], path+"/"+k)
	}
	for _, k := range []string{"allOf", "anyOf", "oneOf", "prefixItems"} {
		if list, ok := s[k].([]any); ok {
			for i, sub := range list {
				c.walkSchema(sub, fmt.Sprintf("%s/%s/%d", path, k, i))
			}
		}
	}
}

func (c *exampleChecker) record(errs []string) {
	c.checked++
	c.errs = append(c.errs, errs...)
}

// check returns what is wrong with v against schema, at path.
func (c *exampleChecker) check(v, schema any, path string) []string {
	s, ok := schema.(map[string]any)
	if !ok {
		return nil // true, or no schema
	}
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, path+": "+fmt.Sprintf(format, args...)) }
	if ref, ok := s["$ref"].(string); ok {
		target, err := c.resolve(ref)
		if err != nil {
			fail("%v", err)
			return errs
		}
		errs = append(errs, c.check(v, target, path)...)
	}
	if types := typeList(s["type"]); len(types) > 0 && !slices.ContainsFunc(types, func(t string) bool { return hasType(v, t) }) {
		fail("%s is not of type %s", short(v), strings.Join(types, " or "))
		return errs
	}
	if enum, ok := s["enum"].([]any); ok && !slices.ContainsFunc(enum, func(e any) bool { return reflect.DeepEqual(e, v) }) {
		fail("%s is not one of %s", short(v), short(enum))
	}
	if cst, ok := s["const"]; ok && !reflect.DeepEqual(cst, v) {
		fail("%s is not %s", short(v), short(cst))
	}
	for _, k := range []string{"allOf", "anyOf", "oneOf"} {
		list, ok := s[k].([]any)
		if !ok {
			continue
		}
		passed := 0
		var inner []string
		for i, sub := range list {
			e := c.check(v, sub, fmt.Sprintf("%s(%s %d)", path, k, i))
			if len(e) == 0 {
				passed++
			}
			inner = append(inner, e...)
		}
		switch {
		case k == "allOf" && passed < len(list):
			errs = append(errs, inner...)
		case k == "anyOf" && passed == 0:
			fail("matches none of anyOf: %s", strings.Join(inner, "; "))
		case k == "oneOf" && passed != 1:
			fail("matches %d of oneOf, want exactly 1: %s", passed, strings.Join(inner, "; "))
		}
	}
	switch x := v.(type) {
	case map[string]any:
		errs = append(errs, c.checkObject(x, s, path)...)
	case []any:
		if items, ok := s["items"]; ok {
			for i, it := range x {
				errs = append(errs, c.check(it, items, fmt.Sprintf("%s[%d]", path, i))...)
			}
		}
		if n, ok := number(s["minItems"]); ok && float64(len(x)) < n {
			fail("%d items, fewer than %v", len(x), n)
		}
		if n, ok := number(s["maxItems"]); ok && float64(len(x)) > n {
			fail("%d items, more than %v", len(x), n)
		}
	case string:
		n := float64(len([]rune(x)))
		if m, ok := number(s["minLength"]); ok && n < m {
			fail("%q is shorter than %v", x, m)
		}
		if m, ok := number(s["maxLength"]); ok && n > m {
			fail("%q is longer than %v", x, m)
		}
		if p, ok := s["pattern"].(string); ok {
			if re, err := regexp.Compile(p); err == nil && !re.MatchString(x) {
				fail("%q does not match %s", x, p)
			}
		}
		if s["format"] == "date-time" {
			if _, err := time.Parse(time.RFC3339Nano, x); err != nil {
				fail("%q is not an RFC 3339 date-time", x)
			}
		}
	case json.Number:
		f, _ := x.Float64()
		if m, ok := number(s["minimum"]); ok && f < m {
			fail("%s is below the minimum %v", x, m)
		}
		if m, ok := number(s["maximum"]); ok && f > m {
			fail("%s is above the maximum %v", x, m)
		}
	}
	return errs
}

// checkObject checks required, properties and additionalProperties.
func (c *exampleChecker) checkObject(x map[string]any, s map[string]any, path string) []string {
	var errs []string
	if req, ok := s["required"].([]any); ok {
		for _, r := range req {
			if _, ok := x[r.(string)]; !ok {
				errs = append(errs, fmt.Sprintf("%s: required property %q missing", path, r))
			}
		}
	}
	props, _ := s["properties"].(map[string]any)
	for _, k := range sortedKeys(x) {
		if p, ok := props[k]; ok {
			errs = append(errs, c.check(x[k], p, path+"."+k)...)
			continue
		}
		switch ap := s["additionalProperties"].(type) {
		case bool:
			if !ap {
				errs = append(errs, fmt.Sprintf("%s: property %q is not in the schema", path, k))
			}
		case map[string]any:
			errs = append(errs, c.check(x[k], ap, path+"."+k)...)
		}
	}
	return errs
}

// resolve returns the schema a local $ref names.
func (c *exampleChecker) resolve(ref string) (any, error) {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, fmt.Errorf("$ref %q is not local", ref)
	}
	var node any = c.doc
	for part := range strings.SplitSeq(rest, "/") {
		m, ok := node.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("$ref %q does not resolve", ref)
		}
		if node, ok = m[strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")]; !ok {
			return nil, fmt.Errorf("$ref %q does not resolve", ref)
		}
	}
	return node, nil
}

func typeList(t any) []string {
	switch x := t.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// hasType reports whether v, decoded with UseNumber, is of the JSON Schema
// type t.
func hasType(v any, t string) bool {
	switch x := v.(type) {
	case nil:
		return t == "null"
	case bool:
		return t == "boolean"
	case string:
		return t == "string"
	case []any:
		return t == "array"
	case map[string]any:
		return t == "object"
	case json.Number:
		if t == "number" {
			return true
		}
		if t != "integer" {
			return false
		}
		if _, err := x.Int64(); err == nil {
			return true
		}
		f, err := x.Float64()
		return err == nil && f == float64(int64(f))
	}
	return false
}

func number(v any) (float64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// short renders v for a message, cut to 60 bytes.
func short(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 60 {
		return string(b[:57]) + "…"
	}
	return string(b)
}
