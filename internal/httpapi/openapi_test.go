package httpapi

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"
)

// TestOpenAPIMatchesRoutes fails when a route is missing from the committed
// OpenAPI document or the document names a route that does not exist.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	t.Parallel()
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatalf("openapi.json is not valid JSON: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q, want 3.x", doc.OpenAPI)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			switch method {
			case "get", "put", "post", "delete", "patch", "head", "options":
				documented[strings.ToUpper(method)+" "+path] = true
			}
		}
	}
	h := New(Config{})
	routes := map[string]bool{}
	for _, rt := range h.routeTab {
		routes[rt.method+" "+rt.path] = true
	}
	var missing, extra []string
	for r := range routes {
		if !documented[r] {
			missing = append(missing, r)
		}
	}
	for r := range documented {
		if !routes[r] {
			extra = append(extra, r)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 {
		t.Errorf("routes missing from openapi.json:\n  %s", strings.Join(missing, "\n  "))
	}
	if len(extra) > 0 {
		t.Errorf("openapi.json documents routes that do not exist:\n  %s", strings.Join(extra, "\n  "))
	}
}

// TestOpenAPIOperationsDescribed checks every operation has an id, a
// summary and its responses, and every $ref resolves.
func TestOpenAPIOperationsDescribed(t *testing.T) {
	t.Parallel()
	var doc map[string]any
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	paths, _ := doc["paths"].(map[string]any)
	if len(paths) == 0 {
		t.Fatal("openapi.json has no paths")
	}
	for path, ops := range paths {
		for method, raw := range ops.(map[string]any) {
			op, ok := raw.(map[string]any)
			if !ok || method == "parameters" {
				continue
			}
			id, _ := op["operationId"].(string)
			if id == "" || op["summary"] == nil || op["responses"] == nil {
				t.Errorf("%s %s lacks operationId, summary or responses", method, path)
			}
			if ids[id] {
				t.Errorf("operationId %q used twice", id)
			}
			ids[id] = true
		}
	}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok {
				if !resolves(doc, ref) {
					t.Errorf("$ref %q does not resolve", ref)
				}
			}
			for _, c := range x {
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(doc)
}

func resolves(doc map[string]any, ref string) bool {
	p, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return false
	}
	var cur any = doc
	for _, part := range strings.Split(p, "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return false
		}
		if cur, ok = m[part]; !ok {
			return false
		}
	}
	return true
}

// TestOpenAPIListsTheCommonRefusals checks that every operation lists the
// answers every route of its kind can give, so that generated clients
// know them: 503 (admission control, see Handler.wrap) on every
// authenticated route that writes, 422 on every route with a path
// parameter (checkPathParams), and 400, 408, 413 and 415 on every
// operation that takes a body (a body that ends early, one that does not
// arrive in time, the body limit and decode's Content-Type check: see
// readBody and decode).
func TestOpenAPIListsTheCommonRefusals(t *testing.T) {
	t.Parallel()
	type operation struct {
		RequestBody json.RawMessage            `json:"requestBody"`
		Responses   map[string]json.RawMessage `json:"responses"`
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		t.Fatal(err)
	}
	ops := map[string]operation{} // "METHOD path"
	for path, item := range doc.Paths {
		for method, raw := range item {
			if method == "parameters" {
				continue
			}
			var op operation
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatalf("%s %s: %v", method, path, err)
			}
			ops[strings.ToUpper(method)+" "+path] = op
		}
	}
	var missing []string
	lacks := func(name string, codes ...string) {
		op, ok := ops[name]
		if !ok {
			return // TestOpenAPIMatchesRoutes reports it
		}
		for _, c := range codes {
			if _, ok := op.Responses[c]; !ok {
				missing = append(missing, name+": "+c)
			}
		}
	}
	h := New(Config{})
	for _, rt := range h.routeTab {
		if rt.scopes != nil && rt.method != "GET" && rt.method != "OPTIONS" {
			lacks(rt.method+" "+rt.path, "503")
		}
		if len(pathParams(rt.path)) > 0 {
			lacks(rt.method+" "+rt.path, "422") // a path parameter that is not UTF-8 (checkPathParams)
		}
	}
	for name, op := range ops {
		if len(op.RequestBody) > 0 {
			lacks(name, "400", "408", "413", "415")
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("operations without an answer their route can give:\n  %s", strings.Join(missing, "\n  "))
	}
}
