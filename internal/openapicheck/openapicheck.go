// Package openapicheck checks JSON values against the schemas of an
// OpenAPI 3.1 document: the document's own examples, the answers an API
// gives and the requests it accepts (the end-to-end tests check every
// exchange they have against Herold's document). It knows the JSON Schema
// keywords Herold's document uses: type, enum, const, required,
// properties, additionalProperties, items, allOf, anyOf, oneOf, $ref,
// minimum, maximum, minLength, maxLength, minItems, maxItems, pattern, and
// the date-time format.
package openapicheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"mime"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Checker checks values against one document. It is safe for concurrent
// use: it only reads the document.
type Checker struct {
	doc map[string]any
}

// New parses an OpenAPI document.
func New(doc []byte) (*Checker, error) {
	v, err := Decode(doc)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("openapicheck: the document is not a JSON object")
	}
	return &Checker{doc: m}, nil
}

// Decode decodes JSON with numbers kept as written, so that an integer is
// told from a number with a fraction.
func Decode(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("openapicheck: %w", err)
	}
	if d.More() {
		return nil, errors.New("openapicheck: more than one JSON value")
	}
	return v, nil
}

// Examples checks every example of the document against the schema it
// illustrates: a schema's example and examples, a media type's or
// parameter's example and the values of its examples. It returns how many
// it checked and what is wrong.
func (c *Checker) Examples() (checked int, problems []string) {
	w := &exampleWalk{c: c}
	w.walk(c.doc, "#")
	return w.checked, w.problems
}

type exampleWalk struct {
	c        *Checker
	checked  int
	problems []string
}

// walk visits every node of the document: each "schema" value and each
// component schema as a schema, and the example and examples next to a
// media type's or parameter's schema.
func (w *exampleWalk) walk(node any, path string) {
	switch n := node.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(n)) {
			v, p := n[k], path+"/"+k
			switch {
			case k == "schema":
				w.walkSchema(v, p)
				w.holderExamples(n, v, path)
			case k == "schemas" && path == "#/components":
				if m, ok := v.(map[string]any); ok {
					for _, name := range slices.Sorted(maps.Keys(m)) {
						w.walkSchema(m[name], p+"/"+name)
					}
				}
			case k == "example" || k == "examples":
				// checked with their schema
			default:
				w.walk(v, p)
			}
		}
	case []any:
		for i, v := range n {
			w.walk(v, fmt.Sprintf("%s/%d", path, i))
		}
	}
}

// holderExamples checks the example and the examples' values of a media
// type or parameter (holder) against schema.
func (w *exampleWalk) holderExamples(holder map[string]any, schema any, path string) {
	if ex, ok := holder["example"]; ok {
		w.record(w.c.Check(ex, schema, path+"/example"))
	}
	if exs, ok := holder["examples"].(map[string]any); ok {
		for _, name := range slices.Sorted(maps.Keys(exs)) {
			if e, ok := exs[name].(map[string]any); ok {
				if v, ok := e["value"]; ok {
					w.record(w.c.Check(v, schema, path+"/examples/"+name+"/value"))
				}
			}
		}
	}
}

// walkSchema checks a schema's own examples and walks its subschemas.
func (w *exampleWalk) walkSchema(node any, path string) {
	s, ok := node.(map[string]any)
	if !ok {
		return
	}
	if ex, ok := s["example"]; ok {
		w.record(w.c.Check(ex, s, path+"/example"))
	}
	if exs, ok := s["examples"].([]any); ok {
		for i, ex := range exs {
			w.record(w.c.Check(ex, s, fmt.Sprintf("%s/examples/%d", path, i)))
		}
	}
	if props, ok := s["properties"].(map[string]any); ok {
		for _, k := range slices.Sorted(maps.Keys(props)) {
			w.walkSchema(props[k], path+"/properties/"+k)
		}
	}
	for _, k := range []string{"items", "additionalProperties", "not"} {
		w.walkSchema(s[k], path+"/"+k)
	}
	for _, k := range []string{"allOf", "anyOf", "oneOf", "prefixItems"} {
		if list, ok := s[k].([]any); ok {
			for i, sub := range list {
				w.walkSchema(sub, fmt.Sprintf("%s/%s/%d", path, k, i))
			}
		}
	}
}

func (w *exampleWalk) record(problems []string) {
	w.checked++
	w.problems = append(w.problems, problems...)
}

// Response checks an answer of the API to method on target (a path with
// an optional query) against the operation the document gives for it:
// the status must be documented (exactly, as a range like "4XX", or as
// "default"), a body must have a documented media type, and a JSON body
// must match its schema. It returns what is wrong, nil when nothing is.
// An unknown path answered 404 and an unlisted method answered 405 are
// right.
func (c *Checker) Response(method, target string, status int, contentType string, body []byte) []string {
	path, _, _ := strings.Cut(target, "?")
	tpl, item := c.pathItem(path)
	where := fmt.Sprintf("%s %s → %d", method, path, status)
	// A path the document does not have is answered 404, a method it
	// does not list for a path 405: that much the document says by
	// leaving them out, with no body to check.
	if item == nil {
		if status == 404 {
			return nil
		}
		return []string{where + ": the path is not in the document"}
	}
	op, ok := item[strings.ToLower(method)].(map[string]any)
	if !ok {
		if status == 405 {
			return nil
		}
		return []string{fmt.Sprintf("%s: %s %s is not in the document", where, method, tpl)}
	}
	responses, _ := op["responses"].(map[string]any)
	resp, ok := responses[strconv.Itoa(status)]
	if !ok {
		resp, ok = responses[fmt.Sprintf("%dXX", status/100)]
	}
	if !ok {
		resp, ok = responses["default"]
	}
	if !ok {
		return []string{fmt.Sprintf("%s: status %d is not documented for %s %s (documented: %s)", where, status, method, tpl,
			strings.Join(slices.Sorted(maps.Keys(responses)), ", "))}
	}
	r, err := c.deref(resp)
	if err != nil {
		return []string{where + ": " + err.Error()}
	}
	content, _ := r["content"].(map[string]any)
	if len(body) == 0 {
		return nil
	}
	if len(content) == 0 {
		return []string{fmt.Sprintf("%s: a body of %d bytes where the document gives none", where, len(body))}
	}
	return c.body(where, content, contentType, body)
}

// Request checks a request the API accepted (answered 2xx) against the
// operation the document gives for its method and path. Its path and query
// parameters must be ones the document lists, with values their schemas
// allow, and every required query parameter must be there (headers are not
// checked). A body must be of a documented media type and, as JSON, match
// the request body's schema; a body the document requires must have been
// sent, and one it does not describe must not. A request the server
// accepts but the document forbids shows that one of them is wrong: a
// client built from the document could not send it. It returns what is
// wrong, nil when nothing is. A path or method the document does not have
// is Response's to report.
func (c *Checker) Request(method, target, contentType string, body []byte) []string {
	path, query, _ := strings.Cut(target, "?")
	tpl, item := c.pathItem(path)
	op, ok := item[strings.ToLower(method)].(map[string]any)
	if !ok {
		return nil
	}
	where := fmt.Sprintf("%s %s request", method, path)
	problems := c.parameters(where, tpl, path, query, item, op)
	var rb map[string]any
	if node, ok := op["requestBody"]; ok {
		var err error
		if rb, err = c.deref(node); err != nil {
			return append(problems, where+": "+err.Error())
		}
	}
	if len(body) == 0 {
		if required, _ := rb["required"].(bool); required {
			problems = append(problems, fmt.Sprintf("%s: accepted without a body, which the document requires for %s %s", where, method, tpl))
		}
		return problems
	}
	content, _ := rb["content"].(map[string]any)
	if len(content) == 0 {
		return append(problems, fmt.Sprintf("%s: a body of %d bytes was accepted where the document takes none for %s %s", where, len(body), method, tpl))
	}
	return append(problems, c.body(where, content, contentType, body)...)
}

// parameters checks the path and query parameters of a request for path
// (matching the template tpl) against those the document gives for the
// path item and the operation; the operation's replace the path item's of
// the same name and place.
func (c *Checker) parameters(where, tpl, path, rawQuery string, item, op map[string]any) []string {
	var problems []string
	params := map[string]map[string]any{} // by "in name"
	for _, list := range []any{item["parameters"], op["parameters"]} {
		nodes, _ := list.([]any)
		for _, node := range nodes {
			p, err := c.deref(node)
			if err != nil {
				problems = append(problems, where+": "+err.Error())
				continue
			}
			in, _ := p["in"].(string)
			name, _ := p["name"].(string)
			params[in+" "+name] = p
		}
	}
	segs := strings.Split(path, "/")
	for i, t := range strings.Split(tpl, "/") {
		name, ok := strings.CutPrefix(t, "{")
		if !ok {
			continue
		}
		name = strings.TrimSuffix(name, "}")
		p, ok := params["path "+name]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: the path parameter %s is not described", where, name))
			continue
		}
		v, err := url.PathUnescape(segs[i])
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: path parameter %s: %v", where, name, err))
			continue
		}
		problems = append(problems, c.Check(c.paramValue(v, p["schema"]), p["schema"], where+" path "+name)...)
	}
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return append(problems, fmt.Sprintf("%s: query %q: %v", where, rawQuery, err))
	}
	for _, name := range slices.Sorted(maps.Keys(q)) {
		p, ok := params["query "+name]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s: the query parameter %q was accepted, but the document does not list it", where, name))
			continue
		}
		schema := p["schema"]
		if s := c.resolved(schema); slices.Contains(typeList(s["type"]), "array") {
			// style form, explode true (OpenAPI's default for the query):
			// each occurrence is one item.
			items := make([]any, len(q[name]))
			for i, v := range q[name] {
				items[i] = c.paramValue(v, s["items"])
			}
			problems = append(problems, c.Check(items, schema, where+" query "+name)...)
			continue
		}
		for _, v := range q[name] {
			problems = append(problems, c.Check(c.paramValue(v, schema), schema, where+" query "+name)...)
		}
	}
	for _, key := range slices.Sorted(maps.Keys(params)) {
		p := params[key]
		name, _ := p["name"].(string)
		if required, _ := p["required"].(bool); required && p["in"] == "query" && !q.Has(name) {
			problems = append(problems, fmt.Sprintf("%s: accepted without the query parameter %q, which the document requires", where, name))
		}
	}
	return problems
}

// paramValue is a parameter's text as the JSON value its schema describes:
// a number or a boolean when the schema's type allows one and the text is
// one, otherwise the text (which then fails a schema that wants a number).
func (c *Checker) paramValue(text string, schema any) any {
	for _, t := range typeList(c.resolved(schema)["type"]) {
		switch {
		case t == "integer" || t == "number":
			if _, err := strconv.ParseFloat(text, 64); err == nil {
				return json.Number(text)
			}
		case t == "boolean" && (text == "true" || text == "false"):
			return text == "true"
		}
	}
	return text
}

// resolved is schema with its $ref followed, or nil when it is not an
// object or the reference leads nowhere (which Check reports).
func (c *Checker) resolved(schema any) map[string]any {
	s, _ := c.deref(schema)
	return s
}

// body checks a body sent as contentType against content, the media
// types the document gives for it: the type must be one of them, and a
// JSON body must match its schema.
func (c *Checker) body(where string, content map[string]any, contentType string, body []byte) []string {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return []string{fmt.Sprintf("%s: Content-Type %q: %v", where, contentType, err)}
	}
	media, ok := content[mt].(map[string]any)
	if !ok {
		return []string{fmt.Sprintf("%s: Content-Type %s, documented: %s", where, mt, strings.Join(slices.Sorted(maps.Keys(content)), ", "))}
	}
	schema, ok := media["schema"]
	if !ok || !(mt == "application/json" || strings.HasSuffix(mt, "+json")) {
		return nil
	}
	v, err := Decode(body)
	if err != nil {
		return []string{fmt.Sprintf("%s: the %s body is not JSON: %v", where, mt, err)}
	}
	return c.Check(v, schema, where)
}

// pathItem finds the path item whose template matches path, preferring
// literal segments over parameters ("/v1/messages/mailbox" over
// "/v1/messages/{id}").
func (c *Checker) pathItem(path string) (string, map[string]any) {
	paths, _ := c.doc["paths"].(map[string]any)
	if item, ok := paths[path].(map[string]any); ok {
		return path, item
	}
	segs := strings.Split(path, "/")
	best, bestLiterals := "", -1
	for tpl := range paths {
		ts := strings.Split(tpl, "/")
		if len(ts) != len(segs) {
			continue
		}
		literals, match := 0, true
		for i, t := range ts {
			switch {
			case strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}"):
				match = segs[i] != ""
			case t == segs[i]:
				literals++
			default:
				match = false
			}
			if !match {
				break
			}
		}
		if match && (literals > bestLiterals || literals == bestLiterals && tpl < best) {
			best, bestLiterals = tpl, literals
		}
	}
	if best == "" {
		return "", nil
	}
	item, _ := paths[best].(map[string]any)
	return best, item
}

// deref follows the $ref of an object of the document (a response, a
// request body, a parameter, a schema) to the object it names.
func (c *Checker) deref(node any) (map[string]any, error) {
	m, ok := node.(map[string]any)
	for ok {
		ref, isRef := m["$ref"].(string)
		if !isRef {
			return m, nil
		}
		target, err := c.resolve(ref)
		if err != nil {
			return nil, err
		}
		m, ok = target.(map[string]any)
	}
	return nil, errors.New("a reference to something that is not an object")
}

// Check returns what is wrong with v (decoded by Decode) against schema, at
// path; nil when nothing is.
func (c *Checker) Check(v, schema any, path string) []string {
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
		errs = append(errs, c.Check(v, target, path)...)
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
			e := c.Check(v, sub, fmt.Sprintf("%s(%s %d)", path, k, i))
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
				errs = append(errs, c.Check(it, items, fmt.Sprintf("%s[%d]", path, i))...)
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
func (c *Checker) checkObject(x map[string]any, s map[string]any, path string) []string {
	var errs []string
	if req, ok := s["required"].([]any); ok {
		for _, r := range req {
			if _, ok := x[r.(string)]; !ok {
				errs = append(errs, fmt.Sprintf("%s: required property %q missing", path, r))
			}
		}
	}
	props, _ := s["properties"].(map[string]any)
	for _, k := range slices.Sorted(maps.Keys(x)) {
		if p, ok := props[k]; ok {
			errs = append(errs, c.Check(x[k], p, path+"."+k)...)
			continue
		}
		switch ap := s["additionalProperties"].(type) {
		case bool:
			if !ap {
				errs = append(errs, fmt.Sprintf("%s: property %q is not in the schema", path, k))
			}
		case map[string]any:
			errs = append(errs, c.Check(x[k], ap, path+"."+k)...)
		}
	}
	return errs
}

// resolve returns the node a local $ref names.
func (c *Checker) resolve(ref string) (any, error) {
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

// short renders v for a message, cut to 60 bytes.
func short(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 60 {
		return string(b[:57]) + "…"
	}
	return string(b)
}
